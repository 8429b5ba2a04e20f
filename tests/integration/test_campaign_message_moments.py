"""Clean-up → messaging: the moments a campaign's messages are scheduled at follow its
corrected dates and the e-mail working hours."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.cleanup import services as cleanup
from app.extensions import db
from app.messaging.models import Dispatch
from tests.integration.conftest import NOW
from tests.integration.test_campaign_messages import _campaign_data


def _moments(campaign) -> dict[str, datetime]:
    dispatches = db.session.scalars(
        select(Dispatch).where(Dispatch.dedupe_key.like(f"campaign:{campaign.id}:%"))
    )
    return {d.template.key: d.due_at for d in dispatches if d.status == "scheduled"}


def test_a_reminder_left_without_room_by_a_correction_is_no_longer_scheduled(make):
    """Published for three weeks, then corrected to one: « One week left » would have gone
    out before the campaign even started."""
    organiser = make.user(roles=("organiser",))
    department = make.department()
    starts = NOW + timedelta(days=10)
    data = _campaign_data([department], starts_at=starts, ends_at=starts + timedelta(days=18))
    campaign = cleanup.create_campaign(organiser, data, NOW)
    cleanup.publish_campaign(campaign, organiser, NOW)
    assert "campaign-reminder" in _moments(campaign)

    shorter = dict(data, ends_at=starts + timedelta(days=4))
    cleanup.update_campaign(campaign, organiser, shorter, NOW)
    moments = _moments(campaign)
    assert "campaign-reminder" not in moments
    assert all(due >= campaign.starts_at for due in moments.values())

    cleanup.update_campaign(campaign, organiser, data, NOW)  # room again: it comes back
    assert _moments(campaign)["campaign-reminder"] == campaign.ends_at - timedelta(days=7)


def test_campaign_messages_are_not_scheduled_on_a_weekend(make, config):
    """A campaign ending on Tuesday at 10:00 (Paris): its last 48 hours fell on Sunday;
    they go on Monday morning, when the working hours open."""
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00", TIMEZONE="Europe/Paris")
    organiser = make.user(roles=("organiser",))
    department = make.department()
    starts = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # Monday 23 March, 9:00 in Paris
    ends = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # Tuesday 31 March, 10:00 in Paris
    data = _campaign_data([department], starts_at=starts, ends_at=ends)
    campaign = cleanup.create_campaign(organiser, data, NOW)
    cleanup.publish_campaign(campaign, organiser, NOW)
    # Monday 30 March, 8:00 in Paris (summer time since the 29th).
    assert _moments(campaign)["campaign-last-48h"] == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


def test_a_last_48h_goes_at_the_first_working_moment_of_the_last_48_hours(make, config):
    """Ending on Monday at 9:00: it goes on Monday at 8:00, « se termine aujourd'hui à 9 h »;
    sent on Friday, its subject (« Dernières 48 heures ») and its « dans 3 jours » disagreed."""
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00", TIMEZONE="Europe/Paris")
    organiser = make.user(roles=("organiser",))
    department = make.department()
    starts = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    ends = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)  # Monday 6 April, 9:00 in Paris
    data = _campaign_data([department], starts_at=starts, ends_at=ends)
    campaign = cleanup.create_campaign(organiser, data, NOW)
    cleanup.publish_campaign(campaign, organiser, NOW)
    # Monday 6 April, 8:00 in Paris: the first working moment after Saturday 9:00.
    assert _moments(campaign)["campaign-last-48h"] == datetime(2026, 4, 6, 6, 0, tzinfo=UTC)
