"""The roles page after a change: the focus lands on the person's row, never back at the
top of the page, and granting Administrator asks first, with or without JavaScript."""

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


_sign_in = browser_sign_in


def test_a_change_with_htmx_answers_the_persons_row_saying_what_changed(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    person = make.user(display_name="Yasmine Petit", email="yasmine@example.org")

    response = auth.post(
        f"/admin/roles/{person.id}?q=yasmine",
        {"change": "grant:agent"},
        headers={"HX-Request": "true"},
    )

    row = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert row.lstrip().startswith(f'<tr id="person-{person.id}"')
    assert response.headers["HX-Retarget"] == f"#person-{person.id}"
    message_id = f"person-{person.id}-message"
    assert (
        f'<span id="{message_id}">Collection agent role granted to yasmine@example.org.</span>'
        in row
    )
    # The button that now revokes it takes the focus, described by what happened.
    assert re.search(
        rf'<button [^>]*value="revoke:agent"[^>]*aria-describedby="{message_id}" autofocus', row
    )


def test_a_refused_change_with_htmx_says_why_in_the_row(client, auth, make):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)

    response = auth.post(
        f"/admin/roles/{admin.id}", {"change": "revoke:admin"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 409
    row = html.unescape(response.get_data(as_text=True))
    assert 'class="error" tabindex="-1" autofocus>You cannot remove your own admin role.' in row


def test_a_change_without_javascript_goes_back_to_the_persons_row(client, auth, make):
    login(client, make.user(roles=("admin",)))
    person = make.user(email="yasmine@example.org")

    response = auth.post(f"/admin/roles/{person.id}?q=yasmine", {"change": "grant:agent"})

    assert response.headers["Location"] == f"/admin/roles?q=yasmine#person-{person.id}"
    page = client.get("/admin/roles?q=yasmine").get_data(as_text=True)
    assert f'<tr id="person-{person.id}"' in page


@pytest.mark.browser
def test_granting_a_role_puts_the_focus_on_what_changed_in_the_persons_row(page, make):
    """The pressed button is replaced by the row's new state: the focus went to the top."""
    from playwright.sync_api import expect

    make.user(roles=("admin",), email="admin@example.org")
    make.user(display_name="Yasmine Petit", email="yasmine@example.org")
    _sign_in(page, "admin@example.org")
    page.goto("/admin/roles?q=yasmine")

    page.get_by_role(
        "button", name="Attribuer le rôle «\u00a0Agent de collecte\u00a0» à Yasmine Petit"
    ).focus()
    page.keyboard.press("Enter")

    # Focused, the button now revoking the role reads what happened as its description.
    revoke = page.get_by_role(
        "button", name="Retirer le rôle «\u00a0Agent de collecte\u00a0» à Yasmine Petit"
    )
    expect(revoke).to_be_focused()
    expect(revoke).to_have_accessible_description(
        "Rôle «\u00a0Agent de collecte\u00a0» attribué à yasmine@example.org."
    )
    assert _roles_of("yasmine@example.org") == {"employee", "agent"}


@pytest.mark.browser
def test_without_javascript_the_page_comes_back_at_the_persons_row(browser, live_server, make):
    from playwright.sync_api import expect

    make.user(roles=("admin",), email="admin@example.org")
    person = make.user(display_name="Yasmine Petit", email="yasmine@example.org")
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, "admin@example.org")
    page.goto("/admin/roles?q=yasmine")

    page.get_by_role(
        "button", name="Attribuer le rôle «\u00a0Agent de collecte\u00a0» à Yasmine Petit"
    ).click()

    expect(page).to_have_url(f"{live_server}/admin/roles?q=yasmine#person-{person.id}")
    assert page.evaluate("document.activeElement.id") == f"person-{person.id}"
    context.close()


@pytest.mark.browser
def test_granting_administrator_without_javascript_asks_first(browser, live_server, make):
    """Without JavaScript, "Grant" Administrator made the person an admin on one click."""
    from playwright.sync_api import expect

    make.user(roles=("admin",), email="admin@example.org")
    person = make.user(display_name="Yasmine Petit", email="yasmine@example.org")
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, "admin@example.org")
    page.goto("/admin/roles?q=yasmine")

    page.get_by_role(
        "button", name="Attribuer le rôle «\u00a0Administrateur\u00a0» à Yasmine Petit"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Donner le rôle «\u00a0Administrateur\u00a0» à Yasmine Petit ?"
    )
    assert _roles_of("yasmine@example.org") == {"employee"}
    page.get_by_role(
        "button", name="Donner le rôle «\u00a0Administrateur\u00a0» à Yasmine Petit"
    ).click()
    expect(page).to_have_url(f"{live_server}/admin/roles?q=yasmine#person-{person.id}")
    assert _roles_of("yasmine@example.org") == {"employee", "admin"}
    context.close()


def test_a_summary_too_long_to_store_ends_with_an_ellipsis(make):
    """A cut summary used to read as if it were whole."""
    from datetime import UTC, datetime

    from app.core.audit import record_audit

    summary = "name: " + "x" * 600
    event = record_audit(
        make.user(), "update", "campaign", 7, datetime(2026, 1, 1, tzinfo=UTC), summary
    )
    db.session.commit()
    db.session.expire_all()
    assert len(event.summary) == 500 and event.summary == summary[:499] + "…"
