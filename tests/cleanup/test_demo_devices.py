"""The demo tells one story: the devices its clean-up campaigns count are the recycling
demo's returns, logged as the portal's listeners would have logged them."""

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.cleanup import queries
from app.cleanup.models import (
    ACCEPTED,
    PENDING,
    CleanupAction,
    CleanupActionType,
    CleanupCampaign,
    CleanupParticipant,
)
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.recycling.models import CustodyStep, DeviceReturn
from tests.snapshots import demo_seeded_once

DEMO_EMPLOYEES = 60


@pytest.fixture
def seeded(app):
    demo_seeded_once(app, DEMO_EMPLOYEES)
    return db.session.scalars(select(CleanupCampaign).order_by(CleanupCampaign.starts_at)).all()


def _device_entries(campaign) -> dict:
    """The campaign's device entries: {source_key: [owner, logged at, day, status]} (an
    entry with no return under None)."""
    rows = db.session.execute(
        select(
            CleanupAction.source_key,
            CleanupParticipant.user_id,
            CleanupAction.logged_at,
            CleanupAction.day,
            CleanupAction.status,
        )
        .join(CleanupParticipant, CleanupParticipant.id == CleanupAction.participant_id)
        .join(CleanupActionType, CleanupActionType.id == CleanupAction.action_type_id)
        .where(CleanupAction.campaign_id == campaign.id, CleanupActionType.key == "return-device")
    ).all()
    return {key: rest for key, *rest in rows}


def _returns_in(campaign) -> dict:
    """What the integration makes of the returns declared while the campaign ran: an
    entry of their owner, dated from the declaration, counted if an agent received the
    device before the end, waiting otherwise."""
    received = (
        select(CustodyStep.return_id, func.min(CustodyStep.at).label("at"))
        .where(CustodyStep.step == "received")
        .group_by(CustodyStep.return_id)
        .subquery()
    )
    rows = db.session.execute(
        select(DeviceReturn.id, DeviceReturn.user_id, DeviceReturn.declared_at, received.c.at)
        .outerjoin(received, received.c.return_id == DeviceReturn.id)
        .where(
            DeviceReturn.declared_at >= campaign.starts_at,
            DeviceReturn.declared_at < campaign.ends_at,
        )
    ).all()
    return {
        f"device-return:{rid}": [
            owner,
            declared_at,
            declared_at.astimezone(local_zone()).date(),
            ACCEPTED if at is not None and at < campaign.ends_at else PENDING,
        ]
        for rid, owner, declared_at, at in rows
    }


def test_the_campaigns_devices_are_the_returns_received_during_them(seeded):
    """60 devices counted in the running campaign while recycling had none that month,
    21 in last year's though 113 were received during it: the entries had no return."""
    previous, running = seeded
    for campaign in (previous, running):
        expected = _returns_in(campaign)
        assert _device_entries(campaign) == expected
        counted = sum(1 for *_r, status in expected.values() if status == ACCEPTED)
        goals = {g["unit"]: g["achieved"] for g in queries.goal_progress(campaign)}
        assert goals["devices"] == counted
    assert previous.frozen_at is not None
    frozen = {g["unit"]: g["achieved"] for g in queries.frozen_results(previous)["goals"]}
    assert frozen["devices"] == sum(
        1 for *_r, status in _returns_in(previous).values() if status == ACCEPTED
    )
    # The recent weeks have returns under way, some received during the running campaign.
    waiting = _returns_in(running).values()
    assert {status for *_r, status in waiting} == {ACCEPTED, PENDING}


def test_the_demo_scoreboards_equal_a_recomputation(seeded):
    """Entries inserted in bulk, device returns among them: the board a recomputation
    gives is the one the pages read, points, teams, types and goals alike."""
    previous, running = seeded
    now = utcnow()
    for campaign in (previous, running):
        queries.get_board(campaign)
        first = (
            queries.individual_leaderboard(campaign),
            queries.team_totals(campaign, "departments"),
            queries.goal_progress(campaign),
        )
        current_app.extensions["cleanup.boards"].clear()
        again = (
            queries.individual_leaderboard(campaign),
            queries.team_totals(campaign, "departments"),
            queries.goal_progress(campaign),
        )
        assert again == first
    # The closed edition's frozen results are what its entries give today.
    recomputed = queries.compute_results(previous, now)
    assert recomputed["goals"] == queries.frozen_results(previous)["goals"]


def test_the_running_campaign_aims_at_whole_devices(seeded):
    """A goal of « 5,1 appareils » read as a mistake: what is counted one by one has a
    whole target."""
    for campaign in seeded:
        for goal in campaign.goals:
            if goal.unit != "GB":
                assert goal.target == int(goal.target) >= 1, goal.unit
