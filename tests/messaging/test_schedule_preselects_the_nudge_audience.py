"""« Pas encore participé » goes only to those who have not taken part: picking it in the
schedule form (with htmx, or without JavaScript) chooses that audience, and the form says
why, rather than waiting to refuse every other one."""

import html
import re
from datetime import timedelta

from app.cleanup import services as cleanup_services
from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.builtins import ensure_builtin_templates
from tests.conftest import csrf_token, login

NON_PARTICIPANTS = "campaign-non-participants"
NOTE = (
    "“Not taken part yet” tells each reader they have not taken part in the campaign yet: it "
    "goes only to the audience “Staff in scope who have not taken part in a clean-up "
    "campaign”, chosen for it. Choose its campaign."
)


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _chosen_audience(page: str) -> str | None:
    select = page.split('id="audience"', 1)[1].split("</select>", 1)[0]
    chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select)
    return None if chosen is None else (chosen.group(1) or chosen.group(2))


def _note(page: str) -> str:
    return _words(page.split('id="audience-note">', 1)[1].split("</p>", 1)[0])


def _setting(client, make, make_campaign, locale="en"):
    """A running campaign with one participant and one person who has not, its organiser
    signed in; the nudge's id."""
    organiser = make.user(roles=("organiser",), locale=locale)
    now = utcnow()
    campaign = make_campaign(
        organiser=organiser, starts_at=now - timedelta(days=4), ends_at=now + timedelta(days=10)
    )
    cleanup_services.log_action(make.user(), campaign, "unsubscribe", 1, now)
    make.user(email_opt_in=True)
    ensure_builtin_templates()
    db.session.commit()
    login(client, organiser)
    return campaign, services.template_by_key("campaign-not-participated").id


def test_picking_the_nudge_with_htmx_brings_its_audience_and_why(client, make, make_campaign):
    campaign, nudge = _setting(client, make, make_campaign)
    response = client.get(
        "/messaging/schedule/recipients",
        query_string={"template": nudge, "audience": "campaign-scope", "campaign_id": campaign.id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and 'id="recipients"' in fragment
    assert _chosen_audience(fragment) == NON_PARTICIPANTS
    assert _note(fragment) == NOTE
    assert 'aria-describedby="audience-note audience-size"' in fragment
    assert f'<option value="{campaign.id}" selected>' in fragment  # its campaign kept
    assert "HX-Request" in response.headers["Vary"]


def test_picking_another_template_with_htmx_leaves_the_audience_alone(client, make, make_campaign):
    _setting(client, make, make_campaign)
    other = services.template_by_key("campaign-launch").id
    response = client.get(
        "/messaging/schedule/recipients",
        query_string={"template": other, "audience": "everyone"},
        headers={"HX-Request": "true"},
    )
    fragment = response.get_data(as_text=True)
    assert _chosen_audience(fragment) == "everyone"
    assert 'id="audience-note"' not in fragment


def test_the_recipients_address_without_htmx_is_the_form_as_filled(client, make, make_campaign):
    _campaign, nudge = _setting(client, make, make_campaign)
    response = client.get("/messaging/schedule/recipients", query_string={"template": nudge})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Schedule a message</h1>" in page
    assert _chosen_audience(page) == NON_PARTICIPANTS and _note(page) == NOTE


def test_the_template_list_asks_for_the_recipients_as_it_changes(client, make, make_campaign):
    _setting(client, make, make_campaign)
    page = client.get("/messaging/schedule").get_data(as_text=True)
    select = (
        page.split('id="template"', 1)[0].rsplit("<select", 1)[1]
        + page.split('id="template"', 1)[1].split(">", 1)[0]
    )
    assert 'hx-get="/messaging/schedule/recipients"' in select
    assert 'hx-target="#recipients"' in select
    assert 'id="audience-note"' not in page  # no template chosen yet: nothing to say


def test_a_link_to_schedule_the_nudge_opens_with_its_audience(client, make, make_campaign):
    _campaign, nudge = _setting(client, make, make_campaign)
    page = client.get(f"/messaging/schedule?template={nudge}").get_data(as_text=True)
    assert _chosen_audience(page) == NON_PARTICIPANTS
    assert _note(page) == NOTE


def test_the_nudge_sent_without_javascript_and_no_audience_takes_its_own(
    client, make, make_campaign
):
    """The template picked, nothing else touched (no script): "Schedule" asks to confirm the
    sending to those who have not taken part."""
    campaign, nudge = _setting(client, make, make_campaign)
    data = {
        "csrf_token": csrf_token(client),
        "template": nudge,
        "audience": "",
        "campaign_id": str(campaign.id),
        "kind": "now",
    }
    response = client.post("/messaging/schedule", data=data)
    assert response.status_code == 200
    page = _words(response.get_data(as_text=True))
    assert re.search(r"Send to \d+ (person|people) now\?", page)
    assert "Staff in scope who have not taken part" in page


def test_the_nudge_without_its_campaign_comes_back_with_its_audience_chosen(
    client, make, make_campaign
):
    _campaign, nudge = _setting(client, make, make_campaign)
    data = {"csrf_token": csrf_token(client), "template": nudge, "audience": "", "kind": "now"}
    response = client.post("/messaging/schedule", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _chosen_audience(page) == NON_PARTICIPANTS
    assert 'id="campaign_id-error"' in page and 'id="audience-error"' not in page
    assert _note(page) == NOTE


def test_the_note_is_in_french_for_a_french_organiser(client, make, make_campaign):
    _campaign, nudge = _setting(client, make, make_campaign, locale="fr")
    response = client.get(
        "/messaging/schedule/recipients",
        query_string={"template": nudge},
        headers={"HX-Request": "true"},
    )
    assert _note(response.get_data(as_text=True)).startswith(
        "« Pas encore participé » dit à chaque destinataire qu'il n'a pas encore participé"
    )
