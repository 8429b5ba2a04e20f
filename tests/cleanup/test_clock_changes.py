"""A start or an end typed in the hour the clocks skip in spring (02:30 on the last Sunday
of March in Paris) was saved as 03:30 without a word: it is refused at its field, saying
why. A time the clocks show twice in autumn (02:30 on the last Sunday of October) is
read, as before, as the first of the two (summer time), whatever the parsed value."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.cleanup import services
from app.cleanup.forms import skipped_by_the_clocks, to_utc
from app.cleanup.models import CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import (
    edit_form,
    english_organisers_draft,
    post_new_campaign,
    refusal_at,
)
from tests.conftest import csrf_token, login

PARIS = ZoneInfo("Europe/Paris")
SKIPPED = "This time does not exist in Paris: clocks go forward from 02:00 to 03:00 that night."


@pytest.fixture(autouse=True)
def _action_types(action_types):
    """The built-in action types, as the new campaign form creates them."""


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def _next_change(month: int) -> date:
    """The next last Sunday of `month` (3: clocks forward, 10: back), after today."""
    today = datetime.now(PARIS).date()
    day = _last_sunday(today.year, month)
    return day if day > today else _last_sunday(today.year + 1, month)


def _campaigns() -> int:
    return db.session.scalar(select(func.count()).select_from(CleanupCampaign))


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_new_campaign_in_the_hour_skipped_is_refused_at_its_field(client, make, field):
    spring = _next_change(3)
    login(client, make.user(roles=("organiser",), locale="en"))
    dates = {"starts_at": f"{spring - timedelta(days=2)}T09:00", "ends_at": f"{spring}T18:00"}
    if field == "starts_at":
        dates = {"starts_at": f"{spring}T02:30", "ends_at": f"{spring + timedelta(days=5)}T18:00"}
    else:
        dates["ends_at"] = f"{spring}T02:30"
    answer = post_new_campaign(client, **dates)
    assert answer.status_code == 422 and _campaigns() == 0
    page = answer.get_data(as_text=True)
    assert refusal_at(page, field).replace("&#39;", "'") == SKIPPED
    assert f'value="{spring}T02:30"' in page  # kept as typed, to be put right


def test_the_hour_skipped_is_told_in_french(client, make):
    spring = _next_change(3)
    login(client, make.user(roles=("organiser",), locale="fr"))
    answer = post_new_campaign(
        client, starts_at=f"{spring}T02:00", ends_at=f"{spring + timedelta(days=5)}T18:00"
    )
    said = refusal_at(answer.get_data(as_text=True), "starts_at").replace("&#39;", "'")
    assert said == (
        "Cette heure n'existe pas à Paris\u00a0: cette nuit-là, les horloges passent "
        "directement de 2\u00a0h à 3\u00a0h."
    )


def test_an_edit_into_the_hour_skipped_changes_nothing(client, make, make_campaign):
    draft = english_organisers_draft(client, make, make_campaign)
    dates = (draft.starts_at, draft.ends_at)
    spring = _next_change(3)
    data = {**edit_form(client, draft), "ends_at": f"{spring}T02:59"}
    answer = client.post(f"/cleanup/campaigns/{draft.id}/edit", data=data)
    assert answer.status_code == 422
    assert refusal_at(answer.get_data(as_text=True), "ends_at").replace("&#39;", "'") == SKIPPED
    db.session.expire_all()
    kept = db.session.get(CleanupCampaign, draft.id)
    assert (kept.starts_at, kept.ends_at) == dates


@pytest.mark.parametrize("ask_first", [False, True])
def test_an_extension_into_the_hour_skipped_is_refused_at_the_new_end(client, make, ask_first):
    """A running campaign, extended to 02:30 the night of the change: extended to 03:30
    before. (Running: a scheduled one is corrected, not extended.)"""
    spring, now = _next_change(3), utcnow()
    night = datetime(spring.year, spring.month, spring.day, 17, tzinfo=UTC)
    organiser = make.user(roles=("organiser",), locale="en")
    data = {
        "name_fr": "Printemps",
        "name_en": "Spring",
        "description_fr": "",
        "description_en": "",
        "starts_at": now - timedelta(days=1),
        # Within an extension's reach of the change (90 days at most).
        "ends_at": max(now + timedelta(days=2), night - timedelta(days=85)),
        "all_departments": True,
        "department_ids": [],
        "goals": {},
        "rules": [
            {"action_type_id": t.id, "points_per_unit": 10, "daily_cap": 20}
            for t in services.ensure_default_action_types()[:1]
        ],
    }
    campaign = services.create_campaign(organiser, data, now)
    services.publish_campaign(campaign, organiser, now)
    db.session.commit()
    end = campaign.ends_at
    login(client, organiser)
    form = {"csrf_token": csrf_token(client), "ends_at": f"{spring}T02:30"}
    if ask_first:  # scripts off: the question is asked once the end is checked
        form["ask_first_after_check"] = "1"
    answer = client.post(f"/cleanup/campaigns/{campaign.id}/extend", data=form)
    assert answer.status_code == 422
    assert refusal_at(answer.get_data(as_text=True), "ends_at").replace("&#39;", "'") == SKIPPED
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).ends_at == end


def test_the_hour_skipped_is_found_where_the_clocks_jump(app):
    spring = _next_change(3)
    with app.app_context():
        at = datetime(spring.year, spring.month, spring.day)
        assert skipped_by_the_clocks(at.replace(hour=2, minute=30)) == (
            at.replace(hour=2),
            at.replace(hour=3),
        )
        assert skipped_by_the_clocks(at.replace(hour=1, minute=59)) is None
        assert skipped_by_the_clocks(at.replace(hour=3)) is None


def test_a_time_shown_twice_in_autumn_is_the_first_one_whatever_was_parsed(app):
    """02:30 on the night the clocks go back: 00:30 UTC (summer time), never 01:30, even
    for a value that came with fold=1 (the second 02:30)."""
    autumn = _next_change(10)
    with app.app_context():
        typed = datetime(autumn.year, autumn.month, autumn.day, 2, 30)
        expected = datetime(autumn.year, autumn.month, autumn.day, 0, 30, tzinfo=UTC)
        assert to_utc(typed) == expected
        assert to_utc(typed.replace(fold=1)) == expected
        assert skipped_by_the_clocks(typed) is None  # it exists (twice): not refused


def test_a_new_campaign_starting_in_the_hour_shown_twice_starts_at_the_first(client, make):
    autumn = _next_change(10)
    login(client, make.user(roles=("organiser",), locale="en"))
    answer = post_new_campaign(
        client, starts_at=f"{autumn}T02:30", ends_at=f"{autumn + timedelta(days=5)}T18:00"
    )
    assert answer.status_code == 302
    campaign = db.session.scalars(select(CleanupCampaign)).one()
    assert campaign.starts_at == datetime(autumn.year, autumn.month, autumn.day, 0, 30, tzinfo=UTC)
