"""Logging entries: a correction over the daily cap says what
the entry can hold, a quantity too small to score is refused, and the demo data keeps
to the daily caps."""

import html
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.cleanup import services
from app.cleanup.models import (
    REJECTED,
    CleanupAction,
    CleanupCampaignActionType,
    CleanupParticipant,
)
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.snapshots import demo_seeded_once

DEMO_EMPLOYEES = 60


def _quantity_error(response) -> str:
    return html.unescape(re.search(r'id="quantity-error">([^<]*)</p>', response.text).group(1))


def test_a_correction_over_the_daily_cap_says_what_this_entry_can_hold(participant, make):
    """6.6 GB logged, the 3 GB entry changed to 30: "you can still log 16.4 GB" was what
    the entry could hold, not what more could be logged (13.4 GB)."""
    participant.sign_in(make.user(locale="en"))
    now = utcnow()
    for quantity in (0.1, 2, 1.5):
        services.log_action(participant.user, participant.campaign, "delete-mail", quantity, now)
    entry = services.log_action(participant.user, participant.campaign, "delete-mail", 3, now)
    db.session.commit()
    response = participant.correct(entry.id, "30")
    assert response.status_code == 409
    text = html.unescape(response.get_data(as_text=True))
    assert (
        "That would go over the daily limit of 20\u00a0GB for this action: "
        "this entry can hold at most 16.4\u00a0GB today." in text
    )
    assert "you can still log" not in text
    assert db.session.get(CleanupAction, entry.id).quantity == 3


def test_a_correction_over_the_daily_cap_is_worded_in_french(participant, make):
    participant.sign_in(make.user(locale="fr"))
    now = utcnow()
    services.log_action(participant.user, participant.campaign, "delete-mail", 6, now)
    entry = services.log_action(participant.user, participant.campaign, "delete-mail", 3, now)
    db.session.commit()
    text = html.unescape(participant.correct(entry.id, "30").get_data(as_text=True))
    assert "cette saisie peut compter au plus 14\u00a0Go aujourd'hui." in text


def test_a_quantity_that_scores_no_point_is_refused_at_its_field(participant, make):
    """0.001 GB was "Logged: 0 points.", and counted towards the cap and the goals."""
    participant.sign_in(make.user(locale="en"))
    response = participant.log("delete-mail", "0.001")
    assert response.status_code == 422
    # At 10 points per GB, points round down: 0.099 GB scores 0, 0.1 GB 1.
    assert _quantity_error(response) == (
        "This entry scores no points: the smallest that scores is 0.1\u00a0GB."
    )
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0
    assert db.session.scalar(select(func.count(CleanupParticipant.id))) == 0


def test_the_smallest_quantity_that_scores_is_accepted(participant, make):
    participant.sign_in(make.user(locale="en"))
    assert participant.log("delete-mail", "0.099").status_code == 422
    assert "Logged: 1 point." in html.unescape(participant.log("delete-mail", "0.1").text)


def test_a_quantity_that_scores_no_point_is_refused_in_french_with_its_unit(participant, make):
    participant.sign_in(make.user(locale="fr"))
    response = participant.log("delete-mail", "0,001")
    assert _quantity_error(response) == (
        "Cette saisie ne rapporte aucun point\u00a0: la plus petite qui en rapporte est "
        "0,1\u00a0Go."
    )


def test_a_correction_to_a_quantity_that_scores_nothing_is_refused(participant, make):
    participant.sign_in(make.user(locale="en"))
    entry = services.log_action(participant.user, participant.campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    response = participant.correct(entry.id, "0.01")
    assert response.status_code == 422
    assert "the smallest that scores is 0.1\u00a0GB" in html.unescape(response.text)
    assert db.session.get(CleanupAction, entry.id).quantity == 1


def test_a_quantity_that_scores_no_point_is_refused_through_the_api(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    login(client, make.user(locale="en"))
    response = client.post(
        f"/api/v1/campaigns/{campaign.id}/actions",
        json={"action_type": "delete-mail", "quantity": 0.001},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_quantity"
    assert error["message"] == (
        "This entry scores no points: the smallest that scores is 0.1\u00a0GB."
    )
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0


def test_items_worth_less_than_a_point_each_name_the_smallest_whole_number(
    participant, make, make_campaign
):
    """At 0.3 points an item, 1 item scores 0 and 3 score 0.9, rounded down to 0: 4 is the
    smallest (1.2 -> 1)."""
    now = utcnow()
    types = {t.key: t for t in services.ensure_default_action_types()}
    rules = [{"action_type_id": types["unsubscribe"].id, "points_per_unit": 0.3, "daily_cap": 30}]
    participant.campaign = make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), rules=rules
    )
    participant.sign_in(make.user(locale="en"))
    response = participant.log("unsubscribe", "1")
    assert _quantity_error(response) == (
        "This entry scores no points: the smallest that scores is 4\u00a0items."
    )


def test_the_demo_data_respects_every_daily_cap(app):
    """The demo employee's flagged "40 items" of unsubscribing, against "at most 30
    items a day", refused every unsubscribe of theirs that day."""
    demo_seeded_once(app, DEMO_EMPLOYEES)
    A, R = CleanupAction, CleanupCampaignActionType
    per_day = (
        select(A.campaign_id, A.participant_id, A.action_type_id, A.day, func.sum(A.quantity))
        .where(A.status != REJECTED)  # as the portal counts towards the cap
        .group_by(A.campaign_id, A.participant_id, A.action_type_id, A.day)
        .subquery()
    )
    over = db.session.execute(
        select(per_day, R.daily_cap)
        .join(
            R,
            (R.campaign_id == per_day.c.campaign_id)
            & (R.action_type_id == per_day.c.action_type_id),
        )
        .where(per_day.c[4] > R.daily_cap + 1e-9)
    ).all()
    assert db.session.scalar(select(func.count(A.id)).where(A.status == "flagged")) > 0
    assert over == []
