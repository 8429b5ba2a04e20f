"""In chromium (htmx and the portal's scripts running): "Send me a test" after a preview
about a chosen campaign sends the text as typed, about that campaign; the scheduling
confirmation page starts with the focus on its message."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from tests.conftest import browser_sign_in, shown
from tests.messaging.test_test_as_previewed import SAVED

pytestmark = pytest.mark.browser


@pytest.fixture
def saved_with_a_coming_campaign(page, make, make_campaign, template, smtp):
    """Nora, an organiser, signed in; the saved template; a running campaign and one
    starting in 30 days ("Semaine du tri"): (template, coming campaign)."""
    today = utcnow()
    make_campaign(name_fr="Défi en cours")
    coming = make_campaign(name_fr="Semaine du tri", starts_at=today + timedelta(days=30),
                           ends_at=today + timedelta(days=35))  # fmt: skip
    make.user(roles=("organiser",), locale="fr", email="nora@example.org", display_name="Nora")
    tpl = template(**SAVED)
    browser_sign_in(page, "nora@example.org")
    return tpl, coming


def test_the_test_sends_what_the_preview_shows_and_keeps_the_page_as_typed(
    page, saved_with_a_coming_campaign, smtp
):
    tpl, coming = saved_with_a_coming_campaign
    page.goto(f"/messaging/templates/{tpl.id}?campaign_id={coming.id}")
    page.locator("#preview").get_by_text("Texte enregistré : Semaine du tri.").wait_for()
    page.fill("#subject_fr", "Objet tapé {{ first_name }}")
    page.get_by_role("button", name="M'envoyer un test").click()
    shown(page, "Message de test envoyé à nora@example.org").wait_for()
    [(_to, email)] = smtp.messages
    assert email["Subject"] == "[Test] Objet tapé Nora"
    assert "Semaine du tri" in email.get_body(("plain",)).get_content()
    expect(page.locator("#subject_fr")).to_have_value("Objet tapé {{ first_name }}")
    expect(page.locator("#campaign_id")).to_have_value(str(coming.id))
    expect(page.locator("#test-answer")).to_be_focused()  # by the button, after a redirect
    page.reload()
    expect(page.locator("#test-answer")).to_have_count(0)
    assert len(smtp.messages) == 1  # reloaded, nothing sent again


def test_the_scheduling_confirmation_page_starts_on_its_message(page, make, template):
    tpl = template()
    make.user(roles=("organiser",), email="nora@example.org")
    browser_sign_in(page, "nora@example.org")
    page.goto(f"/messaging/schedule?template={tpl.id}")
    page.get_by_label("Groupe de destinataires (obligatoire)", exact=True).select_option(
        label="Tout le monde"
    )
    page.locator("#schedule-form button[type=submit]:not([name=count])").click()
    expect(page.locator("h1")).to_have_text("Confirmer le message")
    expect(page.locator("h1")).to_be_focused()
    page.get_by_role("button", name="Envoyer maintenant").click()
    expect(page.locator("#flashes .flash")).to_be_focused()


def test_the_test_s_campaign_follows_the_campaign_chosen_for_the_preview(
    page, saved_with_a_coming_campaign, smtp
):
    tpl, coming = saved_with_a_coming_campaign
    page.goto(f"/messaging/templates/{tpl.id}")
    expect(page.locator("#test_campaign_id")).to_have_value("")  # nothing planned: their own
    page.locator("#campaign_id").select_option(str(coming.id))
    page.locator("#preview").get_by_text("Texte enregistré : Semaine du tri.").wait_for()
    expect(page.locator("#test_campaign_id")).to_have_value(str(coming.id))
    page.get_by_role("button", name="M'envoyer un test").click()
    shown(page, "Message de test envoyé à nora@example.org").wait_for()
    [(_to, email)] = smtp.messages
    assert "Semaine du tri" in email.get_body(("plain",)).get_content()
