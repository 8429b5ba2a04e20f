"""Campaign messages say the calendar from the moment they are sent: a launch that goes
out after the start says the campaign started, and the days left agree with « demain »."""

from datetime import UTC, datetime, timedelta

import pytest

from app.cleanup import services as cleanup
from app.config import Config
from app.extensions import db
from app.messaging import jobs, services
from tests.messaging.conftest import deliver_to_everyone, inbox_of

# Saturday 5 December 2026, 10:00 in Paris: a campaign published then starts at once.
SATURDAY = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
FRIDAY = SATURDAY - timedelta(days=1)
# Monday 7 December 2026, 8:05 in Paris: the working hours are open.
MONDAY_MORNING = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)


@pytest.fixture
def working_hours(config):
    """The working hours a portal gets when MAIL_WORKING_HOURS is not set."""
    config(MAIL_WORKING_HOURS=Config.MAIL_WORKING_HOURS, TIMEZONE="Europe/Paris")


def _launch_body(smtp, address: str) -> str:
    bodies = [
        m.get_body(("plain",)).get_content()
        for to, m in smtp.messages
        if to == address and ("C'est parti" in m["Subject"] or "It starts now" in m["Subject"])
    ]
    assert len(bodies) == 1, [str(m["Subject"]) for _to, m in smtp.messages]
    return bodies[0]


def test_a_launch_emailed_after_the_start_says_the_campaign_started(
    make, make_campaign, smtp, working_hours
):
    camille = make.user(email="camille@example.org", email_opt_in=True, locale="fr")
    alex = make.user(email="alex@example.org", email_opt_in=True, locale="en")
    campaign = make_campaign(publish=False, starts_at=FRIDAY, ends_at=SATURDAY + timedelta(days=15))
    cleanup.publish_campaign(campaign, make.user(roles=("organiser",)), SATURDAY)
    db.session.commit()

    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    jobs.deliver_due(clock=lambda: MONDAY_MORNING)

    french = _launch_body(smtp, camille.email)
    assert "«\u00a0Nettoyage\u00a0» a commencé le 5 décembre 2026 à 10\u00a0h" in french
    assert "commence le" not in french
    english = _launch_body(smtp, alex.email)
    assert "Clean-up started on 5 December 2026 at 10:00" in english
    assert "starts on" not in english


def test_a_launch_sent_before_the_start_says_it_starts(make, make_campaign, template):
    camille = make.user(email_opt_in=False, locale="fr")
    campaign = make_campaign(starts_at=SATURDAY, ends_at=SATURDAY + timedelta(days=15))
    news = template(key="soon", body_fr="La campagne {{ starts_when }}.\n{{ unsubscribe_url }}")
    thursday = SATURDAY - timedelta(days=2)

    dispatch = services.create_dispatch(
        news, "everyone", {}, thursday, thursday, context={"campaign_id": campaign.id}
    )
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: thursday)

    assert "La campagne commence le 5 décembre 2026 à 10\u00a0h" in inbox_of(camille)[-1].body


def test_days_left_and_the_end_agree_in_a_message_sent_in_the_evening(
    make, make_campaign, template
):
    """Sent at 20:00 the day before the last day, the campaign ending at 23:00: « 1 jour »
    beside « demain », where rounded-up periods of 24 hours said « 2 jours »."""
    camille = make.user(email_opt_in=False, locale="fr")
    ends = datetime(2026, 12, 10, 22, 0, tzinfo=UTC)  # 23:00 in Paris
    make_campaign(starts_at=ends - timedelta(days=20), ends_at=ends)
    news = template(
        key="countdown",
        body_fr="Il reste {{ days_left_text }} : fin {{ ends_when }}.\n{{ unsubscribe_url }}",
    )

    deliver_to_everyone(news, now=datetime(2026, 12, 9, 19, 0, tzinfo=UTC))  # 20:00

    assert "Il reste 1 jour : fin demain à 23\u00a0h." in inbox_of(camille)[-1].body
