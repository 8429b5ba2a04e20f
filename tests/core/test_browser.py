"""A person signs in, switches language and signs out in a real browser."""

import pytest

from tests.conftest import browser_sign_in, shown

pytestmark = pytest.mark.browser


def test_sign_in_switch_language_and_sign_out(page, make):
    make.user(email="ines@example.org", display_name="Inès Roux")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.locator("#email").fill("ines@example.org")
    page.get_by_label("Mot de passe").fill("correct horse battery")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Bonjour Inès").wait_for()

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Hello Inès").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    page.goto("/")
    assert "/auth/sign-in" in page.url


def test_skip_link_is_the_first_thing_the_keyboard_reaches(page):
    page.goto("/auth/sign-in")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu principal"


def test_the_next_page_loads_without_fetching_the_static_files_again(page):
    """Only the first page fetches the stylesheet and scripts; before, each page view
    asked for them again (four requests answered 304)."""
    page.goto("/auth/sign-in", wait_until="networkidle")  # the icon comes after "load"
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    fetched, from_cache = [], set()
    cdp.on("Network.requestServedFromCache", lambda event: from_cache.add(event["requestId"]))

    def received(event):
        response = event["response"]
        if "/static/" in response["url"] and not response.get("fromDiskCache"):
            fetched.append((event["requestId"], response["url"], response["status"]))

    cdp.on("Network.responseReceived", received)
    page.goto("/privacy")
    page.wait_for_load_state("load")
    assert page.locator("link[rel=stylesheet]").count() == 1
    assert [f for f in fetched if f[0] not in from_cache] == []


def test_an_admin_grants_and_revokes_a_role_from_the_table_with_the_keyboard(page, make):
    """One form serves the whole table: each button sends its own person and change."""
    from app.auth.models import User
    from app.extensions import db

    make.user(roles=("admin",), email="admin@example.org")
    make.user(display_name="Yasmine Petit", email="yasmine@example.org")
    page.goto("/auth/sign-in")
    page.locator("#email").fill("admin@example.org")
    page.get_by_label("Mot de passe").fill("correct horse battery")
    page.get_by_label("Mot de passe").press("Enter")
    page.get_by_role("heading", name="Bonjour").first.wait_for()
    page.goto("/admin/roles?q=yasmine")
    page.get_by_role(
        "button", name="Attribuer le rôle «\u00a0Agent de collecte\u00a0» à Yasmine Petit"
    ).focus()
    page.keyboard.press("Enter")
    shown(page, "Rôle «\u00a0Agent de collecte\u00a0» attribué à yasmine@example.org.").wait_for()
    assert db.session.scalar(db.select(User).filter_by(email="yasmine@example.org")).roles == {
        "employee",
        "agent",
    }
    page.get_by_role(
        "button", name="Retirer le rôle «\u00a0Agent de collecte\u00a0» à Yasmine Petit"
    ).click()
    dialog = page.get_by_role("alertdialog")  # revoking asks first
    dialog.get_by_role(
        "button", name="Retirer le rôle «\u00a0Agent de collecte\u00a0» à Yasmine Petit"
    ).click()
    shown(page, "Rôle «\u00a0Agent de collecte\u00a0» retiré à yasmine@example.org.").wait_for()
    db.session.expire_all()
    assert db.session.scalar(db.select(User).filter_by(email="yasmine@example.org")).roles == {
        "employee"
    }


def test_granting_administrator_from_the_shared_table_asks_first(page, make):
    """The question sits on the one button of the table's shared form that needs it."""
    from app.auth.models import User
    from app.extensions import db

    make.user(roles=("admin",), email="admin@example.org")
    make.user(display_name="Yasmine Petit", email="yasmine@example.org")
    _sign_in(page, "admin@example.org")
    page.goto("/admin/roles?q=yasmine")
    grant = page.get_by_role(
        "button", name="Attribuer le rôle «\u00a0Administrateur\u00a0» à Yasmine Petit"
    )
    grant.click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_role("button", name="Annuler").wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert db.session.scalar(db.select(User).filter_by(email="yasmine@example.org")).roles == {
        "employee"
    }
    grant.click()
    page.get_by_role(
        "button", name="Donner le rôle «\u00a0Administrateur\u00a0» à Yasmine Petit"
    ).click()
    shown(page, "Rôle «\u00a0Administrateur\u00a0» attribué à yasmine@example.org.").wait_for()
    db.session.expire_all()
    assert (
        "admin" in db.session.scalar(db.select(User).filter_by(email="yasmine@example.org")).roles
    )


_sign_in = browser_sign_in


def test_an_admin_erases_a_person_only_after_confirming_it_cannot_be_undone(page, make):
    """The button erased at once: the person's days to withdraw were gone on one click."""
    from playwright.sync_api import expect

    from app.auth.models import User
    from app.core.privacy_services import request_erasure
    from app.core.time import utcnow
    from app.extensions import db

    make.user(roles=("admin",), email="admin@example.org")
    person = make.user(display_name="Zoé Garnier", email="zoe@example.org")
    request_erasure(person, utcnow())
    db.session.commit()
    _sign_in(page, "admin@example.org")
    page.goto("/admin/erasures")
    page.get_by_role("button", name="Effacer Zoé Garnier maintenant").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("C'est irréversible.")
    expect(dialog.get_by_role("button", name="Garder la demande")).to_be_focused()
    dialog.get_by_role("button", name="Garder la demande").click()
    expect(dialog).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(User, person.id).anonymised_at is None

    page.get_by_role("button", name="Effacer Zoé Garnier maintenant").click()
    dialog.get_by_role("button", name="Effacer Zoé Garnier maintenant").click()
    shown(page, "Les données personnelles de cette personne sont effacées.").wait_for()
    db.session.expire_all()
    assert db.session.get(User, person.id).anonymised_at is not None


def test_a_refused_password_change_lands_on_the_refused_field(page, make):
    """The form is far down the profile: the page came back at its top, the error unseen."""
    from playwright.sync_api import expect

    make.user(email="ines@example.org")
    _sign_in(page, "ines@example.org")
    page.goto("/auth/profile")
    page.get_by_label("Mot de passe actuel").fill("not it")
    page.get_by_label("Nouveau mot de passe (obligatoire)", exact=True).fill(
        "another long passphrase"
    )
    page.get_by_label("Répétez le nouveau mot de passe").fill("another long passphrase")
    page.get_by_role("button", name="Changer mon mot de passe").click()
    current = page.get_by_label("Mot de passe actuel")
    expect(current).to_be_focused()
    expect(current).to_be_in_viewport()
    expect(page.get_by_text("Ce n'est pas votre mot de passe actuel.")).to_be_in_viewport()
