"""The launch e-mail says the campaign "started … and runs until …", not "started … and
ends on …" (a tense that read as a slip); the French keeps « et se termine le »."""

from datetime import timedelta

import pytest

from app.cleanup import services as cleanup
from app.config import Config
from app.extensions import db
from app.messaging import jobs
from tests.messaging.test_launch_and_days_from_the_sending import (
    FRIDAY,
    MONDAY_MORNING,
    SATURDAY,
    _launch_body,
)


@pytest.fixture
def working_hours(config):
    """The working hours a portal gets when MAIL_WORKING_HOURS is not set."""
    config(MAIL_WORKING_HOURS=Config.MAIL_WORKING_HOURS, TIMEZONE="Europe/Paris")


def test_a_launch_says_until_when_the_campaign_runs(make, make_campaign, smtp, working_hours):
    camille = make.user(email="camille@example.org", email_opt_in=True, locale="fr")
    alex = make.user(email="alex@example.org", email_opt_in=True, locale="en")
    campaign = make_campaign(publish=False, starts_at=FRIDAY, ends_at=SATURDAY + timedelta(days=15))
    cleanup.publish_campaign(campaign, make.user(roles=("organiser",)), SATURDAY)
    db.session.commit()

    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    jobs.deliver_due(clock=lambda: MONDAY_MORNING)

    english = _launch_body(smtp, alex.email)
    ran = "started on 5 December 2026 at 10:00 and runs until 20 December 2026 at 10:00."
    assert ran in english and "ends on" not in english
    french = _launch_body(smtp, camille.email)
    kept = (
        "a commencé le 5 décembre 2026 à 10\u00a0h et se termine le 20 décembre 2026 à 10\u00a0h."
    )
    assert kept in french
