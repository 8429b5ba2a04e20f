"""The demo's past campaign is frozen when the scheduled job would have frozen it, just
after its end: its results page said « Figés le 6 déc. 2026 » (the moment of the seed) for
a campaign that closed on 24 December 2025."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.cleanup.models import CleanupCampaign
from app.core.time import local_zone, utcnow
from app.extensions import db
from tests.conftest import login
from tests.snapshots import demo_seed_command_once


def _past_campaign(runner) -> CleanupCampaign:
    demo_seed_command_once(runner, 20)
    return db.session.scalars(
        select(CleanupCampaign).where(CleanupCampaign.ends_at < utcnow() - timedelta(days=30))
    ).one()


def test_the_seeded_past_campaign_was_frozen_at_its_end(runner):
    past = _past_campaign(runner)
    assert past.ends_at <= past.frozen_at <= past.ends_at + timedelta(hours=1)
    assert past.frozen_at < utcnow() - timedelta(days=300)


def test_its_results_page_gives_the_day_it_closed(runner, client):
    past = _past_campaign(runner)
    employee = db.session.scalar(select(User).where(User.email == "employee@demo.empreinte.fr"))
    employee.locale = "en"
    db.session.commit()
    login(client, employee)
    page = client.get(f"/cleanup/campaigns/{past.id}/results").get_data(as_text=True)
    end = past.ends_at.astimezone(local_zone())
    assert f"Frozen on {end.day} {end:%b} {end.year}," in page
