"""Browser review: dates at the ends of the calendar (year 9999, year 1) typed in the
campaign form or the extension are refused at their field, never a 500."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

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


@pytest.fixture(autouse=True)
def _action_types(action_types):
    """The built-in action types, as the new campaign form creates them."""


FAR_OFF = [
    ("9999-12-01T09:00", "9999-12-31T18:00", "starts_at", "Choose a start within a year"),
    ("9999-12-31T23:00", "9999-12-31T23:59", "starts_at", "Choose a start within a year"),
    ("0001-01-01T00:00", "0001-01-02T18:00", "starts_at", "A campaign lasts at most 90 days"),
]


@pytest.mark.parametrize(("starts_at", "ends_at", "field", "message"), FAR_OFF)
def test_a_campaign_created_at_the_ends_of_the_calendar_is_refused_at_its_field(
    client, make, starts_at, ends_at, field, message
):
    login(client, make.user(roles=("organiser",), locale="en"))
    answer = post_new_campaign(client, starts_at=starts_at, ends_at=ends_at)
    assert answer.status_code == 422
    assert message in refusal_at(answer.get_data(as_text=True), field)
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 0


@pytest.mark.parametrize(("starts_at", "ends_at", "field", "message"), FAR_OFF)
def test_a_campaign_edited_to_the_ends_of_the_calendar_is_refused_at_its_field(
    client, make, make_campaign, starts_at, ends_at, field, message
):
    draft = english_organisers_draft(client, make, make_campaign)
    dates = (draft.starts_at, draft.ends_at)
    data = {**edit_form(client, draft), "starts_at": starts_at, "ends_at": ends_at}
    answer = client.post(f"/cleanup/campaigns/{draft.id}/edit", data=data)
    assert answer.status_code == 422
    assert message in refusal_at(answer.get_data(as_text=True), field)
    db.session.expire_all()
    kept = db.session.get(CleanupCampaign, draft.id)
    assert (kept.starts_at, kept.ends_at) == dates


@pytest.mark.parametrize("ends_at", ["9999-12-31T23:59", "0001-01-01T00:00"])
@pytest.mark.parametrize("ask_first", [False, True])
def test_an_extension_to_the_ends_of_the_calendar_is_refused_at_the_new_end(
    client, make, make_campaign, ends_at, ask_first
):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    end = campaign.ends_at
    login(client, make.user(roles=("organiser",), locale="en"))
    data = {"csrf_token": csrf_token(client), "ends_at": ends_at}
    if ask_first:  # scripts off: the question is asked once the end is checked
        data["ask_first_after_check"] = "1"
    answer = client.post(f"/cleanup/campaigns/{campaign.id}/extend", data=data)
    assert answer.status_code == 422
    assert refusal_at(answer.get_data(as_text=True), "ends_at")
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).ends_at == end
