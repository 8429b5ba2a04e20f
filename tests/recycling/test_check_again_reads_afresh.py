"""« Vérifier à nouveau » on a waiting receipt reads the status afresh.

It linked to the page's own address and #receipt-status: a same-page anchor only
scrolls, nothing was fetched, and after an agent confirmed receipt the employee still
read « Statut : Déclaré » (without JavaScript, or past the polling window). It now leads
to the status endpoint, whose answer without htmx is the receipt page loaded again at
its status; with htmx it asks for the status part and the answer is read out."""

import html
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import Auth, browser_sign_in, confirm_receipt_in_a_browser, login

HX = {"HX-Request": "true"}


def _receipt_url(device_return) -> str:
    return f"/recycling/returns/{device_return.receipt_number}"


def _check_again(page: str) -> re.Match:
    link = re.search(r'<a id="check-again" href="([^"]+)"([^>]*)>Vérifier à nouveau</a>', page)
    assert link, "no « Vérifier à nouveau » link"
    return link


def _confirm_at_the_desk(app, agent, device_return) -> None:
    desk = app.test_client()
    login(desk, agent)
    response = Auth(desk).post(f"/recycling/agent/returns/{device_return.receipt_number}/receive")
    assert response.status_code == 302


def _status_of(page: str) -> str:
    return re.search(r'class="return-status status-[a-z_]+">([^<]+)</span>', page).group(1)


def test_check_again_is_not_a_same_page_anchor(client, waiting):
    owner, _agent, device_return = waiting
    login(client, owner)
    page = client.get(_receipt_url(device_return)).get_data(as_text=True)
    href = html.unescape(_check_again(page).group(1))
    # Same path, only a fragment: the browser scrolls and fetches nothing.
    assert href.split("#", 1)[0] != _receipt_url(device_return)


def test_without_javascript_check_again_shows_the_agent_s_confirmation(app, client, waiting):
    owner, agent, device_return = waiting
    login(client, owner)
    page = client.get(_receipt_url(device_return)).get_data(as_text=True)
    assert _status_of(page) == "Déclaré"
    href = html.unescape(_check_again(page).group(1))

    _confirm_at_the_desk(app, agent, device_return)

    response = client.get(href, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == _receipt_url(device_return)  # the receipt, read again
    again = response.get_data(as_text=True)
    assert _status_of(again) == "Reçu par un agent"
    assert 'id="check-again"' not in again  # nothing left to wait for


def test_without_javascript_nothing_new_is_said_as_checked(client, waiting):
    """Still waiting: the page says it checked, so the same status does not read as if
    the link did nothing."""
    owner, _agent, device_return = waiting
    login(client, owner)
    page = client.get(_receipt_url(device_return)).get_data(as_text=True)
    assert "Vérifié à" not in page
    response = client.get(html.unescape(_check_again(page).group(1)), follow_redirects=True)
    again = response.get_data(as_text=True)
    assert _status_of(again) == "Déclaré"
    assert re.search(
        r"Vérifié à \d{1,2}\u00a0h(\u00a0\d\d)?\u00a0: aucun agent n'a encore confirmé la réception\.",
        html.unescape(again),
    )
    _check_again(again)  # and it can be asked again


def test_with_htmx_check_again_asks_for_the_status_part_and_says_the_answer(app, client, waiting):
    owner, agent, device_return = waiting
    login(client, owner)
    page = client.get(_receipt_url(device_return)).get_data(as_text=True)
    attributes = html.unescape(_check_again(page).group(2))
    asked = re.search(r'hx-get="([^"]+)"', attributes).group(1)
    assert asked.startswith(f"{_receipt_url(device_return)}/status?")
    assert 'hx-target="#receipt-status"' in attributes
    assert 'hx-swap="outerHTML"' in attributes

    # Nothing new yet: it says it checked, through the live region.
    part = html.unescape(client.get(asked, headers=HX).get_data(as_text=True))
    assert "<html" not in part and _status_of(part) == "Déclaré"
    assert re.search(r'<p class="checked-at" data-announce>Vérifié à [^<]+ aucun agent', part)

    _confirm_at_the_desk(app, agent, device_return)
    part = client.get(asked, headers=HX).get_data(as_text=True)
    assert (
        '<p data-announce="first">Statut\u00a0: <span class="return-status status-received">'
        in part
    )
    assert "Vérifié à" not in part


@pytest.mark.browser
def test_in_a_browser_without_javascript_check_again_reloads_the_status(
    browser, live_server, waiting
):
    owner, agent, device_return = waiting
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        browser_sign_in(page, owner)
        page.goto(_receipt_url(device_return))
        expect(page.locator("#receipt-status .return-status")).to_have_text("Déclaré")
        confirm_receipt_in_a_browser(browser, live_server, agent, device_return.receipt_number)
        page.get_by_role("link", name="Vérifier à nouveau").click()
        expect(page.locator("#receipt-status .return-status")).to_have_text("Reçu par un agent")
        assert page.url.endswith("#receipt-status")
    finally:
        context.close()


@pytest.mark.browser
def test_in_a_browser_check_again_brings_the_status_and_reads_it_out(
    app, browser, live_server, page, waiting, monkeypatch
):
    monkeypatch.setitem(app.config, "RECYCLING_RECEIPT_POLL_SECONDS", 3600)  # no polling
    owner, agent, device_return = waiting
    browser_sign_in(page, owner)
    page.goto(_receipt_url(device_return), wait_until="load")
    loaded = page.evaluate("() => performance.timeOrigin")
    link = page.get_by_role("link", name="Vérifier à nouveau")
    link.click()
    expect(page.locator("#announcer")).to_contain_text("aucun agent n'a encore confirmé")
    expect(page.get_by_role("link", name="Vérifier à nouveau")).to_be_focused()

    confirm_receipt_in_a_browser(browser, live_server, agent, device_return.receipt_number)
    page.get_by_role("link", name="Vérifier à nouveau").click()
    expect(page.locator("#receipt-status .return-status")).to_have_text("Reçu par un agent")
    # The link went with the wait: the focus goes to the new status, read out as focused.
    expect(page.locator('#receipt-status p[data-announce="first"]')).to_be_focused()
    assert page.evaluate("() => performance.timeOrigin") == loaded  # htmx, no reload
