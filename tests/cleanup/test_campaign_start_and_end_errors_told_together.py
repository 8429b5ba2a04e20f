"""A start the clocks skip (02:30 the night they go forward) and an end already past, sent
together: both are told in one answer (the end's refusal does not wait until the start is
corrected: the form tells every error at once). And the reverse: an
end the clocks skip, or unreadable, with a start refused on its own."""

import html
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.cleanup.models import CleanupCampaign
from app.extensions import db
from tests.cleanup.conftest import edit_form, in_days, post_new_campaign, refusal_at
from tests.conftest import login

PARIS = ZoneInfo("Europe/Paris")
ENDED = "Cette campagne serait déjà terminée\u00a0: choisissez une fin à venir."


@pytest.fixture(autouse=True)
def _action_types(action_types):
    """The built-in action types, as the new campaign form creates them."""


def _spring_night() -> str:
    """02:30 on the next last Sunday of March, when the clocks skip from 02:00 to 03:00."""
    today = datetime.now(PARIS).date()
    for year in (today.year, today.year + 1):
        day = date(year, 3, 31) - timedelta(days=(date(year, 3, 31).weekday() + 1) % 7)
        if day > today:
            return f"{day}T02:30"
    raise AssertionError("no spring night ahead")


def _told(page: str, field: str) -> str:
    return html.unescape(refusal_at(page, field))


@pytest.mark.parametrize("end", [in_days(-5, "10:00"), "0001-01-01T10:00"])
def test_a_new_campaign_tells_the_skipped_start_and_the_past_end_at_once(client, make, end):
    login(client, make.user(roles=("organiser",), locale="fr"))
    answer = post_new_campaign(client, starts_at=_spring_night(), ends_at=end)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert _told(page, "starts_at").startswith("Cette heure n'existe pas à Paris")
    assert _told(page, "ends_at") == ENDED
    assert "2\u00a0champs à corriger" in html.unescape(page)
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 0


def test_an_edit_tells_the_skipped_start_and_the_past_end_at_once(client, make, make_campaign):
    organiser = make.user(roles=("organiser",), locale="fr")
    now = datetime.now(PARIS)
    draft = make_campaign(
        organiser=organiser,
        publish=False,
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=30),
    )
    login(client, organiser)
    data = {**edit_form(client, draft), "starts_at": _spring_night(), "ends_at": "0001-01-01T10:00"}
    page = client.post(f"/cleanup/campaigns/{draft.id}/edit", data=data).get_data(as_text=True)
    assert _told(page, "starts_at").startswith("Cette heure n'existe pas à Paris")
    assert _told(page, "ends_at") == ENDED


@pytest.mark.parametrize(
    "start, told",
    [
        (in_days(-200, "09:00"), "Une campagne dure au plus 90 jours"),
        (in_days(400, "09:00"), "Choisissez un début dans l'année"),
    ],
)
def test_a_new_campaign_tells_the_refused_start_and_the_skipped_end_at_once(
    client, make, start, told
):
    login(client, make.user(roles=("organiser",), locale="fr"))
    answer = post_new_campaign(client, starts_at=start, ends_at=_spring_night())
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert _told(page, "starts_at").startswith(told)
    assert _told(page, "ends_at").startswith("Cette heure n'existe pas à Paris")
    assert "2\u00a0champs à corriger" in html.unescape(page)
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 0


def test_a_published_campaign_tells_a_past_start_and_an_unreadable_end_at_once(
    client, make, make_campaign
):
    organiser = make.user(roles=("organiser",), locale="fr")
    now = datetime.now(PARIS)
    starts, ends = now + timedelta(days=10), now + timedelta(days=30)
    scheduled = make_campaign(organiser=organiser, starts_at=starts, ends_at=ends)
    login(client, organiser)
    data = {**edit_form(client, scheduled), "starts_at": in_days(-1, "09:00"), "ends_at": "31/13"}
    page = client.post(f"/cleanup/campaigns/{scheduled.id}/edit", data=data).get_data(as_text=True)
    assert _told(page, "starts_at").startswith("Cette campagne est publiée")
    assert _told(page, "ends_at")
    db.session.refresh(scheduled)
    assert scheduled.starts_at == starts.astimezone(scheduled.starts_at.tzinfo)
