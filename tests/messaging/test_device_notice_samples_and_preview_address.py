"""Messaging: the device notices previewed empty, the
"Preview for" field's refusals said twice and not at it, the plain-text part of an
e-mail without the footer, the live count refusing a campaign not chosen yet, a restore
and a stop that changed nothing yet said and recorded it, a clumsy French sentence."""

import html
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.extensions import db
from app.messaging import services
from app.messaging.builtins import BUILTIN_TEMPLATES, ensure_builtin_templates
from tests.conftest import browser_sign_in, login
from tests.messaging.conftest import PREVIEW, deliver_to_everyone

HX = {"HX-Request": "true"}


def _text(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("\u00a0", " ").split())


# --- 1. the device notices preview and test with what they say ---------------------------


DEVICE_NEWS = {
    "device-custody": (
        "[Nouvelles de l'appareil : ce qu'un agent a enregistré",
        "[News of the device: what an agent recorded",
    ),
    "device-return-reminder": (
        "[Rappel : l'appareil déclaré, le numéro du reçu",
        "[Reminder: the device declared, its receipt number",
    ),
}


def _builtin_texts(key: str) -> dict:
    ensure_builtin_templates()
    template = services.template_by_key(key)
    db.session.commit()
    texts = {field: getattr(template, field) for field in services.TEMPLATE_FIELDS}
    return template, {**texts, "key": key, "name": template.name}


@pytest.mark.parametrize("key", sorted(DEVICE_NEWS))
def test_a_device_notice_previews_its_news_as_a_named_sample_in_both_languages(
    auth, client, make, key
):
    make.user(email="camille@example.org", display_name="Camille Roux")
    login(client, make.user(roles=("organiser",), locale="fr"))
    template, texts = _builtin_texts(key)
    french, english = DEVICE_NEWS[key]
    fragment = auth.post(
        "/messaging/templates/preview",
        data={**texts, "recipient": "camille@example.org"},
        headers=HX,
    )
    page = auth.post(
        f"/messaging/templates/{template.id}",
        data={**texts, "recipient": "camille@example.org", "action": "preview"},
    )
    for response in (fragment, page):
        shown = _text(response)
        assert french in shown and english in shown
        # The receipt's link, an example, named by its label (RGAA 6.1).
        assert '/recycling/returns/RC-7K3M-9QXD">' in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "index"), [("fr", 0), ("en", 1)])
def test_the_test_of_a_device_notice_carries_its_news_as_a_named_sample(
    auth, client, make, smtp, language, index
):
    login(client, make.user(roles=("organiser",), email="nora@example.org", locale="fr"))
    template, _texts = _builtin_texts("device-custody")
    response = auth.post(f"/messaging/templates/{template.id}/test", data={"language": language})
    assert response.status_code == 302
    [(_to, email)] = smtp.messages
    body = email.get_body(("plain",)).get_content().replace("\u00a0", " ")
    assert DEVICE_NEWS["device-custody"][index] in body


def test_a_variable_only_notices_give_is_still_explained_in_a_template_of_ones_own(
    auth, client, make
):
    """Samples are for the device notices only: elsewhere the variable is named in words."""
    login(client, make.user(roles=("organiser",)))
    texts = {
        "key": "mine",
        "name": "Mine",
        "subject_fr": "Objet",
        "subject_en": "Subject",
        "body_fr": "{{ custody_news }}",
        "body_en": "{{ custody_news }}",
    }
    shown = _text(auth.post("/messaging/templates/preview", data=texts, headers=HX))
    assert "Nouvelles de l'appareil" not in shown
    assert "La variable custody_news n'est fournie que dans les notifications" in shown


# --- 2. "Preview for": one message, at the field -----------------------------------------


INVALID = "Cette adresse e-mail n'est pas valide."
# An address nobody has is not refused since the review of 6 December (the form told who
# has an account): the preview shows the examples, as for a colleague.
OTHER = "Donnez une adresse e-mail valide."


def _recipient_input(page: str) -> str:
    return re.search(r'<input [^>]*id="recipient"[^>]*>', page)[0]


@pytest.mark.parametrize(("address", "message"), [("camille@", INVALID)])
def test_a_refused_preview_address_is_said_once_at_its_field_without_javascript(
    auth, client, make, address, message
):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/templates/new", data={**PREVIEW, "recipient": address, "action": "preview"}
    )
    page = html.unescape(response.get_data(as_text=True))
    assert page.count(message) == 1 and OTHER not in page
    field = _recipient_input(page)
    assert 'aria-invalid="true"' in field and "recipient-error" in field
    assert f'<p class="error" id="recipient-error">{message}</p>' in page


@pytest.mark.parametrize(("address", "message"), [("camille@", INVALID)])
def test_a_changed_preview_address_brings_its_field_back_marked_with_htmx(
    auth, client, make, address, message
):
    login(client, make.user(roles=("organiser",)))
    fragment = html.unescape(
        auth.post(
            "/messaging/templates/preview",
            data={**PREVIEW, "recipient": address},
            headers={**HX, "HX-Trigger": "recipient"},
        ).get_data(as_text=True)
    )
    # Shown once, at the field; its copy to read out is out of sight
    # (test_editor_enter_previews_and_builtin_line_breaks).
    shown = re.sub(r'<p class="visually-hidden"[^>]*data-announce>[^<]*</p>', "", fragment)
    assert shown.count(message) == 1 and OTHER not in fragment
    assert '<div id="recipient-field" hx-swap-oob="true">' in fragment
    field = _recipient_input(fragment)
    assert 'aria-invalid="true"' in field and "recipient-error" in field
    assert "autofocus" not in field  # the person has moved on: the focus stays there
    assert "L'aperçu attend une adresse correcte dans «\u00a0Aperçu pour\u00a0»." in fragment


def test_typing_a_text_previews_without_bringing_the_address_field_back(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    fragment = auth.post(
        "/messaging/templates/preview",
        data={**PREVIEW, "recipient": "camille@"},
        headers={**HX, "HX-Trigger": "preview"},
    ).get_data(as_text=True)
    assert 'id="recipient-field"' not in fragment and INVALID not in html.unescape(fragment)


# --- 3. the plain-text part carries the footer -------------------------------------------


FOOTER_FR = (
    "Vous recevez cet e-mail parce que vous avez accepté de recevoir les e-mails d'Empreinte.",
    "Se désabonner de ces e-mails : ",
)


def test_a_test_email_has_the_footer_in_its_plain_text_part_too(auth, client, make, smtp):
    login(client, make.user(roles=("organiser",), email="nora@example.org", locale="fr"))
    template, _texts = _builtin_texts("weekly-digest")
    auth.post(f"/messaging/templates/{template.id}/test", data={"language": "fr"})
    [(_to, email)] = smtp.messages
    plain = email.get_body(("plain",)).get_content().replace("\u00a0", " ")
    rich = html.unescape(email.get_body(("html",)).get_content())
    link = re.search(r'href="([^"]+)">Se désabonner de ces e-mails</a>', rich)[1]
    # A test comes because its author asked for it, not for their consent: so it says.
    asked = "Vous recevez cet e-mail parce que vous l'avez demandé."
    assert "\n-- \n" + asked + "\n" + FOOTER_FR[1] + link in plain
    assert asked in rich and FOOTER_FR[0] not in plain + rich
    assert "/messaging/test-unsubscribe" in link


def test_a_real_email_has_the_same_footer_and_link_in_both_parts(make, template, smtp):
    make.user(email="yes@example.org", email_opt_in=True, locale="fr")
    deliver_to_everyone(template())
    [(_to, email)] = smtp.messages
    plain = email.get_body(("plain",)).get_content().replace("\u00a0", " ")
    rich = html.unescape(email.get_body(("html",)).get_content())
    link = re.search(r'href="([^"]+)">Se désabonner de ces e-mails</a>', rich)[1]
    assert "/messaging/unsubscribe/" in link and link == email["List-Unsubscribe"][1:-1]
    assert plain.rstrip().endswith(FOOTER_FR[0] + "\n" + FOOTER_FR[1] + link)
    assert FOOTER_FR[0] in rich


# --- 4. the live count waits for the campaign --------------------------------------------


def test_the_live_count_asks_for_a_campaign_without_refusing(client, make):
    login(client, make.user(roles=("organiser",)))
    for headers in (HX, {}):
        shown = _text(
            client.get("/messaging/audience-size?audience=campaign-participants", headers=headers)
        )
        assert "Choisissez une campagne pour compter les destinataires." in shown
        assert "Choisissez une campagne. " not in shown + " "


def test_the_schedule_form_sent_without_a_campaign_still_refuses_it(auth, client, make, template):
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule",
        data={"template": tpl.id, "audience": "campaign-participants", "kind": "now"},
    )
    assert response.status_code == 422
    assert "Choisissez une campagne." in _text(response)


# --- 5. nothing changed: nothing recorded, and said so -----------------------------------


def _audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action))


def test_restoring_an_untouched_builtin_records_nothing_and_says_so(auth, client, make):
    template, _texts = _builtin_texts("campaign-launch")
    login(client, make.user(roles=("organiser",)))
    before = _audit_count("restore")
    response = auth.post(f"/messaging/templates/{template.id}/restore", follow_redirects=True)
    shown = _text(response)
    assert "Ce texte est déjà celui fourni." in shown
    assert "Le texte fourni avec Empreinte est rétabli." not in shown
    assert _audit_count("restore") == before


def test_stopping_a_stopped_recurring_message_records_nothing_and_says_so(
    auth, client, make, template
):
    organiser = make.user(roles=("organiser",))
    schedule = services.schedule_message(
        template(),
        "everyone",
        {},
        "cron",
        datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        actor=organiser,
        cron="0 9 * * mon",
    )
    db.session.commit()
    login(client, organiser)
    auth.post(f"/messaging/schedules/{schedule.id}/stop")
    before = _audit_count("deactivate")
    response = auth.post(f"/messaging/schedules/{schedule.id}/stop", follow_redirects=True)
    shown = _text(response)
    assert "Ce message récurrent était déjà arrêté." in shown
    assert "Message récurrent arrêté." not in shown
    assert _audit_count("deactivate") == before


# --- 6. the refused correction, in a clearer French sentence -----------------------------


def test_the_refused_correction_names_the_entry_before_the_correction(app):
    body = BUILTIN_TEMPLATES["entry-rejected"]["body_fr"]
    assert "Pour votre saisie «\u00a0{{ entry_action }}\u00a0» du {{ entry_date }}" in body
    assert "({{ entry_action }}) à" not in body


@pytest.mark.browser
def test_leaving_a_refused_preview_address_marks_its_field_and_keeps_the_focus_moving(page, make):
    make.user(roles=("organiser",), email="nora@example.org", display_name="Nora Benali")
    browser_sign_in(page, "nora@example.org")
    page.goto("/messaging/templates/new")
    page.fill("#subject_fr", "Bonjour {{ first_name }}")
    page.fill("#body_fr", "Corps")
    page.fill("#subject_en", "Hello {{ first_name }}")
    page.fill("#body_en", "Body")
    page.locator("#preview").get_by_text("Bonjour Nora").wait_for()
    page.fill("#recipient", "personne@")
    page.keyboard.press("Tab")  # on to the next control: the address is checked
    field = page.locator("#recipient")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#recipient-error")).to_have_text(INVALID)
    expect(field).to_have_attribute("aria-describedby", re.compile(r"recipient-error"))
    expect(page.get_by_text("Donnez une adresse e-mail valide.")).to_have_count(0)
    expect(field).not_to_be_focused()
    page.fill("#recipient", "nora@example.org")
    page.keyboard.press("Tab")
    expect(page.locator("#recipient-error")).to_have_count(0)
    expect(page.locator("#recipient")).not_to_have_attribute("aria-invalid", "true")
