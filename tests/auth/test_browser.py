"""Signing in with an e-mailed link, in chromium, with the keyboard only."""

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_person_without_a_password_signs_in_with_the_link_from_their_mailbox(page, make, smtp):
    make.user(password=None, display_name="Noé Garnier", email="noe@example.org")
    page.goto("/auth/sign-in")
    page.locator("#link-email").focus()  # the link form's: both say « Votre e-mail professionnel »
    page.keyboard.type("noe@example.org")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    expect(page.get_by_role("status").filter(has_text="noe@example.org")).to_be_visible()
    # The e-mail leaves once the page has been answered: wait for it as a person would.
    deadline = time.monotonic() + 10
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [(to, message)] = smtp.messages
    assert to == "noe@example.org"
    url = re.search(r"https?://\S+", message.get_body(("plain",)).get_content()).group(0)
    page.goto(urlsplit(url).path)
    expect(
        page.get_by_text("Vous allez vous connecter avec le compte noe@example.org.")
    ).to_be_visible()
    page.get_by_role("button", name="Se connecter").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("main")).to_contain_text("Noé")


@pytest.fixture
def sso_portal(make_app, identity_provider):
    """The portal with single sign-on, served over HTTP for the browser."""
    import threading

    from werkzeug.serving import make_server

    portal = make_app(
        OIDC_ISSUER=identity_provider, OIDC_CLIENT_ID="empreinte", OIDC_CLIENT_SECRET="secret"
    )
    server = make_server("127.0.0.1", 0, portal, threaded=True)
    # Cookies do not tell ports apart: the provider is at 127.0.0.1, the portal at
    # localhost, as two hosts would be, or each would overwrite the other's session.
    base_url = f"http://localhost:{server.server_port}"
    portal.config["PUBLIC_BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


def test_a_person_signs_in_with_their_work_account_from_the_keyboard(browser, sso_portal, make):
    make.user(password=None, display_name="Maëlle Girard", email="maelle@example.org")
    context = browser.new_context(base_url=sso_portal, locale="fr-FR")
    # The test provider's own page asks a CDN for its stylesheet; this machine is offline.
    context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/auth/sign-in?next=/recycling/")
        page.keyboard.press("Tab")  # the skip link
        sso_button = page.get_by_role(
            "link", name="Me connecter avec mon compte Bordeaux Métropole"
        )
        while not sso_button.evaluate("element => element === document.activeElement"):
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/oauth2/authorize"))  # the authority's page
        page.get_by_placeholder("sub").fill("maelle@example.org")
        page.get_by_placeholder("sub").press("Enter")
        expect(page).to_have_url(re.compile(r"/recycling/$"))
        sign_out = page.get_by_role("button", name="Se déconnecter")
        sign_out.focus()
        page.keyboard.press("Enter")
        # The portal's content security policy lets the sign-out form end at the provider.
        page.wait_for_url(re.compile(r"/oauth2/end_session\?"))
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_single_sign_on_pages_pass_axe_in_both_languages(browser, sso_portal, lang):
    """The sign-in page with its single sign-on button, and the page of a cancelled one."""
    from tests.audit.conftest import Visitor, describe_violations

    visitor = Visitor(browser, sso_portal, lang)
    try:
        for path, status in (
            (f"/auth/sign-in?lang={lang}", 200),
            (f"/auth/sso/callback?error=access_denied&state=gone&lang={lang}", 400),
        ):
            assert visitor.page.goto(path).status == status
            assert visitor.page.get_attribute("html", "lang") == lang
            violations = visitor.axe_violations()
            assert not violations, f"{path}\n{describe_violations(violations)}"
    finally:
        visitor.close()
