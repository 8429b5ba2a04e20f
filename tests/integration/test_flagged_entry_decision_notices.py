"""Clean-up review → messaging: the author of a flagged entry is told the organiser's
decision, in their inbox and (if they consented) by e-mail through a real SMTP server, in
their language, with the reason of a rejection. Organisers' dispatch pages leave these
one-person notices out."""

import html

import pytest
from sqlalchemy import select

from app.cleanup import services as cleanup
from app.core.privacy_services import erase_user
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Delivery, Dispatch
from app.messaging.services import MessagingError, schedule_message, template_by_key
from tests.conftest import csrf_token, login


def _review(client, entry, decision, reason=""):
    return client.post(
        f"/cleanup/actions/{entry.id}/review",
        data={"csrf_token": csrf_token(client), "decision": decision, "reason": reason},
    )


def _inbox_page(client, person) -> str:
    login(client, person)
    return html.unescape(client.get("/messaging/").get_data(as_text=True))


def test_a_rejected_entry_is_explained_to_its_author_in_the_inbox_and_by_e_mail(
    client, make, flagged, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(locale="fr", email_opt_in=True)
    entry = flagged(author)
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    assert _review(client, entry, "reject", "Doublon de la saisie de lundi").status_code == 302

    assert jobs.deliver_due() == 1
    inbox = _inbox_page(client, author)
    assert "Votre saisie ne compte pas\u00a0: Grand ménage" in inbox
    assert "Elle ne compte pas dans les scores." in inbox
    assert "Motif\u00a0: Doublon de la saisie de lundi" in inbox
    assert "pièces jointes\u00a0: 15\u00a0Go) dans la campagne «\u00a0Grand ménage\u00a0»." in inbox

    [(to, mail)] = smtp.messages
    body = mail.get_body(("plain",)).get_content()
    assert to == author.email and str(mail["Subject"]).startswith("Votre saisie ne compte pas")
    assert "Motif\u00a0: Doublon de la saisie de lundi" in body
    assert f"/cleanup/campaigns/{flagged.campaign.id}#my-progress" in body


def test_an_accepted_entry_tells_its_author_the_points_in_english_and_no_e_mail_without_consent(
    client, make, flagged, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(locale="en", email_opt_in=False)
    entry = flagged(author)
    login(client, make.user(roles=("organiser",)))
    _review(client, entry, "accept")
    jobs.deliver_due()

    inbox = _inbox_page(client, author)
    assert "Your entry counts: Big clean-up" in inbox
    assert f"It counts: {entry.points} points." in inbox
    logged = entry.logged_at.astimezone(local_zone()).strftime("%-d %B %Y")
    assert f"of {logged} (" in inbox  # day first, as the portal writes dates
    assert smtp.messages == []  # no consent, no e-mail; the inbox still has it
    skipped = db.session.scalar(
        select(Delivery.status).where(Delivery.user_id == author.id, Delivery.channel == "email")
    )
    assert skipped == "skipped"


@pytest.mark.parametrize(
    ("locale", "line", "page_line", "mail_line"),
    [
        ("fr", "Motif\u00a0: Vu avec la DSI", None, None),
        # A French reason for an English reader: marked French, and said to be.
        (
            "en",
            "Reason: Vu avec la DSI",
            'Reason: <span lang="fr">Vu avec la DSI</span> <span class="hint">(in French)</span>',
            "Reason: Vu avec la DSI (in French)",
        ),
    ],
)
def test_a_reason_typed_with_an_acceptance_is_in_the_notice_inbox_and_e_mail(
    client, make, flagged, smtp, config, locale, line, page_line, mail_line
):
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(locale=locale, email_opt_in=True)
    entry = flagged(author)
    login(client, make.user(roles=("organiser",)))
    assert _review(client, entry, "accept", "Vu avec la DSI").status_code == 302
    assert jobs.deliver_due() == 1

    assert (page_line or line) in _inbox_page(client, author)
    [(_to, mail)] = smtp.messages
    assert (mail_line or line) in mail.get_body(("plain",)).get_content()


def test_an_acceptance_without_a_reason_has_no_reason_line(client, make, flagged, config):
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(locale="fr")
    entry = flagged(author)
    login(client, make.user(roles=("organiser",)))
    _review(client, entry, "accept")
    jobs.deliver_due()
    assert "Motif" not in _inbox_page(client, author)


def test_only_the_author_is_told_and_organisers_do_not_see_the_notice(
    client, make, flagged, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    author, bystander = make.user(email_opt_in=True), make.user(email_opt_in=True)
    entry = flagged(author)
    organiser = make.user(roles=("organiser",), email_opt_in=True)
    login(client, organiser)
    _review(client, entry, "reject", "Doublon")
    _review(client, entry, "accept")  # decided already: refused, nothing more is sent
    jobs.deliver_due()

    notices = db.session.scalars(select(Dispatch).where(Dispatch.status != "cancelled")).all()
    assert [(d.template.key, d.recipients) for d in notices] == [("entry-rejected", 1)]
    assert smtp.recipients() == [author.email]
    assert "ne compte pas" not in _inbox_page(client, bystander)
    # The notice is the author's: organisers neither list it nor open it by its id.
    _inbox_page(client, organiser)
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    assert "entry-rejected" not in listing and "Saisie refusée" not in listing
    assert client.get(f"/messaging/dispatches/{notices[0].id}").status_code == 404
    assert client.get(f"/api/v1/dispatches/{notices[0].id}").status_code == 404


def test_an_erased_author_is_told_nothing(client, make, flagged, smtp, config):
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(email_opt_in=True)
    entry = flagged(author)
    cleanup.erase_person(author, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    _review(client, entry, "reject", "Doublon")
    assert db.session.scalars(select(Dispatch).where(Dispatch.status != "cancelled")).all() == []


def test_organisers_cannot_send_a_review_notice_to_an_audience(client, make):
    """Sent to everyone, "your entry" would name nobody's entry."""
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    form = client.get("/messaging/schedule").get_data(as_text=True)
    assert "(entry-rejected)" not in form and "(entry-accepted)" not in form
    assert "(campaign-launch)" in form
    rejected = template_by_key("entry-rejected")
    with pytest.raises(MessagingError, match="one person about something of theirs"):
        schedule_message(rejected, "everyone", {}, "now", utcnow(), actor=organiser)
    assert db.session.scalars(select(Dispatch)).all() == []


def test_erasing_the_author_deletes_their_notices(client, make, flagged, smtp, config):
    """A notice says something about its one reader: erasure leaves no trace of it."""
    config(MAIL_WORKING_HOURS="24/7")
    author, other = make.user(email_opt_in=True), make.user(email_opt_in=True)
    entries = [flagged(author), flagged(other)]
    login(client, make.user(roles=("organiser",)))
    for entry in entries:
        _review(client, entry, "reject", "Doublon")
    jobs.deliver_due()
    _review(client, flagged(author), "accept")  # a notice not delivered yet
    erase_user(author, utcnow())
    db.session.commit()

    notices = db.session.scalars(select(Dispatch).where(Dispatch.audience_key == "person")).all()
    assert [d.audience_params for d in notices] == [{"user_id": other.id}]
    assert db.session.scalars(select(Delivery).where(Delivery.user_id == author.id)).all() == []
    assert "ne compte pas" in _inbox_page(client, other)


def test_a_template_using_a_notices_variable_is_never_sent_to_an_audience(
    auth, client, make, template
):
    """`review_reason` exists only in a notice about one entry: sent to everyone, each
    delivery would fail. The editor says so, and scheduling refuses it."""
    tpl = template(body_fr="Motif : {{ review_reason }}. {{ unsubscribe_url }}")
    login(client, make.user(roles=("organiser",)))
    editor = html.unescape(client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True))
    assert "Uniquement dans les notifications sur une saisie de nettoyage examinée." in editor
    refused = auth.post(
        "/messaging/schedule", data={"template": tpl.id, "audience": "everyone", "kind": "now"}
    )
    assert refused.status_code == 422
    assert "Ce modèle utilise review_reason, que seules les notifications" in html.unescape(
        refused.get_data(as_text=True)
    )
    assert db.session.scalars(select(Dispatch).where(Dispatch.status != "cancelled")).all() == []


def test_the_notice_says_what_was_accepted_even_if_the_entry_changed_before_it_went(
    client, make, flagged, config
):
    """Accepted at 15 GB, corrected to 14 before the scheduler's tick: the notice said
    « 14 Go … 140 points », which nobody had decided."""
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(locale="en", email_opt_in=False)
    entry = flagged(author)
    login(client, make.user(roles=("organiser",)))
    _review(client, entry, "accept")
    accepted_points = db.session.get(type(entry), entry.id).points
    cleanup.correct_action(author, db.session.get(type(entry), entry.id), "14", utcnow())
    db.session.commit()
    jobs.deliver_due()

    inbox = _inbox_page(client, author)
    assert "15\u00a0GB)" in inbox and f"It counts: {accepted_points} points." in inbox
    assert "14\u00a0GB" not in inbox


def test_a_second_decision_on_the_same_entry_is_told_too(client, make, flagged, config):
    """Accepted, then corrected to an unusual quantity and refused: the refusal's notice
    was taken for the acceptance's again (one key per entry) and never went out, while
    the organiser read that its author gets a message."""
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(locale="en", email_opt_in=False)
    entry = flagged(author)
    login(client, make.user(roles=("organiser",)))
    _review(client, entry, "accept")
    assert jobs.deliver_due() == 1
    corrected = cleanup.correct_action(
        author, db.session.get(type(entry), entry.id), "19", utcnow()
    )
    db.session.commit()
    assert corrected.status == "flagged"
    _review(client, corrected, "reject", "Your personal cloud does not count")

    assert jobs.deliver_due() == 1
    inbox = _inbox_page(client, author)
    assert "Your personal cloud does not count" in inbox
