"""What an htmx swap changes is read out, and the keyboard stays where the person was.

A screen reader reads a live region's change only when the region was in the page
before it; one inserted by the swap is often read by none. Each test keeps a handle on
the page's `#announcer` from before the swap and checks that this very element says
what changed. Focus: a control the swap brings back keeps it (htmx, by id); a control
the swap takes away hands it to what the swap says, not to the top of the page.
"""

import pytest
from sqlalchemy import select

from app.catalogue.models import CatalogueItem
from app.extensions import db
from bench.pages import AGENT, EMPLOYEE, _campaign
from tests.audit.conftest import sign_in_with_a_cookie

pytestmark = [pytest.mark.browser, pytest.mark.audit]

KEEP_ANNOUNCER = "window.announcerAtLoad = document.getElementById('announcer')"
SAID = """() => {
  const region = window.announcerAtLoad;
  return region && region.isConnected && region === document.getElementById('announcer')
    ? region.textContent.trim() : null;
}"""


def said(page, expected: str = "") -> str:
    """Wait until the announcer present at load says something holding `expected`, and
    return it. The region is emptied first: words of an earlier swap do not count."""
    handle = page.wait_for_function(
        f"() => {{ const t = ({SAID})(); return t && t.includes({expected!r}) ? t : null; }}"
    )
    return handle.json_value()


def not_said_while_focused(page) -> bool:
    """Past the moment portal.js fills #announcer (50 ms after a swap), the announcer
    present at load does not say the focused element's words: it is read once."""
    page.wait_for_timeout(400)
    return page.evaluate(
        f"""() => {{
          const words = ({SAID})();
          const text = document.activeElement.textContent.trim();
          return words !== null && !(text && words.includes(text));
        }}"""
    )


def before_swap(page) -> None:
    """Forget what the announcer said so far."""
    page.evaluate("window.announcerAtLoad.textContent = ''")


def press_enter_on(page, selector: str) -> None:
    """Reach a control and press Enter, as a keyboard user does."""
    page.focus(selector)
    page.keyboard.press("Enter")


def focused(page) -> dict:
    return page.evaluate(
        "() => ({id: document.activeElement.id, tag: document.activeElement.tagName,"
        " text: document.activeElement.textContent.trim()})"
    )


@pytest.fixture
def employee(page, demo_data):
    sign_in_with_a_cookie(page, EMPLOYEE, "en")
    return page


def test_a_logged_action_is_read_out_and_the_keyboard_stays_in_the_form(employee):
    page = employee
    page.goto(f"/cleanup/campaigns/{_campaign(db.session)}")
    page.evaluate(KEEP_ANNOUNCER)
    page.select_option("#action_type", "delete-mail")
    page.focus("#quantity")
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")
    said(page, "Logged:")  # fails after a wait when the announcer never says it
    assert focused(page)["id"] == "quantity"  # ready for the next entry
    # Of the same kind, typed afresh: the field is empty, not ready to log the same twice.
    assert page.input_value("#quantity") == "" and page.input_value("#action_type") == "delete-mail"

    before_swap(page)
    page.keyboard.type("0.3")
    press_enter_on(page, "#log-submit")
    page.wait_for_selector("#my-progress table.cleanup-entries tbody tr:nth-child(2)")
    said(page, "Logged:")
    assert focused(page)["id"] == "log-submit"

    # Deleting an entry asks first, then takes its button away: the focus goes to the
    # message.
    before_swap(page)
    page.locator("#my-progress table.cleanup-entries button[id^=delete-]").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog[open]")
    page.keyboard.press("Tab")  # from "Keep it" to "Delete"
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement.tagName === 'P'"
        " && document.activeElement.textContent.includes('deleted')"
    )
    assert not_said_while_focused(page)


def test_search_results_are_read_out_while_typing_stays_in_the_box(employee):
    page = employee
    page.goto("/catalogue/")
    page.evaluate(KEEP_ANNOUNCER)
    page.focus("#q")
    page.keyboard.type("laptop")
    said(page, " found")
    assert focused(page)["id"] == "q"


def test_a_leaderboard_tab_is_read_out_and_becomes_the_current_one(employee):
    page = employee
    page.goto(f"/cleanup/campaigns/{_campaign(db.session)}/leaderboard")
    page.evaluate(KEEP_ANNOUNCER)
    press_enter_on(page, "#tab-departments-total")
    words = said(page, "Departments by total points")
    assert words.startswith("Departments by total points")  # the board named first
    assert "Your department, " in words  # where one's own department stands
    assert "Your rank" not in words  # one's own rank did not change: not said again
    assert page.get_attribute("#tab-departments-total", "aria-current") == "page"
    assert page.get_attribute("#tab-individuals-total", "aria-current") is None
    assert focused(page)["id"] == "tab-departments-total"


def test_marking_a_service_useful_is_read_out(employee):
    page = employee
    service = db.session.scalar(
        select(CatalogueItem.id).where(CatalogueItem.kind == "service").order_by(CatalogueItem.id)
    )
    page.goto(f"/catalogue/items/{service}")
    page.evaluate(KEEP_ANNOUNCER)
    press_enter_on(page, "#useful-toggle")
    said(page, " it useful")
    assert page.get_attribute("#useful-toggle", "aria-pressed") == "true"
    assert focused(page)["id"] == "useful-toggle"


def test_an_agent_s_confirmed_receipt_is_read_out_and_focus_follows(page, demo_data):
    sign_in_with_a_cookie(page, AGENT, "en")
    page.goto("/recycling/agent?status=declared")
    page.evaluate(KEEP_ANNOUNCER)
    button = page.locator("#agent-returns form button[type=submit]").first
    row_id = button.evaluate("b => b.closest('tr').id")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => !document.querySelector('#{row_id} form')")
    page.wait_for_function(
        "() => document.activeElement !== document.body"
        " && document.activeElement.textContent.includes('Receipt confirmed')"
    )
    assert not_said_while_focused(page)


def test_a_message_marked_as_read_is_focused_and_not_said_again(employee):
    """Read once (RGAA 7.5): focused, the message is read; #announcer does not repeat it."""
    page = employee
    page.goto("/messaging/")
    page.evaluate(KEEP_ANNOUNCER)
    press_enter_on(page, ".message-actions form:not([data-confirm]) button[type=submit]")
    page.wait_for_function("() => document.activeElement.textContent.trim() === 'Marked as read.'")
    assert not_said_while_focused(page)


def test_a_refused_quantity_keeps_the_focus_and_its_hidden_status_is_said(employee):
    """The focus stays on the refused field (autofocus): its status, hidden, is said
    through #announcer, the one way it is read."""
    page = employee
    page.goto(f"/cleanup/campaigns/{_campaign(db.session)}")
    page.evaluate(KEEP_ANNOUNCER)
    page.select_option("#action_type", "delete-mail")
    page.focus("#quantity")
    page.keyboard.type("0")
    page.keyboard.press("Enter")
    words = said(page, "more than zero")
    assert focused(page)["id"] == "quantity"
    assert words == page.text_content("#progress-status").strip()
