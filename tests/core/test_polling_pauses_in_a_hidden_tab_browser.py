"""A part that asks again by itself (hx-trigger "every …s") sends nothing while its tab is
hidden, and asks once as soon as the tab shows again (app/static/js/portal.js). Here the
receipt of a declared return, which polls for its agent's confirmation."""

import pytest
from playwright.sync_api import expect

from tests.cleanup.conftest import make_campaign  # noqa: F401
from tests.conftest import browser_sign_in
from tests.recycling.conftest import RecyclingFactories

# The tab's visibility, as the browser would report it: chromium's headless tabs are
# always "visible", so the page is told otherwise (and told when it changes).
HIDE = """(hidden) => {
  Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
  Object.defineProperty(document, "visibilityState",
    {configurable: true, get: () => (hidden ? "hidden" : "visible")});
  document.dispatchEvent(new Event("visibilitychange"));
}"""
# Each poll htmx starts, and whether the page's script stopped it: read by the test.
WATCH = """() => {
  window.pollsStopped = 0;
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.defaultPrevented) { window.pollsStopped += 1; }
  });
}"""


@pytest.fixture
def declared(make):
    """A French employee's declared device, waiting for an agent: (owner, return)."""
    rec = RecyclingFactories(make)
    point = rec.point(name="Point Cenon", opening_hours="24/7")
    rec.agent(point)
    owner = make.user(locale="fr")
    return owner, rec.device_return(owner, point)


@pytest.mark.browser
def test_a_hidden_tab_stops_polling_and_asks_once_when_shown(app, page, declared, monkeypatch):
    monkeypatch.setitem(app.config, "RECYCLING_RECEIPT_POLL_SECONDS", 2)
    owner, device_return = declared
    status_path = f"/recycling/returns/{device_return.receipt_number}/status"
    sent: list[str] = []
    page.on(
        "request", lambda request: sent.append(request.url) if status_path in request.url else None
    )
    browser_sign_in(page, owner)
    page.goto(f"/recycling/returns/{device_return.receipt_number}", wait_until="load")
    expect(page.locator("#receipt-status[hx-trigger='every 2s']")).to_have_count(1)
    page.evaluate(WATCH)

    page.evaluate(HIDE, True)
    hidden_from = len(sent)
    # Two turns of the poll (4 s) go by, each stopped before anything is sent.
    page.wait_for_function("() => window.pollsStopped >= 2", timeout=10_000)
    assert sent[hidden_from:] == []

    # Shown again: one request at once, not at the poll's next turn (2 s on).
    with page.expect_request(lambda request: status_path in request.url, timeout=1_000):
        page.evaluate(HIDE, False)
    page.wait_for_timeout(800)
    assert len(sent) - hidden_from == 1
    expect(page.locator(".return-status")).to_have_text("Déclaré")


@pytest.mark.browser
def test_a_poll_says_it_is_one_and_a_click_does_not(app, page, declared, monkeypatch):
    """A poll is nobody's activity (X-Poll): the session's idle time runs on through it."""
    monkeypatch.setitem(app.config, "RECYCLING_RECEIPT_POLL_SECONDS", 1)
    owner, device_return = declared
    status_path = f"/recycling/returns/{device_return.receipt_number}/status"
    browser_sign_in(page, owner)
    page.goto(f"/recycling/returns/{device_return.receipt_number}", wait_until="load")
    with page.expect_request(lambda request: status_path in request.url, timeout=5_000) as polled:
        pass
    assert polled.value.headers.get("x-poll") == "1"
    with page.expect_request(lambda request: "/recycling/" in request.url) as clicked:
        page.get_by_role("link", name="Recyclage").first.click()
    assert "x-poll" not in clicked.value.headers
