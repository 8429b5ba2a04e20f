"""Undoing an unsubscribe: the page's "Undo" carried its receipt, a bearer token that
whoever later saw the page (browser history, a shared screen) could send from another
browser. It now works only from the browser that unsubscribed (the receipt stays in its
session) and within half an hour; otherwise nothing changes and the page points to the
profile, in the person's e-mail language."""

import html
import re
from datetime import UTC, timedelta

import pytest

from app.auth.models import User
from app.extensions import db
from app.messaging import routes, services
from app.messaging.audiences import unsubscribe_token
from tests.conftest import csrf_token


def _url(person) -> str:
    return f"/messaging/unsubscribe/{unsubscribe_token(person.id)}"


def _text(response) -> str:
    words = html.unescape(re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))
    return " ".join(words.replace("\u00a0", " ").split())


def _unsubscribe(client, person) -> str:
    """Unsubscribe with the page's button; the receipt this browser keeps."""
    client.post(_url(person), data={"csrf_token": csrf_token(client)})
    with client.session_transaction() as session:
        return session[routes.UNDO_RECEIPT_KEY]


def _undo(client, person, receipt: str):
    """ "Undo" as the page before this fix sent it: with the receipt in the form."""
    return client.post(
        f"{_url(person)}/undo",
        data={"csrf_token": csrf_token(client), "receipt": receipt},
        follow_redirects=True,
    )


def _consent(person) -> tuple:
    db.session.expire_all()
    again = db.session.get(User, person.id)
    return again.email_opt_in, again.email_opt_in_changed_at


def test_the_confirmation_page_holds_no_receipt(client, make):
    person = make.user(email_opt_in=True, locale="fr")
    client.post(_url(person), data={"csrf_token": csrf_token(client)})
    with client.session_transaction() as session:
        receipt = session[routes.UNDO_RECEIPT_KEY]
    answer = client.get(f"{_url(person)}?result=unsubscribed")
    assert "Annuler : continuer" in _text(answer)  # still offered to this browser
    page = answer.get_data(as_text=True)
    assert 'name="receipt"' not in page and receipt not in page


def test_the_receipt_sent_from_another_browser_changes_nothing(app, client, make):
    person = make.user(email_opt_in=True, locale="fr")
    receipt = _unsubscribe(client, person)
    before = _consent(person)
    answer = _undo(app.test_client(), person, receipt)
    assert answer.status_code == 200
    assert _consent(person) == before == (False, before[1])


def test_another_browser_is_told_in_the_persons_language_to_use_the_profile(app, client, make):
    person = make.user(email_opt_in=True, locale="fr")
    receipt = _unsubscribe(client, person)
    elsewhere = app.test_client()
    answer = _undo(elsewhere, person, receipt)
    words = _text(answer)
    assert "Désabonnement maintenu" in words
    assert (
        "Un désabonnement ne peut être annulé ici que depuis le navigateur qui l'a fait, "
        "dans les 30 minutes qui suivent. Pour recevoir de nouveau les e-mails, réactivez-les "
        "dans les préférences de votre profil." in words
    )
    assert 'href="/auth/profile#prefs-title"' in answer.get_data(as_text=True)


def test_it_is_said_in_english_to_someone_whose_emails_are_in_english(app, client, make):
    person = make.user(email_opt_in=True, locale="en")
    receipt = _unsubscribe(client, person)
    elsewhere = app.test_client()
    answer = _undo(elsewhere, person, receipt)
    assert (
        "An unsubscribe can be undone here only from the browser that made it, within 30 "
        "minutes. To receive e-mails again, turn them back on in the preferences of your "
        "profile." in _text(answer)
    )


@pytest.mark.parametrize(("minutes", "subscribed"), [(29, True), (31, False)])
def test_the_same_browser_can_undo_for_half_an_hour(client, make, monkeypatch, minutes, subscribed):
    person = make.user(email_opt_in=True, locale="fr")
    receipt = _unsubscribe(client, person)
    changed = _consent(person)[1].replace(tzinfo=UTC)
    token = csrf_token(client)
    monkeypatch.setattr(routes, "utcnow", lambda: changed + timedelta(minutes=minutes))
    client.post(f"{_url(person)}/undo", data={"csrf_token": token, "receipt": receipt})
    assert _consent(person)[0] is subscribed
    assert timedelta(minutes=30) == services.UNDO_UNSUBSCRIBE


def test_the_one_click_answer_keeps_its_receipt_in_the_session_not_the_page(app, client, make):
    """Its answer carried the receipt in its form; the browser that got it can still undo."""
    person = make.user(email_opt_in=True, locale="fr")
    answer = client.post(_url(person), data={"List-Unsubscribe": "One-Click"})
    assert "Annuler : continuer" in _text(answer)
    assert 'name="receipt"' not in answer.get_data(as_text=True)
    client.post(f"{_url(person)}/undo", data={"csrf_token": csrf_token(client)})
    assert _consent(person)[0] is True


def test_the_undo_keeps_its_csrf_check(client, make):
    person = make.user(email_opt_in=True)
    _unsubscribe(client, person)
    answer = client.post(f"{_url(person)}/undo")
    assert answer.status_code == 400 and _consent(person)[0] is False
