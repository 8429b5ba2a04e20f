"""An organiser's reason written in French reaches an English reader's notice marked so:
"(in French)" after it in the plain-text e-mail, and in the HTML e-mail and the inbox
page the reason wrapped in lang="fr" with that visible note (RGAA 8.7), as the inbox
marks a French message. A reason in the reader's own language is left as it is."""

from markupsafe import escape

from app.cleanup import services as cleanup
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from tests.conftest import login

REASON = "Doublon de votre saisie d'hier"


def _review(entry, make, reason, language):
    organiser = make.user(roles=("organiser",), locale=language)
    cleanup.review_action(entry, organiser, False, reason, utcnow(), language=language)
    db.session.commit()
    assert jobs.deliver_due() == 1


def test_a_french_reason_is_marked_in_an_english_readers_e_mail_and_inbox(
    client, make, flagged, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(locale="en", email_opt_in=True)
    _review(flagged(author), make, REASON, "fr")

    [(_to, mail)] = smtp.messages
    plain = mail.get_body(("plain",)).get_content()
    assert f"Reason: {REASON} (in French)" in plain
    rich = mail.get_body(("html",)).get_content()
    marked = (
        f'Reason: <span lang="fr">{escape(REASON)!s}</span> <span class="hint">(in French)</span>'
    )
    assert marked in rich

    login(client, author)
    inbox = client.get("/messaging/").get_data(as_text=True)
    assert marked in inbox
    # The API gives the message's text as it was written: the note, no markup.
    login(client, author)
    api = client.get("/api/v1/me/messages").get_json()
    assert f"Reason: {REASON} (in French)" in api["messages"][0]["body"]


def test_a_reason_in_the_readers_language_is_not_marked(client, make, flagged, smtp, config):
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(locale="fr", email_opt_in=True)
    _review(flagged(author), make, REASON, "fr")
    [(_to, mail)] = smtp.messages
    assert "(en français)" not in mail.get_body(("plain",)).get_content()
    assert 'lang="fr"><' not in mail.get_body(("html",)).get_content()
    assert f"Motif\u00a0: {escape(REASON)!s}" in mail.get_body(("html",)).get_content()
    login(client, author)
    assert '<span lang="fr">Doublon' not in client.get("/messaging/").get_data(as_text=True)


def test_an_english_reason_is_marked_in_a_french_readers_notice(
    client, make, flagged, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    author = make.user(locale="fr", email_opt_in=True)
    _review(flagged(author), make, "Counted twice", "en")
    [(_to, mail)] = smtp.messages
    assert "Motif\u00a0: Counted twice (en anglais)" in mail.get_body(("plain",)).get_content()
    login(client, author)
    inbox = client.get("/messaging/").get_data(as_text=True)
    assert '<span lang="en">Counted twice</span> <span class="hint">(en anglais)</span>' in inbox
