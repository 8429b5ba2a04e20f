"""Review of 19 December: an e-mail held for the working hours went on Monday with the
relative times its inbox copy was rendered with on Saturday (« dans 4 jours … Il reste
4 jours », two days by then; « se termine demain » for a campaign over on Sunday). It is
rendered when it goes; one whose message no longer holds then is not sent, and says why."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery
from tests.conftest import login

# Saturday 19 December 2026, 10:00 in Paris: e-mails wait for Monday 08:00.
SATURDAY = datetime(2026, 12, 19, 9, 0, tzinfo=UTC)
# Monday 21 December 2026, 08:01 in Paris.
MONDAY = datetime(2026, 12, 21, 7, 1, tzinfo=UTC)
# Wednesday 23 December 2026, 09:00 in Paris.
WEDNESDAY = datetime(2026, 12, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def working_hours(config):
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00", TIMEZONE="Europe/Paris")


@pytest.fixture
def countdown(make):
    texts = {
        "key": "countdown",
        "name": "Compte à rebours / Countdown",
        "subject_fr": "Bientôt la fin",
        "body_fr": "La campagne se termine {{ ends_when }}. Il reste {{ days_left_text }}.",
        "subject_en": "The end is near",
        "body_en": "The campaign ends {{ ends_when }}. {{ days_left_text }} left.",
    }
    template = services.save_template(None, texts, make.user(roles=("organiser",)), SATURDAY)
    db.session.commit()
    return template


def _sent_on_saturday(make, make_campaign, template, ends_at):
    make_campaign(starts_at=SATURDAY - timedelta(days=5), ends_at=ends_at)
    person = make.user(email="lea@example.org", email_opt_in=True, locale="fr", roles=("agent",))
    dispatch = services.create_dispatch(template, "role", {"role": "agent"}, SATURDAY, SATURDAY)
    db.session.commit()
    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    return person, dispatch


def _row(person, dispatch, channel="email") -> Delivery:
    """The person's copy of this dispatch (publishing a campaign sends its own messages)."""
    return db.session.scalar(
        select(Delivery).where(
            Delivery.user_id == person.id,
            Delivery.dispatch_id == dispatch.id,
            Delivery.channel == channel,
        )
    )


def _emails(smtp, subject: str) -> list:
    return [message for _to, message in smtp.messages if str(message["Subject"]) == subject]


def test_a_held_email_says_the_days_left_when_it_goes(
    make, make_campaign, countdown, smtp, working_hours
):
    person, dispatch = _sent_on_saturday(make, make_campaign, countdown, WEDNESDAY)
    inbox = _row(person, dispatch, "inbox")
    assert "dans 4 jours" in inbox.body and "Il reste 4 jours." in inbox.body
    assert smtp.messages == []

    jobs.deliver_due(clock=lambda: MONDAY)
    [email] = _emails(smtp, "Bientôt la fin")
    text = email.get_body(("plain",)).get_content().replace("\u00a0", " ")
    assert "La campagne se termine dans 2 jours" in text
    assert "Il reste 2 jours." in text and "4 jours" not in text
    assert "Il reste 4 jours." in _row(person, dispatch, "inbox").body  # as it went


def test_a_held_email_about_a_campaign_over_by_then_is_not_sent(
    make, make_campaign, countdown, smtp, working_hours
):
    sunday_evening = datetime(2026, 12, 20, 19, 0, tzinfo=UTC)  # 20:00 in Paris
    person, dispatch = _sent_on_saturday(make, make_campaign, countdown, sunday_evening)
    assert "se termine demain" in _row(person, dispatch, "inbox").body

    jobs.deliver_due(clock=lambda: MONDAY)
    assert _emails(smtp, "Bientôt la fin") == []
    row = _row(person, dispatch)
    assert (row.status, row.error, row.body) == ("skipped", "campaign_ended", None)


def test_the_dispatch_page_says_why_the_email_was_not_sent(
    client, make, make_campaign, countdown, smtp, working_hours
):
    sunday_evening = datetime(2026, 12, 20, 19, 0, tzinfo=UTC)
    _person, dispatch = _sent_on_saturday(make, make_campaign, countdown, sunday_evening)
    jobs.deliver_due(clock=lambda: MONDAY)
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = html.unescape(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    page = " ".join(re.sub(r"<[^>]+>", " ", page).replace("\u00a0", " ").split())
    assert (
        "la campagne dont il annonçait la fin était terminée avant que l'e-mail puisse partir"
        in page
    )


def test_a_held_email_whose_campaign_was_deleted_is_not_sent(
    make, make_campaign, template, smtp, working_hours
):
    """A message about a named campaign (its participants): the campaign deleted on
    Sunday, Monday's e-mail would name none; as a dispatch due then is skipped."""
    campaign = make_campaign(starts_at=SATURDAY - timedelta(days=5), ends_at=WEDNESDAY)
    person = make.user(email="lea@example.org", email_opt_in=True, locale="fr")
    tpl = template(subject_fr="Au sujet de {{ campaign_name }}")
    dispatch = services.create_dispatch(
        tpl, "everyone", {"campaign_id": str(campaign.id)}, SATURDAY, SATURDAY
    )
    db.session.commit()
    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    assert _row(person, dispatch, "inbox").status == "delivered"
    campaign.published_at = None  # back to a draft
    db.session.commit()

    jobs.deliver_due(clock=lambda: MONDAY)
    assert [m for _to, m in smtp.messages if "Au sujet de" in str(m["Subject"])] == []
    row = _row(person, dispatch)
    assert (row.status, row.error) == ("skipped", "not_sendable")
    assert dispatch.status == "done"
