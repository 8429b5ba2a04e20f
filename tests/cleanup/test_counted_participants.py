"""Who takes part in a campaign, for its messages: the campaign's own definition, a person
with at least one counted entry (as the results page, per head and the participants goal
count them). The "participants" audience and the results message reached anyone with an
entry, one flagged and never reviewed, rejected, or a device not received yet among them,
thanking them for 0 points; the "non-participants" reminders missed them."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Dispatch
from app.messaging.services import audience_select
from tests.messaging.conftest import inbox_of


@pytest.fixture
def people(make, make_campaign):
    """A campaign running since yesterday, and one person for each kind of entry."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    organiser = make.user(roles=("organiser",))
    who = {kind: make.user(locale="fr") for kind in ("counted", "flagged", "rejected", "pending",
                                                      "idle")}  # fmt: skip
    services.log_action(who["counted"], campaign, "delete-mail", 1, now)
    services.log_action(who["flagged"], campaign, "delete-mail", 12, now)  # above usual
    rejected = services.log_action(who["rejected"], campaign, "delete-mail", 12, now)
    services.review_action(rejected, organiser, False, "Duplicate", now)
    services.log_action(who["pending"], campaign, "return-device", 1, now,
                        source_key="device-return:1", pending=True)  # fmt: skip
    db.session.execute(update(Dispatch).values(status="cancelled"))  # the launch, the notice
    db.session.commit()
    return campaign, who


def _audience(key: str, campaign) -> set[int]:
    params = {"campaign_id": str(campaign.id)}
    return set(db.session.scalars(audience_select(key, params, utcnow())))


def test_the_participants_audience_holds_only_people_with_a_counted_entry(people):
    campaign, who = people
    assert _audience("campaign-participants", campaign) == {who["counted"].id}


def test_the_non_participants_audience_reaches_everyone_else_in_scope(people):
    campaign, who = people
    others = {who[kind].id for kind in ("flagged", "rejected", "pending", "idle")}
    audience = _audience("campaign-non-participants", campaign)
    assert others <= audience and who["counted"].id not in audience


def test_the_results_thank_only_those_whose_entries_counted(people):
    campaign, who = people
    campaign.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert services.freeze_campaign(campaign, utcnow())  # schedules the results message
    db.session.commit()
    jobs.deliver_due()

    [results] = inbox_of(who["counted"])
    assert "est terminée. Merci" in results.body and "Vous avez 10 points (rang 1)." in results.body
    for kind in ("flagged", "rejected", "pending", "idle"):
        assert inbox_of(who[kind]) == [], kind


def test_a_deactivated_participant_is_not_counted_among_the_recipients(people, make):
    """Participants and non-participants add up to the scope: a deactivated account is
    in neither (the non-participants already left such accounts out)."""
    campaign, who = people
    gone = make.user()
    services.log_action(gone, campaign, "delete-mail", 1, utcnow())
    gone.active = False
    db.session.commit()
    assert _audience("campaign-participants", campaign) == {who["counted"].id}
    assert gone.id not in _audience("campaign-non-participants", campaign)
