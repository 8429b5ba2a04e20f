"""An employee, in French: a message marked read stays open
while one reads it; the unsubscribe page shows the real state after a reload or Back; values
put into a French sentence after a colon start lower-case."""

import html
import re

import pytest
from playwright.sync_api import expect

from app.auth.models import User
from app.extensions import db
from app.messaging import services
from app.messaging.audiences import unsubscribe_token
from tests.conftest import browser_sign_in, csrf_token, login
from tests.messaging.conftest import deliver_to_everyone, inbox_of
from tests.recycling.conftest import RecyclingFactories

HX = {"HX-Request": "true"}


_deliver, _inbox = deliver_to_everyone, inbox_of


def _text(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("\u00a0", " ").split())


# --- 1. a message marked read stays open -----------------------------------------------------


@pytest.mark.browser
def test_marking_a_message_read_keeps_it_open_and_the_focus_where_the_button_was(
    page, make, template
):
    reader = make.user(email="ines@example.org", display_name="Inès Roux")
    _deliver(template(), 2)
    browser_sign_in(page, reader.email)
    page.goto("/messaging/")
    first = page.locator("article.message").first
    body = first.locator(".message-body")
    expect(body).to_be_hidden()  # folded until opened: opened, it is read
    first.get_by_role("button", name=re.compile(r"^Marquer comme lu ")).click()
    done = first.get_by_text("Message marqué comme lu.")
    expect(done).to_be_visible()
    expect(first.locator(".tag")).to_have_count(0)  # swapped: read now
    expect(body).to_be_visible()  # open to be read, not folded shut under the reader's eyes
    expect(done).to_be_focused()
    # Focused, the message is read for that, once: #announcer does not repeat it.
    expect(page.locator(":focus")).to_have_text("Message marqué comme lu.")
    page.wait_for_timeout(400)  # past the moment #announcer would be filled
    expect(page.locator("#announcer")).not_to_contain_text("Message marqué comme lu.")
    page.keyboard.press("Tab")  # on to the same message's next action
    expect(first.get_by_role("button", name=re.compile(r"^Supprimer "))).to_be_focused()


def test_a_read_message_comes_folded_in_the_inbox_and_the_one_just_read_open(
    client, make, template
):
    """Open after "Mark as read" is that answer's only: the inbox folds read messages,
    for this reader and for anyone else whose message is of the same kind."""
    me, other = make.user(locale="en"), make.user(locale="en")
    _deliver(template(), 2)
    login(client, me)
    mine = _inbox(me)
    client.get("/messaging/")  # each kind rendered once already
    answer = client.post(
        f"/messaging/inbox/{mine[0].id}/read", data={"csrf_token": csrf_token(client)}, headers=HX
    ).get_data(as_text=True)
    assert "<details open>" in answer
    client.post(f"/messaging/inbox/{mine[1].id}/read", data={"csrf_token": csrf_token(client)})
    # Without JavaScript, the inbox it comes back to has that one open; shown again, folded.
    assert client.get("/messaging/").get_data(as_text=True).count("<details open>") == 1
    page = client.get("/messaging/").get_data(as_text=True)
    assert page.count("<details>") == 2 and "<details open>" not in page
    # Unread ones come folded too: opening one reads it (test_opening_marks_read.py).
    login(client, other)
    assert "<details open" not in client.get("/messaging/").get_data(as_text=True)


# --- 2. the unsubscribe page after a reload or Back -------------------------------------------


def _unsubscribe_url(user) -> str:
    return f"/messaging/unsubscribe/{unsubscribe_token(user.id)}"


def _subscribed(user) -> bool:
    db.session.expire_all()
    return db.session.get(User, user.id).email_opt_in


@pytest.mark.browser
def test_after_undoing_an_unsubscribe_a_reload_and_back_show_the_state_then(page, make):
    """Reloading the page that said « Abonnement rétabli » sent the undo again, and said
    « Désabonnement maintenu » though e-mails were back on."""
    person = make.user(email_opt_in=True, locale="fr")
    heading = page.get_by_role("heading", level=1)
    page.goto(_unsubscribe_url(person))
    page.get_by_role("button", name="Se désabonner des e-mails").click()
    expect(heading).to_have_text("Désabonnement confirmé")
    page.reload()  # the same page, "Undo" still offered: not a second unsubscribe
    expect(heading).to_have_text("Désabonnement confirmé")
    page.get_by_role("button", name="Annuler : continuer à recevoir les e-mails").click()
    expect(heading).to_have_text("Abonnement rétabli")
    assert _subscribed(person)
    page.reload()
    expect(heading).to_have_text("Abonnement rétabli")
    expect(page.locator("#unsubscribe-result")).to_be_focused()
    assert _subscribed(person)
    page.go_back()  # where it said "unsubscribed": subscribed now, it asks again
    expect(heading).to_have_text("Se désabonner")
    expect(page.get_by_role("button", name="Se désabonner des e-mails")).to_be_visible()
    assert _subscribed(person)


def test_the_result_of_unsubscribing_is_a_page_of_its_own_that_offers_to_undo(client, make):
    """Post/Redirect/Get: the form's answer is a redirect to the page, which a reload
    shows again without unsubscribing a second time."""
    person = make.user(email_opt_in=True, locale="fr")
    url = _unsubscribe_url(person)
    answer = client.post(url, data={"csrf_token": csrf_token(client)})
    assert answer.status_code == 303 and answer.location == f"{url}?result=unsubscribed"
    assert not _subscribed(person)
    changed = db.session.get(User, person.id).email_opt_in_changed_at
    again = _text(client.get(answer.location))
    assert "Désabonnement confirmé" in again and "Annuler : continuer" in again
    assert db.session.get(User, person.id).email_opt_in_changed_at == changed


def test_an_address_from_the_history_says_its_result_only_while_it_is_true(client, make):
    """« Abonnement rétabli » while e-mails are on; once they are off again (in the
    profile, say), the same address says so instead."""
    person = make.user(email_opt_in=True, locale="fr")
    restored = f"{_unsubscribe_url(person)}?result=restored"
    assert "Abonnement rétabli" in _text(client.get(restored))
    person.email_opt_in = False
    db.session.commit()
    page = _text(client.get(restored))
    assert "Désabonnement déjà enregistré" in page and "Abonnement rétabli" not in page


def test_undo_is_offered_only_to_the_browser_that_unsubscribed(app, client, make):
    """The receipt stays in this browser's session, not in the address: the same link
    opened elsewhere says the person is unsubscribed, and offers no "Undo"."""
    person = make.user(email_opt_in=True, locale="fr")
    answer = client.post(_unsubscribe_url(person), data={"csrf_token": csrf_token(client)})
    assert "receipt" not in answer.location
    elsewhere = _text(app.test_client().get(answer.location))
    assert "Désabonnement confirmé" in elsewhere and "Annuler : continuer" not in elsewhere


# --- 3. values inside a French sentence ---------------------------------------------------------

HOURS = "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"


@pytest.fixture
def points(make) -> RecyclingFactories:
    """The recycling domain's factories: collection points."""
    return RecyclingFactories(make)


def test_the_opening_hours_in_a_french_sentence_start_lower_case(client, make, points):
    """« Mairie de Pessac – … (Lundi au vendredi : … ; Samedi : …) »: day names are
    common words in French, lower-case inside a sentence; English keeps its capitals."""
    commune = make.commune(name="Pessac")
    points.point(commune=commune, name="Mairie de Pessac", address="Place de la Ve République",
                 opening_hours=HOURS)  # fmt: skip
    french = make.user(locale="fr", commune_id=commune.id)
    english = make.user(locale="en", commune_id=commune.id)
    _deliver(services.template_by_key("weekly-digest"))
    login(client, french)
    page = _text(client.get("/messaging/")).replace("\u202f", " ")
    assert (
        "Point de collecte le plus proche : Mairie de Pessac – Place de la Ve République "
        "(du lundi au vendredi : 8 h 30–12 h, 13 h 30–17 h ; samedi : 9 h–12 h ; "
        "dimanche : fermé ; jours fériés : fermé)." in page
    )
    login(client, english)
    page = _text(client.get("/messaging/"))
    assert "(Monday to Friday: 08:30–12:00, 13:30–17:00; Saturday: 09:00–12:00;" in page
