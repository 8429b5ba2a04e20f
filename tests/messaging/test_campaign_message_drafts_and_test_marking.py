"""An organiser's messages: a launch message about a draft campaign reached the
whole staff with no campaign in it; two campaigns of one name looked the same in the
form; a rhythm that never sends was accepted; a test message looked like the real one,
and its unsubscribe link unsubscribed the organiser trying it."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.cleanup import services as cleanup_services
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery, Dispatch, Schedule
from tests.conftest import login


def _launch_template():
    template = services.template_by_key("campaign-launch")
    db.session.commit()
    return template


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _campaign_options(page: str) -> dict[str, str]:
    select_tag = page.split('id="campaign_id"', 1)[1].split("</select>", 1)[0]
    return {
        value: html.unescape(label)
        for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select_tag)
    }


def _schedule(auth, template, campaign_id, **fields):
    data = {
        "template": template.id,
        "audience": "campaign-scope",
        "campaign_id": str(campaign_id),
        "kind": "now",
        "confirm": "yes",
    }
    data.update(fields)
    return auth.post("/messaging/schedule", data=data)


# --- a draft campaign ----------------------------------------------------------------------


def test_the_schedule_form_offers_published_campaigns_only(client, make, make_campaign):
    published = make_campaign(name_fr="Printemps sobre")
    draft = make_campaign(name_fr="Automne en préparation", publish=False)
    login(client, make.user(roles=("organiser",)))
    options = _campaign_options(client.get("/messaging/schedule").get_data(as_text=True))
    assert str(published.id) in options and str(draft.id) not in options


@pytest.mark.parametrize("which", ["draft", "unknown"])
def test_a_campaign_message_about_a_draft_or_unknown_campaign_is_refused_at_its_field(
    auth, client, make, make_campaign, smtp, which
):
    make.user(display_name="Camille Martin")  # in the scope: the whole staff
    draft = make_campaign(publish=False)
    campaign_id = draft.id if which == "draft" else 987654
    login(client, make.user(roles=("organiser",)))

    response = _schedule(auth, _launch_template(), campaign_id)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = html.unescape(page.split('id="campaign_id-error">', 1)[1].split("</p>", 1)[0])
    assert error.startswith("Aucun message ne peut être envoyé sur cette campagne")
    assert "brouillon" in error
    assert db.session.scalar(select(func.count()).select_from(Dispatch)) == 0
    jobs.deliver_due()
    assert smtp.messages == []


def test_counting_the_recipients_of_a_draft_campaign_says_it_cannot_be_chosen(
    client, make, make_campaign
):
    make.user()
    draft = make_campaign(publish=False)
    login(client, make.user(roles=("organiser",)))
    answer = client.get(
        "/messaging/audience-size",
        query_string={"audience": "campaign-scope", "campaign_id": draft.id},
        headers={"HX-Request": "true"},
    )
    assert "Aucun message ne peut être envoyé sur cette campagne" in _text(
        answer.get_data(as_text=True)
    )


@pytest.mark.parametrize("then", ["a draft again", "deleted"])
def test_a_planned_campaign_message_whose_campaign_is_gone_is_not_sent_and_says_why(
    auth, client, make, make_campaign, smtp, then
):
    """The portal cannot unpublish a campaign; a draft planned before drafts were refused
    (or deleted since) comes due the same way."""
    make.user(display_name="Camille Martin", email_opt_in=True)
    campaign = make_campaign()
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    due = utcnow() + timedelta(days=2)
    at = due.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")  # the form's Paris time
    response = _schedule(auth, _launch_template(), campaign.id, kind="at", at=at)
    assert response.status_code == 302
    dispatch_id = db.session.scalar(select(Dispatch.id))

    campaign.published_at = None
    db.session.commit()
    if then == "deleted":
        cleanup_services.delete_draft(campaign, organiser, utcnow())
        db.session.commit()
    jobs.deliver_due(clock=lambda: due + timedelta(minutes=5))

    assert smtp.messages == []
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    page = _text(client.get(f"/messaging/dispatches/{dispatch_id}").get_data(as_text=True))
    assert "Statut : Non envoyé" in page
    assert "la campagne concernée est un brouillon ou n'existe plus" in page


# --- campaigns of one name -----------------------------------------------------------------


def test_two_campaigns_of_one_name_are_told_apart_by_their_local_days(client, make, make_campaign):
    # 23:30 UTC on 15 March is already the 16th in Paris.
    spring = make_campaign(
        name_fr="Nettoyage",
        name_en="Clean-up",
        starts_at=datetime(2026, 3, 15, 23, 30, tzinfo=UTC),
        ends_at=datetime(2026, 4, 5, 16, 0, tzinfo=UTC),
    )
    winter = make_campaign(
        name_fr="Nettoyage",
        name_en="Clean-up",
        starts_at=datetime(2026, 1, 12, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 2, 2, 17, 0, tzinfo=UTC),
    )
    organiser = make.user(roles=("organiser",), locale="fr")
    login(client, organiser)
    french = _campaign_options(client.get("/messaging/schedule").get_data(as_text=True))
    assert french[str(spring.id)] == "Nettoyage (16 mars 2026 – 5 avr. 2026)"
    assert french[str(winter.id)] == "Nettoyage (12 janv. 2026 – 2 févr. 2026)"

    organiser.locale = "en"
    db.session.commit()
    english = _campaign_options(client.get("/messaging/schedule").get_data(as_text=True))
    assert english[str(spring.id)] == "Clean-up (16 Mar 2026 – 5 Apr 2026)"


# --- a rhythm that never sends -------------------------------------------------------------


def test_a_rhythm_that_never_sends_is_refused_at_the_cron_field(auth, client, make, template):
    make.user()
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule",
        data={
            "template": tpl.id,
            "audience": "everyone",
            "kind": "cron",
            "repeat": "custom",
            "cron": "0 9 31 2 *",  # 31 February
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = html.unescape(page.split('id="cron-error">', 1)[1].split("</p>", 1)[0])
    assert error.startswith("Ce rythme n'envoie jamais")
    assert db.session.scalar(select(func.count()).select_from(Schedule)) == 0


# --- "Send me a test" -------------------------------------------------------------------------


def _send_test(auth, client, make, template, smtp):
    organiser = make.user(
        roles=("organiser",), locale="fr", email="nora@example.org", email_opt_in=True
    )
    tpl = template(name="Lettre de printemps")
    login(client, organiser)
    response = auth.post(f"/messaging/templates/{tpl.id}/test", data={"language": "fr"})
    assert response.status_code == 302
    [(_to, email)] = smtp.messages
    return organiser, email


def test_a_test_message_says_it_is_a_test_in_its_subject_and_body(
    auth, client, make, template, smtp
):
    _organiser, email = _send_test(auth, client, make, template, smtp)
    body = email.get_body(("plain",)).get_content()
    assert email["Subject"].startswith("[Test] Bonjour")
    assert body.startswith("Ceci est un test du modèle «\u00a0Lettre de printemps\u00a0»")
    inbox = db.session.scalar(select(Delivery).where(Delivery.channel == "inbox"))
    assert inbox.subject.startswith("[Test] ") and inbox.body.startswith("Ceci est un test")


def test_the_unsubscribe_link_of_a_test_message_unsubscribes_nobody(
    auth, client, make, template, smtp
):
    organiser, email = _send_test(auth, client, make, template, smtp)
    assert email["List-Unsubscribe"] is None  # no one-click from the mail client
    body = email.get_body(("plain",)).get_content()
    html_part = email.get_body(("html",)).get_content()
    # The body's own link and the plain-text footer's: the same test link.
    [link] = set(re.findall(r"https?://\S+/messaging/\S+", body))
    assert "/messaging/unsubscribe/" not in body + html_part  # no signed, working link

    with client.session_transaction() as session:  # opened from the mail, often signed out
        session.clear()
    path = re.sub(r"^https?://[^/]+", "", link)
    page = client.get(path)
    assert page.status_code == 200
    assert "il ne désabonne personne" in _text(page.get_data(as_text=True))
    client.post(path, data={"List-Unsubscribe": "One-Click"})  # as a mail client would
    db.session.refresh(organiser)
    assert organiser.email_opt_in is True


@pytest.mark.parametrize(
    ("language", "start"),
    [
        ("en", "This is a test of the template “Last 48 hours”"),
        ("fr", "Ceci est un test du modèle «\u00a0Dernières 48 heures\u00a0»"),
    ],
)
def test_a_test_of_a_builtin_names_it_in_the_language_of_the_test(
    auth, client, make, make_campaign, smtp, language, start
):
    """A built-in's « Dernières 48 heures / Last 48 hours » is named in one language."""
    make_campaign()
    tpl = services.template_by_key("campaign-last-48h")
    db.session.commit()
    organiser = make.user(roles=("organiser",), locale=language, email_opt_in=True)
    login(client, organiser)
    response = auth.post(f"/messaging/templates/{tpl.id}/test", data={"language": language})
    assert response.status_code == 302
    [(_to, email)] = smtp.messages
    assert email.get_body(("plain",)).get_content().startswith(start)
