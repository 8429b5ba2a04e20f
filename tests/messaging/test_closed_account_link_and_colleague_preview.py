"""Messaging: an old e-mail's unsubscribe link telling its
holder that the person left or was erased, a template's preview telling who has an
account and showing a hidden colleague's name, « Marquer comme lu » without JavaScript
confirming nothing, and a dispatch's page contradicting the count its confirmation gave."""

import html
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from app.messaging.audiences import unsubscribe_token
from tests.conftest import browser_sign_in, csrf_token, login
from tests.messaging.conftest import coming, deliver_to_everyone

# --- 1. an unsubscribe link of a closed or erased account ---------------------------------


def _main(response) -> str:
    """The words of the page's <main>, tags left out."""
    page = html.unescape(response.get_data(as_text=True))
    main = page.partition("<main")[2].partition(">")[2].partition("</main>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def _answers(client, token: str) -> list[tuple[int, str]]:
    """What the link's page, its button, a mail client's one-click and "Undo" answer."""
    url = f"/messaging/unsubscribe/{token}"
    token_field = {"csrf_token": csrf_token(client)}
    answers = [
        client.get(url),
        client.post(url, data=token_field),
        client.post(url, data={"List-Unsubscribe": "One-Click"}),
        client.post(f"{url}/undo", data={**token_field, "receipt": "x"}),
    ]
    return [(answer.status_code, _main(answer)) for answer in answers]


def _consent(person_id: int):
    """The person's consent now, and how many consent changes were ever recorded."""
    person = db.session.get(User, person_id)
    changes = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.like("email_consent_%"))
    )
    return person.email_opt_in, person.email_opt_in_changed_at, changes


@pytest.mark.parametrize("how", ["deactivated", "erased"])
def test_an_old_unsubscribe_link_of_a_closed_account_reads_as_a_link_not_valid(client, make, how):
    """It said « Compte fermé : ce lien appartient à un compte fermé ou effacé » to anyone
    holding a forwarded e-mail: that the person had left, or asked to be erased."""
    person = make.user(email_opt_in=True, locale="fr")
    if how == "erased":
        erase_user(person, utcnow())
    else:
        person.active = False
    db.session.commit()
    before = _consent(person.id)
    not_valid = _answers(client, "not-a-token")
    assert not_valid[0][0] == 404
    assert _answers(client, unsubscribe_token(person.id)) == not_valid
    assert _consent(person.id) == before


# --- 2. the template's preview "for" an address --------------------------------------------

NAMES = "{{ first_name }} / {{ display_name }}"


def _preview_for(client, address: str) -> tuple[int, str]:
    """The preview's answer (htmx) for `address`, that address left out of its words."""
    texts = {"subject_fr": "Bonjour", "body_fr": NAMES, "subject_en": "Hi", "body_en": NAMES}
    response = client.post(
        "/messaging/templates/preview",
        data={
            "key": "names",
            "name": "Names",
            "recipient": address,
            **texts,
            "csrf_token": csrf_token(client),
        },
        headers={"HX-Request": "true", "HX-Trigger": "recipient"},
    )
    words = html.unescape(response.get_data(as_text=True)).replace(address, "ADDRESS")
    return response.status_code, " ".join(re.sub(r"<[^>]+>", " ", words).split())


def test_a_preview_for_a_colleague_shows_neither_their_name_nor_whether_they_exist(client, make):
    """ "Pour Gaëlle Lefèvre", their name in {{ display_name }} (hidden from the boards
    at their request), and « L'aperçu attend une adresse correcte » for an address nobody
    has: the form told who has an account."""
    make.user(email="gaelle@example.org", display_name="Gaëlle Lefèvre")
    gone = make.user(email="gone@example.org", display_name="Gaspard Ghost")
    erase_user(gone, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="fr"))
    colleague = _preview_for(client, "gaelle@example.org")
    assert colleague[0] == 200
    assert "Dominique / Dominique Exemple" in colleague[1] and "Gaëlle" not in colleague[1]
    for address in ("nobody@example.org", "gone@example.org"):
        assert _preview_for(client, address) == colleague


def test_a_preview_for_my_own_address_shows_my_name_and_a_malformed_one_is_refused(client, make):
    me = make.user(roles=("organiser",), locale="fr", display_name="Nora Benali")
    login(client, me)
    assert "Nora / Nora Benali" in _preview_for(client, me.email.upper())[1]
    refused = _preview_for(client, "pas-une-adresse")
    assert "Dominique" not in refused[1] and "attend une adresse correcte" in refused[1]


# --- 3. « Marquer comme lu » without JavaScript -------------------------------------------


@pytest.mark.browser
def test_without_javascript_marking_read_focuses_its_notice_at_the_message(
    browser, live_server, make, template
):
    """The inbox came back at the message with the focus on the page's body: nothing
    said it was done, and Tab went on from the top of the page."""
    reader = make.user(locale="fr")
    deliver_to_everyone(template(), count=5)
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", java_script_enabled=False,
        viewport={"width": 1280, "height": 600},
    )  # fmt: skip
    page = context.new_page()
    try:
        browser_sign_in(page, reader.email)
        page.goto("/messaging/")
        second = page.locator("article.message").nth(1)
        second.get_by_role("button", name=re.compile(r"^Marquer comme lu ")).click()
        page.wait_for_url(re.compile(r"#message-\d+-read$"))
        notice = page.locator("article.message").nth(1).get_by_text("Message marqué comme lu.")
        expect(notice).to_be_focused()
        expect(notice).to_be_in_viewport()
    finally:
        context.close()


# --- 4. the dispatch's recipients right after scheduling -------------------------------------


def test_a_dispatch_just_scheduled_says_about_how_many_its_confirmation_counted(
    auth, client, make, template
):
    """ "Envoyer à 4 personnes … ?" then, on the dispatch's page, « Destinataires : —
    pas encore comptés », as if the figure had been lost."""
    tpl = template()
    make.user(), make.user()
    login(client, make.user(roles=("organiser",), locale="fr"))
    asked = {"template": tpl.id, "audience": "everyone", "kind": "at", "at": coming(3, 2)}
    page = auth.post("/messaging/schedule", data=asked).get_data(as_text=True)
    assert "Envoyer à 4 personnes" in html.unescape(page)
    form = page.split('id="schedule-confirm"', 1)[1].split("</form>", 1)[0]
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    answer = auth.post(
        "/messaging/schedule",
        data={**{name: html.unescape(value) for name, value in fields}, "confirm": "yes"},
        follow_redirects=True,
    )
    said = _main(answer).replace("\u00a0", " ")
    assert "Destinataires : environ 4, comptés au moment de l'envoi" in said
    assert "pas encore comptés" not in said
