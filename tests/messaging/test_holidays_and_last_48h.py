"""Public holidays are not working days for e-mail, and the last-48h campaign message
says « Dernières 48 heures » only inside the campaign's last 48 hours."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from app.config import Config
from app.core.signals import campaign_published
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Dispatch

# Friday 25 December 2026 (Christmas Day), 10:00 in Paris.
CHRISTMAS = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)
# Monday 28 December 2026, 8:00 in Paris: the next working moment.
MONDAY_MORNING = datetime(2026, 12, 28, 7, 0, tzinfo=UTC)


def _default_hours(config):
    """The working hours a portal gets when MAIL_WORKING_HOURS is not set."""
    config(MAIL_WORKING_HOURS=Config.MAIL_WORKING_HOURS, TIMEZONE="Europe/Paris")


def _moments(campaign_id) -> dict[str, datetime]:
    rows = db.session.scalars(
        select(Dispatch).where(Dispatch.dedupe_key.like(f"campaign:{campaign_id}:%"))
    )
    return {d.template.key: d.due_at for d in rows if d.status == "scheduled"}


def test_an_email_due_on_christmas_day_waits_for_the_next_working_morning(
    make, template, smtp, config
):
    """Christmas is a Friday: the e-mail goes on Monday at 8:00, the inbox at once."""
    _default_hours(config)
    make.user(email="yes@example.org", email_opt_in=True)
    dispatch = services.create_dispatch(template(), "everyone", {}, CHRISTMAS, CHRISTMAS)
    db.session.commit()
    counts = jobs.run_dispatch(dispatch.id, clock=lambda: CHRISTMAS)
    assert counts["pending"] == 1 and smtp.recipients() == []
    assert services.email_paused_until(CHRISTMAS) == MONDAY_MORNING
    jobs.run_dispatch(dispatch.id, clock=lambda: MONDAY_MORNING + timedelta(minutes=5))
    assert smtp.recipients() == ["yes@example.org"]


def test_a_campaign_message_due_on_a_public_holiday_moves_as_on_a_weekend(app, config):
    """Ending on Thursday 16 July 2026 at 10:00: its last 48 hours open on Bastille Day;
    the message goes on Wednesday 15 July at 8:00, when the working hours open."""
    _default_hours(config)
    ends = datetime(2026, 7, 16, 8, 0, tzinfo=UTC)
    campaign = SimpleNamespace(id=41, starts_at=ends - timedelta(days=20), ends_at=ends)
    campaign_published.send(app, campaign=campaign, now=ends - timedelta(days=21))
    assert _moments(41)["campaign-last-48h"] == datetime(2026, 7, 15, 6, 0, tzinfo=UTC)


def test_the_last_48_hours_are_not_announced_three_days_before_the_end(
    make, make_campaign, smtp, config
):
    """Ending on Monday 28 December 2026 at 9:00: its 48-hour point is a Saturday, the
    Friday before is Christmas Day; the message goes on Monday at 8:00 and says the
    campaign ends today, never « Dernières 48 heures » above « dans 3 jours »."""
    _default_hours(config)
    make.user(email="camille@example.org", email_opt_in=True, locale="fr")
    ends = datetime(2026, 12, 28, 8, 0, tzinfo=UTC)
    campaign = make_campaign(starts_at=ends - timedelta(days=14), ends_at=ends)
    dispatch = db.session.scalar(
        select(Dispatch).where(Dispatch.dedupe_key == f"campaign:{campaign.id}:last-48h")
    )
    assert dispatch.due_at == MONDAY_MORNING

    jobs.run_dispatch(dispatch.id, clock=lambda: dispatch.due_at)
    ((subject, body),) = [
        (str(m["Subject"]), m.get_body(("plain",)).get_content()) for _to, m in smtp.messages
    ]
    assert subject.startswith("Dernières 48 heures")
    assert "se termine aujourd'hui à 9\u00a0h." in body and "dans 3 jours" not in body


def test_last_48_hours_without_a_working_hour_have_no_message(app, config):
    """Ending on Monday 28 December 2026 at 7:00, before the working hours open: its last
    48 hours have no working moment, so no « Dernières 48 heures » at all; a correction
    that leaves them so drops the one scheduled, as it drops a reminder with no room."""
    _default_hours(config)
    starts = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    campaign = SimpleNamespace(id=42, starts_at=starts, ends_at=starts + timedelta(days=14))
    published = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    campaign_published.send(app, campaign=campaign, now=published)
    assert "campaign-last-48h" in _moments(42)

    campaign.ends_at = datetime(2026, 12, 28, 6, 0, tzinfo=UTC)
    campaign_published.send(app, campaign=campaign, now=published)
    moments = _moments(42)
    assert "campaign-last-48h" not in moments and "campaign-reminder" in moments
