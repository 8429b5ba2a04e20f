"""Revoking a role asks first (« Retirer » removed it at once, on one key press), in the
portal's dialog with JavaScript and on a page of its own without; Cancel changes nothing."""

import html
import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.conftest import browser_sign_in, login


def _roles_of(email: str) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalar(select(User).filter_by(email=email)).roles)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_revoke_button_asks_naming_the_person_and_what_they_lose(client, make):
    login(client, make.user(roles=("admin",)))  # French
    make.user(display_name="Yasmine Petit", roles=("employee", "organiser"))

    page = _text(client.get("/admin/roles"))

    label = 'aria-label="Retirer le rôle «\u00a0Organisateur\u00a0» à Yasmine Petit"'
    button = re.search(rf'<button[^>]*value="revoke:organiser"\s+{label}[^>]*>', page)[0]
    assert (
        'data-confirm="Retirer le rôle «\u00a0Organisateur\u00a0» à Yasmine Petit\xa0? Cette personne'
        in button
    )
    assert 'data-confirm-yes="Retirer le rôle «\u00a0Organisateur\u00a0» à Yasmine Petit"' in button
    assert 'data-confirm-no="Annuler"' in button and 'form="roles-ask-first"' in button


@pytest.mark.parametrize("role", ["organiser", "admin", "agent"])
def test_without_javascript_revoking_asks_on_a_page_and_changes_nothing(client, auth, make, role):
    login(client, make.user(roles=("admin",)))
    person = make.user(display_name="Yasmine Petit", roles=("employee", role))

    asked = auth.post(
        f"/admin/roles/{person.id}", {"change": f"revoke:{role}", "ask_first_after_check": "1"}
    )

    page = _text(asked)
    assert asked.status_code == 200
    assert re.search(r"<h1[^>]*>\s*Retirer le rôle [^<]* à Yasmine Petit\xa0\?", page)
    assert role in _roles_of(person.email)
    # "Yes" sends the same form again without the question: then the role goes.
    assert auth.post(f"/admin/roles/{person.id}", {"change": f"revoke:{role}"}).status_code == 302
    assert role not in _roles_of(person.email)


def test_without_javascript_ones_own_admin_role_is_still_refused_not_asked(client, auth, make):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)

    refused = auth.post(
        f"/admin/roles/{admin.id}", {"change": "revoke:admin", "ask_first_after_check": "1"}
    )

    assert refused.status_code == 302
    assert "You cannot remove your own admin role." in _text(client.get("/admin/roles"))
    assert "admin" in _roles_of(admin.email)


@pytest.mark.browser
def test_revoking_asks_in_the_dialog_escape_keeps_the_role_and_the_focus(page, make):
    from playwright.sync_api import expect

    make.user(roles=("admin",), email="admin@example.org")
    make.user(display_name="Yasmine Petit", email="yasmine@example.org", roles=("organiser",))
    browser_sign_in(page, "admin@example.org")
    page.goto("/admin/roles?q=yasmine")
    revoke = page.get_by_role(
        "button", name="Retirer le rôle «\u00a0Organisateur\u00a0» à Yasmine Petit"
    )

    revoke.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(
        "Retirer le rôle «\u00a0Organisateur\u00a0» à Yasmine Petit\xa0?"
    )
    page.keyboard.press("Escape")

    expect(dialog).to_have_count(0)
    expect(revoke).to_be_focused()
    assert _roles_of("yasmine@example.org") == {"employee", "organiser"}

    page.keyboard.press("Enter")
    dialog.get_by_role(
        "button", name="Retirer le rôle «\u00a0Organisateur\u00a0» à Yasmine Petit"
    ).click()

    grant = page.get_by_role(
        "button", name="Attribuer le rôle «\u00a0Organisateur\u00a0» à Yasmine Petit"
    )
    expect(grant).to_be_focused()
    assert _roles_of("yasmine@example.org") == {"employee"}
