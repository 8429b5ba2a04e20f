"""Without JavaScript, an action that cannot be undone asks on a page of its own first."""

import html
import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.conftest import csrf_token, login

ASKED = re.compile(r"<noscript>(.*?)</noscript>", re.S)


def _noscript_fields(page: str, around: str) -> dict[str, str]:
    """The hidden fields a browser without JavaScript sends from the form around `around`."""
    start = page.index(around)
    block = ASKED.search(page, page.rindex("<form", 0, start)).group(1)
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', html.unescape(block)))


def test_deactivating_without_javascript_asks_then_acts_on_yes(client, make):
    person = make.user(display_name="Nora Benali")
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    fields = _noscript_fields(page, 'value="deactivate"')
    form = {"csrf_token": csrf_token(client), "change": "deactivate", **fields}

    asked = client.post(f"/admin/people/{person.id}/status", data=form)

    text = html.unescape(asked.get_data(as_text=True))
    assert asked.status_code == 200
    assert "<h1>Deactivate the account of Nora Benali?" in text
    assert db.session.scalar(select(User.active).where(User.id == person.id)) is True
    # "Yes" sends the same form again, without the question.
    again = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
    assert again["change"] == "deactivate" and "ask_first" not in again
    assert client.post(f"/admin/people/{person.id}/status", data=again).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User.active).where(User.id == person.id)) is False


def test_the_question_changes_nothing_without_a_valid_form(client, make):
    """The question page comes after the CSRF check: a forged form is refused as before."""
    person = make.user()
    login(client, make.user(roles=("admin",)))
    refused = client.post(
        f"/admin/people/{person.id}/status",
        data={"change": "deactivate", "ask_first": "Deactivate?", "csrf_token": "forged"},
    )
    assert refused.status_code == 400


@pytest.mark.browser
def test_revoking_a_token_without_javascript_asks_on_a_page_first(browser, live_server, make):
    """In a browser that runs no script, "Revoke" used to act at once."""
    from playwright.sync_api import expect

    from app.auth.models import ApiToken
    from app.auth.services import create_api_token

    person = make.user(password="correct horse battery", locale="fr")
    create_api_token(person, "Tableur")
    db.session.commit()
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto("/auth/sign-in")
    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", "correct horse battery")
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url(lambda url: "/auth/sign-in" not in url)
    page.goto("/auth/profile")

    page.get_by_role("button", name="Révoquer Tableur").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Révoquer ce jeton ? Les programmes qui l'utilisent perdent l'accès aussitôt."
    )
    assert db.session.scalar(select(ApiToken.revoked_at)) is None
    page.get_by_role("link", name="Ne rien changer").click()
    expect(page).to_have_url(f"{live_server}/auth/profile")
    page.get_by_role("button", name="Révoquer Tableur").click()
    page.get_by_role("button", name="Révoquer Tableur").click()
    expect(page.get_by_role("button", name="Révoquer Tableur")).to_have_count(0)
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    context.close()
