"""The main journey in a real browser: search, open, keep longer, request, approve."""

import re

import pytest
from playwright.sync_api import expect

from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueItem, CatalogueRequest
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import browser_sign_in, shown


@pytest.mark.browser
@pytest.mark.journey
def test_search_simulate_request_and_approve(page, make, make_item):
    employee = make.user(locale="en", email="employee@example.org")
    make.user(roles=("admin",), locale="en", email="boss@example.org")
    make_item(
        name_en="Rugged tablet",
        name_fr="Tablette durcie",
        category="tablet",
        embodied_kgco2e=80,
        lifetime_years=3,
        use_kwh_per_year=20,
    )
    make_item(name_en="Standard laptop", name_fr="Portable standard")

    def sign_in(email):
        page.goto("/auth/sign-in")
        page.locator("#email").fill(email)  # the password form's (the link form's is #link-email)
        page.get_by_label(re.compile("^(password|mot de passe)", re.I)).fill(
            "correct horse battery"
        )
        page.get_by_role("button", name=re.compile("^(sign in|se connecter)$", re.I)).click()

    sign_in(employee.email)
    page.goto("/catalogue/")
    page.get_by_role("searchbox").fill("rugged")
    expect(page.get_by_role("link", name="Rugged tablet")).to_be_visible()
    expect(page.get_by_role("link", name="Standard laptop")).to_have_count(0)
    page.get_by_label("Sort by").select_option("-footprint")  # filters apply on change too
    expect(page).to_have_url(re.compile(r"sort=-footprint"))
    page.get_by_role("link", name="Rugged tablet").click()
    # The figures for three years are in the page as served: wait for its scripts too,
    # or the years change before htmx listens to them.
    page.wait_for_url(re.compile(r"/catalogue/items/\d+$"), wait_until="load")

    result = page.locator("#lifetime-result")
    expect(result).to_contain_text("Kept 3 years")
    page.get_by_label("Years of use").select_option("6")
    expect(result).to_contain_text("Kept 6 years")

    page.get_by_role("button", name="Add to my request").click()
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator(".request-status")).to_contain_text("Waiting for a decision")
    request_url = page.url

    page.get_by_role("button", name=re.compile("sign out", re.I)).click()
    sign_in("boss@example.org")
    page.goto("/catalogue/admin/requests")
    page.get_by_role("button", name="Approve").first.click()
    expect(shown(page, re.compile(r"^Request \d+ \(.+\) approved\.$"))).to_be_visible()

    page.get_by_role("button", name=re.compile("sign out", re.I)).click()
    sign_in(employee.email)
    page.goto(request_url)
    expect(page.locator(".request-status")).to_contain_text("Approved")


@pytest.mark.browser
def test_on_a_phone_the_yearly_footprint_is_in_view_without_scrolling(page, make, make_item):
    """People choose with the footprint in view, on a phone too (390 px wide, in French)."""
    employee = make.user(locale="fr", email="phone@example.org")
    make_item(
        name_fr="Ordinateur portable station de travail reconditionné 16 pouces",
        name_en="Refurbished 16-inch workstation laptop",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, employee.email)
    page.goto("/catalogue/")
    footprint = page.locator(".catalogue-table tbody tr td.num").first
    expect(footprint).to_contain_text("kg CO₂e")
    box = page.locator(".catalogue-table").evaluate(
        "(table) => { const cell = table.querySelector('tbody td.num').getBoundingClientRect();"
        " const frame = table.closest('.table-scroll').getBoundingClientRect();"
        " return {cell: cell.right, frame: frame.right, scrolls: table.closest('.table-scroll')"
        ".scrollWidth > table.closest('.table-scroll').clientWidth}; }"
    )
    assert box["cell"] <= box["frame"] + 0.5 and not box["scrolls"], box
    # The tick boxes' heading is out of sight but still names the column.
    assert page.get_by_role("columnheader", name="Comparer").count() == 1

    # The request being prepared: each line a block, its "Remove" in view.
    page.get_by_role("link", name="Ordinateur portable station de travail").click()
    with page.expect_navigation():  # the line is added before the basket is opened
        page.get_by_role("button", name="Ajouter à ma demande").click()
    page.goto("/catalogue/requests")
    remove = page.get_by_role("button", name=re.compile("^Retirer"))
    box = remove.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    line = page.get_by_role("row").filter(has=remove)
    assert line.get_by_role("cell").count() == 6  # still a table row for a screen reader


@pytest.mark.browser
def test_withdrawing_a_request_asks_first_and_works_with_the_keyboard(page, make, make_item):
    """Escape keeps the request; Enter on "Withdraw it" withdraws it. In French."""
    employee = make.user(locale="fr", email="changed-mind@example.org")
    item = make_item(name_fr="Écran 24 pouces", name_en="24-inch monitor")
    catalogue.add_to_basket(employee, item, 1, utcnow())
    request = catalogue.submit_basket(employee, "", utcnow())
    db.session.commit()
    browser_sign_in(page, employee.email)
    page.goto(f"/catalogue/requests/{request.id}", wait_until="load")

    withdraw = page.get_by_role("button", name="Retirer ma demande")
    withdraw.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("alertdialog", name="Retirer cette demande\u00a0?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Ne rien changer")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(withdraw).to_be_focused()
    db.session.expire_all()
    assert db.session.get(CatalogueRequest, request.id).status == "submitted"

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # from "Ne rien changer" to "La retirer"
    expect(page.get_by_role("alertdialog").get_by_role("button", name="La retirer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(shown(page, "Votre demande a été retirée.")).to_be_visible()
    expect(page.locator(".request-status")).to_have_text("Retirée")
    db.session.expire_all()
    assert db.session.get(CatalogueRequest, request.id).status == "withdrawn"


_sign_in = browser_sign_in


@pytest.mark.browser
def test_enter_in_the_refusal_note_adds_a_line_never_approves(page, make, make_item):
    """Enter in the note submitted the form with its first button: Approve."""
    employee = make.user(locale="en", email="asks@example.org")
    admin = make.user(roles=("admin",), locale="en", email="decides@example.org")
    catalogue.add_to_basket(employee, make_item(), 1, utcnow())
    request = catalogue.submit_basket(employee, "", utcnow())
    db.session.commit()
    _sign_in(page, admin)
    page.goto("/catalogue/admin/requests", wait_until="load")

    note = page.get_by_label("Note to the requester (required to refuse)")
    note.type("Already equipped this year.")
    note.press("Enter")
    expect(note).to_have_value("Already equipped this year.\n")  # a new line, still here
    note.type("Ask again in January.")
    db.session.expire_all()
    assert db.session.get(CatalogueRequest, request.id).status == "submitted"
    page.get_by_role("button", name="Refuse").click()
    expect(shown(page, f"Request {request.id} ({employee.display_name}) refused.")).to_be_visible()
    db.session.expire_all()
    decided = db.session.get(CatalogueRequest, request.id)
    assert decided.status == "refused"
    assert decided.decision_note == "Already equipped this year.\nAsk again in January."


@pytest.mark.browser
def test_discontinuing_an_item_asks_first(page, make, make_item):
    """Escape keeps the item available; "Discontinue it" discontinues it."""
    admin = make.user(roles=("admin",), locale="en", email="curator@example.org")
    item = make_item(name_en="Old docking station", name_fr="Vieille station d'accueil")
    _sign_in(page, admin)
    page.goto(f"/catalogue/items/{item.id}", wait_until="load")

    discontinue = page.get_by_role("button", name="Discontinue", exact=True)
    discontinue.click()
    dialog = page.get_by_role("alertdialog", name="Discontinue Old docking station?", exact=False)
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(discontinue).to_be_focused()
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).status == "available"

    discontinue.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Discontinue it").click()
    expect(shown(page, re.compile(r"^Discontinued: "))).to_be_visible()
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).status == "discontinued"


@pytest.mark.browser
def test_a_refusal_without_a_reason_puts_the_focus_on_that_requests_note(page, make, make_item):
    """The error was flashed at the top of page 1, above another request's note."""
    employee = make.user(locale="en", email="asks-too@example.org")
    admin = make.user(roles=("admin",), locale="en", email="decides-too@example.org")
    for _ in range(2):
        catalogue.add_to_basket(employee, make_item(), 1, utcnow())
        last = catalogue.submit_basket(employee, "", utcnow())
    db.session.commit()
    _sign_in(page, admin)
    page.goto("/catalogue/admin/requests", wait_until="load")

    page.locator(f"#request-{last.id}").get_by_role("button", name="Refuse").click()
    note = page.locator(f"#note-{last.id}")
    expect(note).to_be_focused()
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(note).to_have_accessible_description("Give the requester the reason for the refusal.")
    db.session.expire_all()
    assert db.session.get(CatalogueRequest, last.id).status == "submitted"


# Fits within its frame: the table's right edge inside its scrolling box, nothing to scroll.
FITS_ITS_FRAME = """(table) => {
  const frame = table.closest('.table-scroll');
  return {table: table.getBoundingClientRect().right, frame: frame.getBoundingClientRect().right,
          scrolls: frame.scrollWidth > frame.clientWidth};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("count", [2, 3])
def test_on_a_phone_two_or_three_compared_items_fit_without_scrolling(page, make, make_item, count):
    """At 390 px the second column was cut off, with nothing showing that it scrolled."""
    _compare_on_a_phone(page, make, make_item, count, "compares@example.org")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_count(count + 1)
    box = table.evaluate(FITS_ITS_FRAME)
    assert box["table"] <= box["frame"] + 0.5 and not box["scrolls"], box
    # Still a table read row by row: each figure named by its row heading.
    expect(table.get_by_role("rowheader", name="Empreinte annuelle")).to_have_count(1)


@pytest.mark.browser
def test_on_a_phone_the_compare_boxes_are_at_least_24_pixels(page, make, make_item):
    """WCAG 2.5.8: the « Comparer » tick boxes were 19 × 19 px."""
    employee = make.user(locale="fr", email="ticks@example.org")
    make_item(name_fr="Écran 24 pouces", name_en="24-inch monitor")
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, employee)
    page.goto("/catalogue/", wait_until="load")
    box = page.get_by_role("checkbox", name="Comparer Écran 24 pouces").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box


def _one_request_to_decide(make, make_item, email: str):
    """An admin and one request of an employee's, waiting for the admin's decision."""
    employee = make.user(locale="en", email=f"asks-{email}")
    admin = make.user(roles=("admin",), locale="en", email=f"decides-{email}")
    catalogue.add_to_basket(employee, make_item(), 1, utcnow())
    request = catalogue.submit_basket(employee, "", utcnow())
    db.session.commit()
    return admin, employee, request


@pytest.mark.browser
def test_after_a_decision_the_focus_is_on_its_outcome(page, make, make_item):
    """The decided request's block is swapped out with the button pressed: the focus went
    back to the top of the page."""
    admin, employee, request = _one_request_to_decide(make, make_item, "focus@example.org")
    _sign_in(page, admin)
    page.goto("/catalogue/admin/requests", wait_until="load")

    page.locator(f"#request-{request.id}").get_by_role("button", name="Approve").click()
    outcome = page.locator(f"#decided-{request.id}")
    expect(outcome).to_have_text(f"Request {request.id} ({employee.display_name}) approved.")
    expect(outcome).to_be_focused()


@pytest.mark.browser
def test_without_javascript_a_decision_comes_back_with_the_focus_on_its_outcome(
    browser, live_server, make, make_item
):
    """The queue loaded again at its top, the decided request nowhere in it."""
    admin, employee, request = _one_request_to_decide(make, make_item, "nojs@example.org")
    context = browser.new_context(base_url=live_server, locale="en", java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in(page, admin)
        page.goto("/catalogue/admin/requests", wait_until="load")
        note = page.get_by_label("Note to the requester (required to refuse)")
        note.fill("Already equipped this year.")
        page.locator(f"#request-{request.id}").get_by_role("button", name="Refuse").click()
        page.wait_for_url(re.compile(rf"#decided-{request.id}$"), wait_until="load")
        outcome = page.locator(f"#decided-{request.id}")
        expect(outcome).to_have_text(f"Request {request.id} ({employee.display_name}) refused.")
        expect(outcome).to_be_focused()
    finally:
        context.close()


def _compare_on_a_phone(page, make, make_item, count: int, email: str):
    """`count` items side by side on a 390 px phone, in French."""
    employee = make.user(locale="fr", email=email)
    # Names wrap between whole words (test_compare_words.py): three columns as wide as
    # « reconditionné » and a row heading do not fit in 390 px, and scroll, as four do.
    names = [
        "Ordinateur portable neuf 16 pouces station de travail",
        "Tablette durcie de terrain",
        "Écran 27 pouces 4K",
        "Ordinateur portable reconditionné 14 pouces",
    ]
    items = [
        make_item(name_fr=name, name_en=name, embodied_kgco2e=1234.5, source="Boavizta API v1.3")
        for name in names[:count]
    ]
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, employee)
    query = "&".join(f"ids={item.id}" for item in items)
    page.goto(f"/catalogue/compare?{query}", wait_until="load")


@pytest.mark.browser
def test_on_a_phone_four_compared_items_say_they_scroll_and_scroll_with_the_keyboard(
    page, make, make_item
):
    """The fourth column was out of view, with nothing showing that the table scrolled."""
    _compare_on_a_phone(page, make, make_item, 4, "compares-four@example.org")
    expect(
        page.get_by_text("Faites défiler latéralement pour voir tous les articles.")
    ).to_be_visible()
    region = page.get_by_role("region", name="Articles comparés côte à côte")
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.compare-scroll').scrollLeft > 0")


@pytest.mark.browser
def test_on_a_phone_two_compared_items_that_fit_say_nothing_of_scrolling(page, make, make_item):
    _compare_on_a_phone(page, make, make_item, 2, "compares-two@example.org")
    expect(page.get_by_role("table")).to_be_visible()
    expect(
        page.get_by_text("Faites défiler latéralement pour voir tous les articles.")
    ).to_be_hidden()


@pytest.mark.browser
def test_the_message_after_adding_to_a_request_takes_the_focus(page, make, make_item):
    """A message flashed after a redirect sat in a live region from the page's first
    byte, which screen readers do not read, and the focus stayed at the top of the page:
    the message takes the focus, and Tab goes on from it into the page."""
    employee = make.user(locale="fr", email="hears@example.org")
    item = make_item(name_fr="Souris filaire", name_en="Wired mouse")
    _sign_in(page, employee)
    page.goto(f"/catalogue/items/{item.id}")
    page.get_by_role("button", name="Ajouter à ma demande").click()
    message = page.locator("#flashes .flash")
    expect(message).to_have_text(re.compile(r"^Ajouté à votre demande\u00a0: Souris filaire × 1"))
    expect(message).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert page.evaluate("() => !document.activeElement.classList.contains('skip-link')")
