"""The reminder's subject says the time actually left, as its body does: sent by hand 17
days before the end, « One week left » was read beside « it ends in 17 days »."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.builtins import BUILTIN_TEMPLATES, ensure_builtin_templates
from app.messaging.models import Delivery
from tests.conftest import login

# The reminder's subjects as shipped before this fix (a copy nobody edited holds them).
OLD_SUBJECTS = {
    "subject_fr": "Plus qu'une semaine\u00a0: {% if campaign_name is defined %}"
    "{{ campaign_name }}{% else %}la campagne{% endif %}",
    "subject_en": "One week left: {% if campaign_name is defined %}"
    "{{ campaign_name }}{% else %}the campaign{% endif %}",
}


def _send_reminder_by_hand(runner, campaign):
    return runner.invoke(
        args=[
            "messaging", "dispatch", "--template", "campaign-reminder",
            "--audience", "everyone", "--context", f'{{"campaign_id": {campaign.id}}}', "--send",
        ]
    )  # fmt: skip


def _subjects(smtp) -> dict[str, str]:
    return {to: str(message["Subject"]) for to, message in smtp.messages}


def _people(make):
    camille = make.user(email="camille@example.org", email_opt_in=True, locale="fr")
    alex = make.user(email="alex@example.org", email_opt_in=True, locale="en")
    return camille, alex


def test_a_reminder_sent_17_days_before_the_end_says_17_days_left(
    runner, make, make_campaign, smtp
):
    camille, alex = _people(make)
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=17))

    result = _send_reminder_by_hand(runner, campaign)

    assert result.exit_code == 0, result.output
    subjects = _subjects(smtp)
    assert subjects[alex.email] == "17 days left: Clean-up"
    assert subjects[camille.email] == "Encore 17 jours\u00a0: Nettoyage"
    english = next(m for to, m in smtp.messages if to == alex.email)
    assert "it ends in 17 days, on" in english.get_body(("plain",)).get_content()


def test_the_inbox_shows_the_days_left_in_the_reminders_subject(
    runner, client, make, make_campaign, smtp
):
    camille, _alex = _people(make)
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=17))
    assert _send_reminder_by_hand(runner, campaign).exit_code == 0

    login(client, camille)
    page = client.get("/messaging/").get_data(as_text=True)
    assert "Encore 17 jours\u00a0: Nettoyage" in page
    assert "Plus qu&#39;une semaine" not in page and "Plus qu'une semaine" not in page


@pytest.mark.parametrize(
    ("days_left", "english", "french"),
    [
        (1, "1 day left: Clean-up", "Encore 1 jour\u00a0: Nettoyage"),
        # A week before the end, the built-in wording the body matches then.
        (7, "One week left: Clean-up", "Plus qu'une semaine\u00a0: Nettoyage"),
    ],
)
def test_a_reminder_near_the_end_says_the_time_left_in_each_language(
    runner, make, make_campaign, smtp, days_left, english, french
):
    camille, alex = _people(make)
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=10), ends_at=now + timedelta(days=days_left)
    )

    assert _send_reminder_by_hand(runner, campaign).exit_code == 0

    subjects = _subjects(smtp)
    assert subjects[alex.email] == english
    assert subjects[camille.email] == french


def test_an_unedited_copy_of_the_reminder_takes_the_new_subject(runner, make, make_campaign, smtp):
    """A portal whose reminder was installed with the old subject: nobody edited it, so it
    is brought today's text by itself, as the launch message was."""
    ensure_builtin_templates()
    reminder = services.template_by_key("campaign-reminder")
    for field, text in OLD_SUBJECTS.items():
        setattr(reminder, field, text)
    # Its body as that release had it too (before "More how-to guides", "Campaign page",
    # "Your department").
    reminder.body_en = (
        reminder.body_en.replace("More how-to guides: ", "Guides to do more: ")
        .replace("Campaign page: ", "The campaign's page: ")
        .replace("Your department, ", "Your team, ")
    )
    reminder.body_fr = reminder.body_fr.replace("Votre direction, ", "Votre équipe, ")
    db.session.commit()
    _camille, alex = _people(make)
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=17))

    assert _send_reminder_by_hand(runner, campaign).exit_code == 0

    assert _subjects(smtp)[alex.email] == "17 days left: Clean-up"
    db.session.refresh(reminder)
    assert reminder.subject_en == BUILTIN_TEMPLATES["campaign-reminder"]["subject_en"]


def test_an_edited_copy_of_the_reminder_keeps_its_subject(runner, make, make_campaign, smtp):
    ensure_builtin_templates()
    reminder = services.template_by_key("campaign-reminder")
    reminder.subject_en = "Our own words: {{ campaign_name }}"
    db.session.commit()
    _camille, alex = _people(make)
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=17))

    assert _send_reminder_by_hand(runner, campaign).exit_code == 0

    subject = db.session.scalar(
        select(Delivery.subject).where(Delivery.user_id == alex.id, Delivery.channel == "inbox")
    )
    assert subject == "Our own words: Clean-up"
