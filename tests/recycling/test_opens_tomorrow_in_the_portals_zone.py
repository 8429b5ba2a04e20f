"""A point's state says "tomorrow" and "today" as people do, and as the campaigns'
countdown says them: on a Monday evening "Closed, opens tomorrow at 08:30", not "opens
Tuesday", and at noon "opens today at 13:30". Its days and hours are the portal's zone's
(TIMEZONE), not always Paris's."""

import html
import re
from datetime import UTC, datetime

import pytest

from app.recycling import api as recycling_api
from app.recycling import hours, providers
from tests.conftest import login
from tests.recycling.conftest import HOURS

# HOURS: Mo-Fr 08:30-12:00,13:30-17:00. Monday 23 November 2026, 18:00 in Paris.
MONDAY_EVENING = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
WEDNESDAY_NOON = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)  # 12:30 in Paris
SATURDAY_NOON = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
NIGHTS = "Mo-Su 20:00-02:00"
WEDNESDAY_NIGHT = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # 22:00 in Paris


@pytest.fixture
def portal_zone(app):
    """Sets TIMEZONE for one test only."""
    saved = app.config.get("TIMEZONE")

    def set_(zone: str) -> None:
        app.config["TIMEZONE"] = zone

    yield set_
    app.config["TIMEZONE"] = saved


def _words(response) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return " ".join(text.split())


def test_on_a_monday_evening_a_point_opens_tomorrow():
    assert hours.status_text(HOURS, MONDAY_EVENING, "en") == "Closed, opens tomorrow at 08:30"
    assert hours.status_text(HOURS, MONDAY_EVENING, "fr") == (
        "Fermé, ouvre demain à 8\u00a0h\u00a030"
    )


def test_at_noon_a_point_opens_today():
    assert hours.status_text(HOURS, WEDNESDAY_NOON, "en") == "Closed, opens today at 13:30"
    assert hours.status_text(HOURS, WEDNESDAY_NOON, "fr") == (
        "Fermé, ouvre aujourd'hui à 13\u00a0h\u00a030"
    )


def test_a_point_open_past_midnight_closes_tomorrow():
    assert hours.status_text(NIGHTS, WEDNESDAY_NIGHT, "en") == "Open now, closes tomorrow at 02:00"
    assert hours.status_text(NIGHTS, WEDNESDAY_NIGHT, "fr") == (
        "Ouvert maintenant, ferme demain à 2\u00a0h"
    )


def test_two_days_ahead_the_day_is_named():
    assert hours.status_text(HOURS, SATURDAY_NOON, "en") == "Closed, opens Monday at 08:30"


def test_the_home_page_says_tomorrow(client, make, rec, monkeypatch):
    rec.point(name="Mairie de Bègles")
    login(client, make.user(locale="en"))
    monkeypatch.setattr(providers, "utcnow", lambda: MONDAY_EVENING)
    assert "Closed, opens tomorrow at 08:30" in _words(client.get("/"))


def test_the_state_follows_the_portals_zone(portal_zone):
    # 05:00 UTC on Wednesday: 06:00 in Paris, closed; 09:00 in Réunion, open.
    morning = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    assert not hours.is_open(HOURS, morning)
    portal_zone("Indian/Reunion")
    assert hours.is_open(HOURS, morning)
    assert hours.status_text(HOURS, morning, "en") == "Open now, closes at 12:00"


def test_today_and_tomorrow_are_the_portals_zones_days(portal_zone):
    # 20:30 UTC on Monday: still Monday evening in Paris, already Tuesday in Réunion.
    late = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)
    assert hours.status_text(HOURS, late, "en") == "Closed, opens tomorrow at 08:30"
    portal_zone("Indian/Reunion")
    assert hours.status_text(HOURS, late, "en") == "Closed, opens today at 08:30"


def test_the_api_says_open_in_the_portals_zone(client, make, rec, portal_zone, monkeypatch):
    rec.point(name="Mairie de Bègles")
    login(client, make.user())
    monkeypatch.setattr(recycling_api, "utcnow", lambda: datetime(2026, 11, 25, 5, 0, tzinfo=UTC))
    portal_zone("Indian/Reunion")
    (point,) = client.get("/api/v1/collection-points").get_json()["collection_points"]
    assert point["open_now"] is True


def test_the_api_describes_open_now_in_the_portals_zone(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    described = schema["CollectionPoint"]["properties"]["open_now"]["description"]
    assert "portal's time zone (TIMEZONE, Europe/Paris by default" in described
