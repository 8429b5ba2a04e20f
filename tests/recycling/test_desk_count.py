"""The agents' desk counts the returns of its view, and the count follows a receipt:
swapped out of band with the row (htmx), or counted again on the desk the agent comes
back to (without JavaScript)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login

COUNT = re.compile(r'<p id="agent-returns-count" data-announce([^>]*)>([^<]*)</p>')


def _count(page: str) -> tuple[str, str]:
    """The desk's count paragraph: its extra attributes and its words."""
    found = COUNT.search(page)
    assert found, "no count on the desk"
    return found.group(1).strip(), found.group(2).strip()


@pytest.fixture
def desk(client, make, rec):
    """An agent signed in at a point where two declarations wait."""
    point = rec.point()
    login(client, rec.agent(point))
    return [rec.device_return(make.user(), point) for _ in range(2)]


def _receive(auth, receipt: str, htmx: bool, **form):
    headers = {"HX-Request": "true"} if htmx else {}
    return auth.post(f"/recycling/agent/returns/{receipt}/receive", form, headers=headers)


def test_the_desk_shows_its_count_from_the_partial(client, desk):
    page = client.get("/recycling/agent?status=declared").get_data(as_text=True)
    assert _count(page) == ("", "2 dépôts")


def test_a_receipt_with_htmx_swaps_the_views_new_count_out_of_band(auth, desk):
    response = _receive(auth, desk[0].receipt_number, htmx=True, desk="declared")
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith("<tr")  # the row first: htmx parses it as one
    assert _count(fragment) == ('hx-swap-oob="innerHTML"', "1 dépôt")


def test_a_receipt_with_htmx_reads_out_the_new_count_with_its_confirmation(auth, desk):
    fragment = _receive(auth, desk[0].receipt_number, htmx=True, desk="declared").get_data(
        as_text=True
    )
    said = re.search(r"<span data-announce>(.*?)</span></td>", fragment, re.S).group(1)
    words = " ".join(re.sub(r"<[^>]+>", " ", said).split())
    assert words == f"Réception confirmée pour {desk[0].receipt_number}. 1 dépôt"


def test_a_received_return_still_to_handle_keeps_the_count(auth, desk):
    """In "To handle" a received device still waits for its next step."""
    fragment = _receive(auth, desk[0].receipt_number, htmx=True, desk="todo").get_data(as_text=True)
    assert _count(fragment)[1] == "2 dépôts"


def test_without_javascript_the_desk_comes_back_on_its_view_counted_again(client, auth, desk):
    response = _receive(auth, desk[0].receipt_number, htmx=False, desk="declared", page="1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/recycling/agent?status=declared#desk-answer"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _count(page) == ("", "1 dépôt")
    assert f"Réception confirmée pour {desk[0].receipt_number}." in page


def test_without_javascript_the_desk_comes_back_on_its_page(auth, desk):
    response = _receive(auth, desk[0].receipt_number, htmx=False, desk="all", page="3")
    assert response.headers["Location"] == "/recycling/agent?status=all&page=3#desk-answer"


@pytest.mark.browser
def test_in_a_browser_the_count_follows_the_receipt_and_is_read_out(page, make, rec):
    """In French, with the keyboard: the count shown drops, the announcer says the
    confirmation and the count, and the focus is on what it says (as the audit checks)."""
    point = rec.point(name="Point Cenon", opening_hours="24/7")
    agent = rec.agent(point)
    first, _second = (rec.device_return(make.user(), point) for _ in range(2))
    browser_sign_in(page, agent)
    page.goto("/recycling/agent?status=declared", wait_until="load")
    count = page.locator("#agent-returns-count")
    expect(count).to_have_text("2 dépôts")
    page.evaluate("window.announcerAtLoad = document.getElementById('announcer')")
    page.locator(f"#return-{first.receipt_number} button").focus()
    page.keyboard.press("Enter")
    expect(count).to_have_text("1 dépôt")
    expect(page.locator("#agent-returns-count")).to_have_count(1)
    # The message takes the focus, which reads it: the announcer does not repeat it.
    said = f"Réception confirmée pour {first.receipt_number}. 1 dépôt"
    expect(page.locator(":focus")).to_have_text(said)
    assert page.evaluate("window.announcerAtLoad.textContent.trim()") != said
