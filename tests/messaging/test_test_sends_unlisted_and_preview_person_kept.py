"""The organiser's workflow: test sends in the list of
dispatches, a test's outcome read as a failure, the preview's person forgotten on save,
and the custody notice naming the receipt's chain differently from the receipt."""

import html

from sqlalchemy import select

from app.extensions import db
from app.messaging.builtins import BUILTIN_TEMPLATES
from app.messaging.models import Delivery, Dispatch, MessageTemplate
from tests.conftest import login

EDIT = {
    "name": "Hello",
    "subject_fr": "Bonjour {{ first_name }}",
    "body_fr": "Bonjour {{ first_name }}. {{ unsubscribe_url }}",
    "subject_en": "Hello {{ first_name }}",
    "body_en": "Hello {{ first_name }}. {{ unsubscribe_url }}",
}


def _flash(page: str) -> str:
    return html.unescape(page.split('class="flash flash-', 1)[1].split("</p>", 1)[0])


def test_a_test_send_is_left_out_of_the_list_of_dispatches(auth, client, make, template, smtp):
    """It read "Hello | user: 2 | Sent | 1": the author's id, not an audience."""
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    auth.post(f"/messaging/templates/{tpl.id}/test")
    assert db.session.scalar(select(Dispatch.audience_key)) == "user"  # the test was sent
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    assert "user" not in listing.split("<h2>Envois</h2>", 1)[1]
    assert "Aucun envoi pour l'instant." in html.unescape(listing)


def test_a_test_with_the_mail_server_down_says_where_it_is_and_why_the_email_did_not_go(
    auth, client, make, template, smtp_down
):
    tpl = template()
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    response = auth.post(f"/messaging/templates/{tpl.id}/test", follow_redirects=True)
    message = _flash(response.get_data(as_text=True))
    assert message.endswith(
        "Le test est dans votre boîte de réception. L'e-mail n'a pas pu être envoyé\u00a0: "
        "le serveur de messagerie n'a pas répondu."
    ), message
    inbox = db.session.scalar(
        select(Delivery).where(Delivery.user_id == organiser.id, Delivery.channel == "inbox")
    )
    assert inbox.status == "delivered"


def test_saving_keeps_the_preview_for_the_person_chosen(auth, client, make, template):
    """After "Save" the preview fell back to the organiser."""
    tpl = template()
    make.user(email="lea@example.org", display_name="Léa Martin")
    login(client, make.user(roles=("organiser",), display_name="Nora Benali"))
    saved = auth.post(
        f"/messaging/templates/{tpl.id}",
        data={**EDIT, "key": tpl.key, "recipient": "lea@example.org", "action": "save"},
    )
    assert saved.status_code == 302
    editor = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'value="lea@example.org"' in editor.split('id="recipient"', 1)[1].split(">", 1)[0]
    # The preview the page asks for on load (htmx) sends the form, this person with it.
    preview = auth.post(
        "/messaging/templates/preview",
        data={**EDIT, "key": tpl.key, "recipient": "lea@example.org"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    # Léa's preview: the examples, her name too (review of 6 December), not Nora's own.
    assert "Pour lea@example.org" in preview and "Nora" not in preview and "Léa" not in preview


def test_a_new_template_saved_keeps_the_preview_for_the_person_chosen(auth, client, make):
    make.user(email="lea@example.org")
    login(client, make.user(roles=("organiser",)))
    saved = auth.post(
        "/messaging/templates/new",
        data={**EDIT, "key": "news", "recipient": "lea@example.org", "action": "save"},
    )
    assert saved.status_code == 302 and "lea@example.org" not in saved.headers["Location"]
    editor = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'value="lea@example.org"' in editor.split('id="recipient"', 1)[1].split(">", 1)[0]


def test_saving_without_a_person_chosen_leaves_the_address_out(auth, client, make, template):
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    saved = auth.post(f"/messaging/templates/{tpl.id}", data={**EDIT, "key": tpl.key})
    assert saved.status_code == 302 and "recipient" not in saved.headers["Location"]
    assert db.session.get(MessageTemplate, tpl.id).body_fr == EDIT["body_fr"]


def test_the_custody_notice_names_the_chain_as_the_receipt_page_does(client, make):
    """The receipt's heading is « Chaîne de traçabilité »; the notice said « chaîne de garde »."""
    body = BUILTIN_TEMPLATES["device-custody"]["body_fr"]
    assert "chaîne de traçabilité" in body and "garde" not in body
    login(client, make.user(roles=("organiser",)))
    editor = client.get("/messaging/templates/new").get_data(as_text=True)
    assert "Lien vers le reçu et sa chaîne de traçabilité" in html.unescape(editor)
