"""An organiser writes a template, previews it in both languages and schedules it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.models import Delivery, Dispatch, Schedule
from tests.conftest import browser_sign_in, shown
from tests.messaging.conftest import coming

pytestmark = pytest.mark.browser


def _sign_in_as_an_organiser(page, make):
    make.user(roles=("organiser",), email="nora@example.org", display_name="Nora Benali")
    browser_sign_in(page, "nora@example.org")


@pytest.mark.journey
def test_organiser_writes_previews_and_schedules_a_template(page, make):
    _sign_in_as_an_organiser(page, make)
    page.goto("/messaging/templates/new")
    page.fill("#key", "spring")
    page.fill("#name", "Printemps")
    page.fill("#subject_fr", "Bonjour {{ first_name }}")
    page.fill("#body_fr", "Le printemps arrive, {{ first_name }}.")
    page.fill("#subject_en", "Hello {{ first_name }}")
    page.fill("#body_en", "Spring is coming, {{ first_name }}.")
    # the live preview (htmx) shows both languages for the organiser
    preview = page.locator("#preview")
    preview.get_by_text("Le printemps arrive, Nora.").wait_for()
    preview.get_by_text("Spring is coming, Nora.").wait_for()
    page.locator("button[name=action][value=save]").click()
    page.get_by_role("link", name="Planifier ce modèle").click()
    page.get_by_label("Groupe de destinataires (obligatoire)", exact=True).select_option(
        label="Tout le monde"
    )
    page.locator("#audience-size").get_by_text("1 destinataire").wait_for()
    page.get_by_label("À une date et une heure").check()
    page.fill("#at", coming(3, 2))
    page.locator("#schedule-form button[type=submit]:not([name=count])").click()
    # Asked first, in words; nothing is planned before "yes".
    page.get_by_text(
        f"Envoyer à 1 personne le 2 mars {coming(3, 2)[:4]}, 9\u00a0h\u00a0?"
    ).wait_for()
    assert db.session.scalar(select(Dispatch)) is None
    page.get_by_role("button", name="Le planifier").click()
    shown(page, "Message planifié.").wait_for()
    dispatch = db.session.scalar(select(Dispatch))
    assert dispatch.template.key == "spring" and dispatch.status == "scheduled"


def test_organiser_schedules_a_monthly_message_seeing_only_the_fields_that_apply(
    page, make, template
):
    template()
    _sign_in_as_an_organiser(page, make)
    page.goto("/messaging/schedule")
    assert not page.is_visible("#at") and not page.is_visible("#repeat")
    page.get_by_label("Récurrent").check()
    assert page.is_visible("#weekday") and page.is_visible("#time")
    assert not page.is_visible("#month_day") and not page.is_visible("#cron")
    page.get_by_label("Fréquence").select_option(label="Chaque mois")
    assert page.is_visible("#month_day") and not page.is_visible("#weekday")
    page.get_by_label("Jour du mois").select_option("15")
    page.get_by_label("Heure (heure de Paris)", exact=True).fill("08:45")
    page.get_by_label("Modèle (obligatoire)", exact=True).select_option(label="Hello (hello)")
    # The template brings its recipients back (htmx): the audience is chosen in those.
    page.wait_for_load_state("networkidle")
    page.get_by_label("Groupe de destinataires (obligatoire)", exact=True).select_option(
        label="Tout le monde"
    )
    page.locator("#schedule-form button[type=submit]:not([name=count])").click()
    page.get_by_text("chaque mois, le 15 à 8\u00a0h\u00a045\u00a0?").wait_for()
    page.get_by_role("button", name="Le planifier").click()
    shown(page, "Message planifié.").wait_for()
    page.get_by_role("cell", name="Chaque mois, le 15 à 8\u00a0h\u00a045").wait_for()
    assert db.session.scalar(select(Schedule.cron)) == "45 8 15 * *"


def test_stopping_a_recurring_message_asks_first(page, make, template):
    """A plain form (no htmx) asks too: "keep it" sends nothing, "Stop" stops it."""
    tpl = template()
    _sign_in_as_an_organiser(page, make)
    organiser = db.session.scalar(select(User).where(User.email == "nora@example.org"))
    services.schedule_message(tpl, "everyone", {}, "cron", utcnow(), organiser, cron="0 9 * * mon")
    db.session.commit()
    page.goto("/messaging/dispatches")
    stop = page.locator("form[action*='/stop'] button")

    stop.click()
    question = "Arrêter ce message récurrent\u00a0? Il ne sera plus envoyé."
    dialog = page.get_by_role("alertdialog", name=question)
    dialog.get_by_role("button", name="Ne rien changer").click()
    expect(dialog).to_have_count(0)
    expect(stop).to_be_focused()
    db.session.expire_all()
    assert db.session.scalar(select(Schedule.active)) is True

    stop.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Arrêter").click()
    shown(page, "Aucun message récurrent.").wait_for()
    db.session.expire_all()
    assert db.session.scalar(select(Schedule.active)) is False


def test_deleting_a_message_with_the_keyboard_asks_first_then_says_so(page, make, template):
    """htmx swaps the message for "Message supprimé.", read out, where the focus goes."""
    reader = make.user(email="ines@example.org", display_name="Inès Roux")
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    browser_sign_in(page, reader.email)
    page.goto("/messaging/")
    delete = page.get_by_role("button", name="Supprimer Bonjour Inès")
    delete.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role(
        "alertdialog", name="Supprimer ce message\u00a0? Son contenu sera effacé définitivement."
    )
    expect(dialog.get_by_role("button", name="Ne rien changer")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(delete).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Le supprimer")).to_be_focused()
    page.keyboard.press("Enter")
    done = shown(page, "Message supprimé.")
    expect(done).to_be_visible()
    expect(done).to_be_focused()  # not the top of the page: the button is gone
    # Focused, the message is read for that, once: #announcer does not repeat it.
    expect(page.locator(":focus")).to_have_text("Message supprimé.")
    page.wait_for_timeout(400)  # past the moment #announcer would be filled
    expect(page.locator("#announcer")).not_to_contain_text("Message supprimé.")
    db.session.expire_all()
    inbox = select(Delivery.deleted_at).where(
        Delivery.user_id == reader.id, Delivery.channel == "inbox"
    )
    assert db.session.scalar(inbox) is not None


def test_reading_one_message_updates_the_unread_count_and_the_menu_badge(page, make, template):
    reader = make.user(email="ines@example.org", display_name="Inès Roux")
    tpl = template()
    now = utcnow()
    for _ in range(2):
        dispatch = services.create_dispatch(tpl, "everyone", {}, now, now)
        db.session.commit()
        jobs.run_dispatch(dispatch.id, clock=lambda: now)
    browser_sign_in(page, reader.email)
    page.goto("/messaging/")
    menu_entry = page.locator(".main-nav a[href='/messaging/']")
    expect(menu_entry.locator(".badge [aria-hidden=true]")).to_have_text("2")  # as seen
    expect(menu_entry).to_have_accessible_name("Messages 2 messages non lus")
    expect(page.locator("#inbox-head p")).to_have_text("2 messages non lus")
    page.get_by_role("button", name=re.compile(r"^Marquer comme lu ")).first.click()
    expect(shown(page, "Marqué comme lu.")).to_be_visible()
    expect(menu_entry).to_have_accessible_name("Messages 1 message non lu")
    expect(page.locator("#inbox-head p")).to_have_text("1 message non lu")
    expect(menu_entry).to_have_attribute("aria-current", "page")


def test_deleting_the_read_messages_asks_first_as_deleting_one_does(page, make, template):
    """The button that appears once a message is read (the counts come back with it,
    out of band) asks first, its focus on "keep"; Escape keeps them; "Delete them" does."""
    reader = make.user(email="ines@example.org", display_name="Inès Roux")
    tpl = template()
    now = utcnow()
    for _ in range(2):
        dispatch = services.create_dispatch(tpl, "everyone", {}, now, now)
        db.session.commit()
        jobs.run_dispatch(dispatch.id, clock=lambda: now)
    browser_sign_in(page, reader.email)
    page.goto("/messaging/")
    page.get_by_role("button", name=re.compile(r"^Marquer comme lu ")).first.click()
    delete_read = page.get_by_role("button", name="Supprimer les messages lus")
    delete_read.click()
    dialog = page.get_by_role(
        "alertdialog",
        name="Supprimer tous les messages que vous avez lus\u00a0? "
        "Leur contenu sera effacé définitivement.",
    )
    expect(dialog.get_by_role("button", name="Les garder")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(delete_read).to_be_focused()
    kept = select(Delivery).where(
        Delivery.user_id == reader.id, Delivery.channel == "inbox", Delivery.deleted_at.is_(None)
    )
    db.session.expire_all()
    assert len(db.session.scalars(kept).all()) == 2

    delete_read.click()
    dialog.get_by_role("button", name="Les supprimer").click()
    expect(page.locator("article.message")).to_have_count(1)
    db.session.expire_all()
    assert len(db.session.scalars(kept).all()) == 1


# --- review of 8 December: Enter in "Preview for", the built-in saved unchanged, what is read out


def _editor(page, make, template):
    """An organiser on a template's editor, what #announcer is given recorded from the
    page's first moment in `window.said`."""
    page.add_init_script(
        """document.addEventListener('DOMContentLoaded', () => {
          window.said = []; const region = document.getElementById('announcer');
          new MutationObserver(() => { const words = region.textContent.trim();
            if (words) { window.said.push(words); } })
            .observe(region, {childList: true, subtree: true, characterData: true}); });"""
    )
    make.user(email="camille@example.org", display_name="Camille Durand")
    _sign_in_as_an_organiser(page, make)
    tpl = template()
    page.goto(f"/messaging/templates/{tpl.id}")
    return tpl


def _updates(tpl) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "update", AuditEvent.object_id == str(tpl.id)
        )
    )


def test_enter_in_preview_for_previews_for_that_person_and_never_saves(page, make, template):
    tpl = _editor(page, make, template)
    page.fill("#recipient", "camille@example.org")
    page.press("#recipient", "Enter")
    expect(page.locator("#preview")).to_contain_text("Pour camille@example.org")
    page.wait_for_timeout(600)  # past the moment a form sent would have come back
    expect(shown(page, "Modèle enregistré.")).to_have_count(0)
    expect(page.locator("#preview")).to_contain_text("Pour camille@example.org")
    assert _updates(tpl) == 0


def test_enter_in_preview_for_without_javascript_previews_and_never_saves(
    browser, live_server, make, template
):
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        make.user(email="camille@example.org", display_name="Camille Durand")
        _sign_in_as_an_organiser(page, make)
        tpl = template()
        page.goto(f"/messaging/templates/{tpl.id}")
        page.fill("#recipient", "camille@example.org")
        page.press("#recipient", "Enter")
        page.wait_for_url(re.compile(r"#preview-heading$"))
        expect(page.locator("#preview")).to_contain_text("Pour camille@example.org")
        expect(page.get_by_text("Modèle enregistré.")).to_have_count(0)
        assert _updates(tpl) == 0
    finally:
        context.close()


def test_a_refused_preview_address_is_read_out(page, make, template):
    _editor(page, make, template)
    page.fill("#recipient", "personne@")  # not well formed (one nobody has is not refused)
    page.press("#recipient", "Enter")
    expect(page.locator("#recipient-error")).to_have_text("Cette adresse e-mail n'est pas valide.")
    expect(page.locator("#announcer")).to_have_text(
        "Aperçu pour\u00a0: Cette adresse e-mail n'est pas valide."
    )


def test_the_preview_is_read_out_only_after_a_change_asked_for(page, make, template):
    _editor(page, make, template)
    expect(page.locator("#preview")).to_contain_text("Bonjour Nora")
    page.get_by_role("button", name="Enregistrer").click()
    expect(shown(page, "Modèle enregistré.")).to_be_focused()
    page.wait_for_timeout(600)  # past the moment a preview asked on load would be read out
    assert "Aperçu mis à jour." not in page.evaluate("window.said")
    page.fill("#body_en", "Hello again, {{ first_name }}.")
    expect(page.locator("#announcer")).to_have_text("Aperçu mis à jour.")


def test_saving_an_unchanged_builtin_does_not_offer_to_restore_it(page, make):
    ensure_builtin_templates()
    builtin = services.template_by_key("campaign-launch")
    db.session.commit()
    _sign_in_as_an_organiser(page, make)
    page.goto(f"/messaging/templates/{builtin.id}")
    page.get_by_role("button", name="Enregistrer").click()
    expect(shown(page, "Modèle enregistré.")).to_be_visible()
    expect(page.get_by_text("Rétablir le texte fourni")).to_have_count(0)
