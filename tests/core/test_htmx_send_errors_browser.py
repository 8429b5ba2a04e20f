"""An htmx action in a real browser when the network fails it, and when the session ended.

A phone that went offline at the agent's desk: "Confirmer la réception" is busy while
its request is on its way (a second tap sends nothing more), then says the connection
was lost, where the page shows its other messages, and works again. A connection that
breaks once the request has left may have had it saved: the page says to reload and see
(it said "nothing was saved", and the retry was refused as already received). A request left
unanswered ends (htmx's timeout) and says so. Signed out meanwhile, the answer's
"Se connecter" comes back to the desk's view and page.
"""

import re

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from tests.conftest import browser_sign_in
from tests.recycling.conftest import RecyclingFactories

pytestmark = pytest.mark.browser

LOST = "Connexion perdue\u00a0: rien n'a été enregistré. Vérifiez votre réseau et réessayez."
CUT = (
    "Connexion perdue avant la réponse du portail. Rechargez la page pour voir si cela a "
    "été enregistré avant de réessayer."
)
LATE = (
    "Le portail n'a pas répondu. Rechargez la page pour voir si cela a été enregistré "
    "avant de réessayer."
)


@pytest.fixture
def at_the_desk(page, make):
    """A French agent on their desk with one declared return: (page, its row's button)."""
    rec = RecyclingFactories(make)
    point = rec.point(name="Point Cenon", opening_hours="24/7")
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(locale="fr"), point, now=utcnow())
    browser_sign_in(page, agent)
    page.goto("/recycling/agent?status=all&page=1", wait_until="load")
    row = page.locator(f"#return-{device_return.receipt_number}")
    return row, row.get_by_role("button", name="Confirmer la réception")


def _messages(page):
    """The page's messages, as a screen reader finds them: its status region (#flashes)."""
    return page.get_by_role("status").and_(page.locator("#flashes"))


def test_a_receipt_confirmed_offline_says_the_connection_was_lost(page, at_the_desk):
    row, confirm = at_the_desk
    page.context.set_offline(True)

    confirm.click()

    expect(_messages(page)).to_have_text(LOST)
    expect(row.locator(".return-status")).to_have_text("Déclaré")
    expect(confirm).not_to_have_attribute("aria-busy", "true")
    expect(confirm).to_be_enabled()
    expect(confirm).to_be_focused()


def test_a_receipt_whose_answer_was_lost_says_to_reload_and_see(page, at_the_desk):
    row, confirm = at_the_desk

    def saved_then_cut(route):
        route.fetch()  # the server receives the form and saves the receipt
        route.abort("connectionreset")

    page.route("**/receive*", saved_then_cut)

    confirm.click()

    expect(_messages(page)).to_have_text(CUT)
    page.unroute("**/receive*")
    page.reload()
    expect(page.locator(f"#{row.get_attribute('id')} .return-status")).to_have_text(
        "Reçu par un agent"
    )


def test_once_back_online_the_same_button_confirms_the_receipt(page, at_the_desk):
    row, confirm = at_the_desk
    page.context.set_offline(True)
    confirm.click()
    expect(_messages(page)).to_have_text(LOST)
    page.context.set_offline(False)

    confirm.click()

    expect(row.locator(".return-status")).to_have_text("Reçu par un agent")


def test_the_button_is_busy_and_a_second_tap_sends_nothing(page, at_the_desk):
    row, confirm = at_the_desk
    held, sent = [], []
    page.route("**/receive*", lambda route: (sent.append(route), held.append(route)))

    confirm.click()
    expect(confirm).to_have_attribute("aria-busy", "true")
    expect(confirm).to_be_disabled()  # aria-disabled: the focus stays on it
    page.keyboard.press("Enter")
    confirm.click(force=True)
    page.wait_for_timeout(300)
    held.pop().continue_()

    expect(row.locator(".return-status")).to_have_text("Reçu par un agent")
    assert len(sent) == 1


def test_a_request_left_unanswered_ends_and_says_so(page, at_the_desk):
    """htmx waits 30 s at most (a hanging request ended); here a shorter wait for the test."""
    row, confirm = at_the_desk
    assert page.evaluate("htmx.config.timeout") == 30_000
    page.evaluate("htmx.config.timeout = 500")
    page.route("**/receive*", lambda route: None)  # never answered

    confirm.click()

    expect(_messages(page)).to_have_text(LATE)
    expect(confirm).not_to_have_attribute("aria-busy", "true")
    expect(row.locator(".return-status")).to_have_text("Déclaré")


def test_signing_in_again_from_an_htmx_answer_comes_back_to_the_desk_view(page, make):
    """Signed out in another tab: the row's answer links to the sign-in with the desk's
    view and page as `next`, and signing in lands there."""
    rec = RecyclingFactories(make)
    point = rec.point(name="Point Lormont", opening_hours="24/7")
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(locale="fr"), point, now=utcnow())
    browser_sign_in(page, agent)
    desk = "/recycling/agent?status=all&page=1"
    page.goto(desk, wait_until="load")
    other = page.context.new_page()
    other.goto("/")
    other.get_by_role("button", name="Se déconnecter").click()
    other.wait_for_load_state()
    other.close()

    page.locator(f"#return-{device_return.receipt_number}").get_by_role(
        "button", name="Confirmer la réception"
    ).click()
    _messages(page).get_by_role("link", name="Se connecter").click()
    page.locator("#email").fill(agent.email)
    page.get_by_label("Mot de passe").fill("correct horse battery")
    page.get_by_role("button", name="Se connecter", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(desk) + "$"))
