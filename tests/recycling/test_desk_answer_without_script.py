"""A receipt confirmed at the desk without JavaScript comes back where the agent was in
the list: the same view and page, opened at the answer (#desk-answer), which stands
before the return's row, or before the row that took its place once the return left the
view ("Declared"). It stood at the top of the page, the page opened at the top too."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login

ANSWER = re.compile(
    r'<tr class="desk-answer"[^>]*><td[^>]*><p id="desk-answer" class="flash flash-(\w+)" '
    r'tabindex="-1" data-announce>(.*?)</p></td></tr>\s*(<tr id="return-([^"]+)"|</tbody>)',
    re.S,
)


@pytest.fixture
def declared(client, make, rec):
    """An agent signed in at a point where `n` declarations wait, oldest first."""

    def declare(n: int):
        point = rec.point(opening_hours="24/7")
        login(client, rec.agent(point))
        return [rec.device_return(make.user(), point).receipt_number for _ in range(n)]

    return declare


def _receive(auth, receipt: str, **desk):
    return auth.post(f"/recycling/agent/returns/{receipt}/receive", desk)


def _answer(page: str) -> tuple[str, str, str | None]:
    """The answer's kind, its words (without the count read with them) and the receipt
    of the row right after it (None: the end of the table)."""
    found = ANSWER.search(page)
    assert found, "no answer in the desk's table"
    words = re.sub(r"<span class=\"visually-hidden\">.*?</span>", "", found.group(2))
    return found.group(1), words.strip(), found.group(4)


def test_a_receipt_in_declared_opens_the_view_at_the_row_that_took_its_place(
    client, auth, declared
):
    first, second, third = declared(3)
    response = _receive(auth, second, desk="declared", page="1")
    assert response.headers["Location"] == "/recycling/agent?status=declared#desk-answer"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _answer(page) == ("success", f"Réception confirmée pour {second}.", third)
    assert f'id="return-{second}"' not in page and f'id="return-{first}"' in page
    # Shown once, where it was said, not at the top of the page as well.
    assert page.count(f"Réception confirmée pour {second}.") == 1
    assert "desk-answer" not in client.get("/recycling/agent?status=declared").get_data(
        as_text=True
    )


def test_the_answer_says_the_views_new_count_with_the_confirmation(client, auth, declared):
    _first, second = declared(2)
    page = client.get(_receive(auth, second, desk="declared").headers["Location"])
    said = ANSWER.search(page.get_data(as_text=True)).group(2)
    assert " ".join(re.sub(r"<[^>]+>", " ", said).split()) == (
        f"Réception confirmée pour {second}. 1 dépôt"
    )


def test_a_receipt_on_the_second_page_comes_back_to_that_page_at_its_place(client, auth, declared):
    receipts = declared(27)  # 25 a page: the 26th and 27th on page 2
    response = _receive(auth, receipts[25], desk="declared", page="2")
    assert response.headers["Location"] == "/recycling/agent?status=declared&page=2#desk-answer"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _answer(page)[2] == receipts[26]


def test_the_last_row_received_leaves_its_answer_at_the_end_of_the_page(client, auth, declared):
    receipts = declared(26)  # the 26th alone on page 2, which goes: page 1 is shown
    response = _receive(auth, receipts[25], desk="declared", page="2")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _answer(page)[2] is None
    assert page.index(f'id="return-{receipts[24]}"') < page.index('id="desk-answer"')


def test_in_a_view_it_stays_in_the_answer_stands_before_its_own_row(client, auth, declared):
    _first, second, _third = declared(3)
    page = client.get(_receive(auth, second, desk="todo").headers["Location"])
    assert _answer(page.get_data(as_text=True))[2] == second


def test_a_refused_receipt_answers_at_its_row_as_an_error(client, auth, declared):
    _first, second = declared(2)
    _receive(auth, second, desk="declared")
    page = client.get(_receive(auth, second, desk="all").headers["Location"])
    kind, _words, before = _answer(page.get_data(as_text=True))
    assert (kind, before) == ("error", second)


@pytest.mark.browser
def test_without_scripts_the_desk_opens_scrolled_to_the_answer_and_the_next_row(
    browser, live_server, make, rec
):
    point = rec.point(name="Point Bastide", opening_hours="24/7")
    agent = rec.agent(point)
    receipts = [rec.device_return(make.user(), point).receipt_number for _ in range(24)]
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_sign_in(page, agent)
        page.goto("/recycling/agent?status=declared")
        page.locator(f"#return-{receipts[12]} button").click()
        page.wait_for_url(re.compile(r"status=declared#desk-answer$"))
        answer = page.locator("#desk-answer")
        expect(answer).to_contain_text(f"Réception confirmée pour {receipts[12]}.")
        assert page.evaluate("window.scrollY") > 0
        expect(answer).to_be_in_viewport()
        expect(answer).to_be_focused()  # read out; Tab goes on to the next row
        expect(page.locator(f"#return-{receipts[13]}")).to_be_in_viewport()
        expect(page.locator(f"#return-{receipts[12]}")).to_have_count(0)
    finally:
        context.close()


def test_the_rows_own_form_carries_the_desks_view_and_page(client, auth, declared):
    """The row's form, as the desk writes it, names the view and page in its address
    (no hidden fields: the desk is at its DOM budget); sent, it comes back there."""
    receipts = declared(27)
    desk = client.get("/recycling/agent?status=declared&page=2").get_data(as_text=True)
    action = re.search(
        rf'action="(/recycling/agent/returns/{receipts[25]}/receive[^"]*)"', desk
    ).group(1)
    response = auth.post(action.replace("&amp;", "&"), {})
    assert response.headers["Location"] == "/recycling/agent?status=declared&page=2#desk-answer"
