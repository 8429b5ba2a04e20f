"""A portal in another zone than Paris (`TIMEZONE`) never says its times are Paris's: the
clock-change refusal and notes name the portal's zone, the results spreadsheet's early-end
note names it as its other instants' notes do, and the API says which zone its offsets are."""

import csv
import html
import io
import re
from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.services import template_by_key
from tests.conftest import csrf_token, login


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _skipped_hour_refusal(client, make, locale) -> str:
    """The schedule form's refusal of 02:30 the night the clocks go forward in Brussels."""
    organiser = make.user(roles=("organiser",), locale=locale)
    ensure_builtin_templates()
    db.session.commit()
    login(client, organiser)
    data = {
        "csrf_token": csrf_token(client),
        "template": template_by_key("weekly-digest").id,
        "audience": "everyone",
        "kind": "at",
        "at": "2027-03-28T02:30",
    }
    page = client.post("/messaging/schedule", data=data).get_data(as_text=True)
    return _words(page.split('id="at-error">', 1)[1].split("</p>", 1)[0])


def test_a_skipped_hour_is_refused_in_the_portals_zone(client, make, config):
    config(TIMEZONE="Europe/Brussels")
    said = _skipped_hour_refusal(client, make, "en")
    assert said.startswith("This time does not exist in local time (")
    assert "Paris" not in said and said.endswith("from 02:00 to 03:00 that night.")


def test_a_skipped_hour_is_refused_in_the_portals_zone_in_french(client, make, config):
    config(TIMEZONE="Europe/Brussels")
    said = _skipped_hour_refusal(client, make, "fr")
    assert said.startswith("Cette heure n'existe pas à l'heure locale (heure : ")
    assert "Paris" not in said


def test_the_recurring_clock_change_note_names_the_portals_zone(client, make, config):
    config(TIMEZONE="Europe/Brussels")
    login(client, make.user(roles=("organiser",), locale="en"))
    response = client.get(
        "/messaging/clock-change",
        query_string={"kind": "cron", "repeat": "daily", "time": "02:30"},
        headers={"HX-Request": "true"},
    )
    note = _words(response.get_data(as_text=True))
    assert "On the last Sunday of March, 02:30 does not exist in local time (" in note
    assert "Paris" not in note


def test_the_early_end_note_of_the_results_names_the_zone(client, make, make_campaign, config):
    config(TIMEZONE="Indian/Reunion")
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=9))
    login(client, make.user(roles=("organiser",), locale="fr"))
    client.post(
        f"/cleanup/campaigns/{campaign.id}/end-now",
        data={"csrf_token": csrf_token(client), "reason": "Serveur déplacé"},
    )
    body = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    reader = csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")
    (row,) = [r for r in reader if r["Niveau"] == "Campagne"]
    (note,) = [value for value in row.values() if "par ses organisateurs" in (value or "")]
    assert "(heure\u00a0: La Réunion), par ses organisateurs" in note


def test_the_api_says_its_offsets_are_the_portals_zone(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    described = schema["CleanupCampaign"]["properties"]["starts_at"]["description"]
    assert "portal's time zone (TIMEZONE, Europe/Paris by default" in described
    assert "the portal's time zone (TIMEZONE" in schema["CleanupOpenData"]["description"]
