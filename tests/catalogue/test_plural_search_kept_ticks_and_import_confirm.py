"""The catalogue's search, basket and import: plurals found, ticked items kept across searches,
the request comment kept through a removal, the years control, import wording, a double
confirmed import, the withdrawal named, words of one language."""

import html
import re
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.catalogue import pending_imports
from app.catalogue import services as catalogue
from app.catalogue.footprint import DEMO_SOURCE
from app.catalogue.models import CatalogueRequest
from app.core.audit import AuditEvent
from app.extensions import db
from tests.catalogue.conftest import NOW, item_edit_form
from tests.catalogue.test_import_keeps_edits_and_audits_each_item import (
    CONFIRM,
    SHORT,
    _confirmation,
    _upload,
)
from tests.catalogue.test_item_checks import _error
from tests.conftest import browser_sign_in, login

HX = {"HX-Request": "true"}
NAMES = re.compile(r'href="/catalogue/items/\d+">([^<]+)</a>')


def _found(client, q: str) -> list[str]:
    page = client.get("/catalogue/", query_string={"q": q}).text
    return sorted(html.unescape(n) for n in NAMES.findall(page))


@pytest.fixture
def screens_and_phones(make_item):
    make_item(name_fr="Écran 24 pouces", name_en="24-inch monitor", category="monitor")
    make_item(name_fr="Ordinateur portable standard", name_en="Standard laptop")
    make_item(name_fr="Smartphone reconditionné", name_en="Refurbished smartphone",
              category="smartphone")  # fmt: skip
    make_item(name_fr="Imprimante laser", name_en="Laser printer", category="printer")


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("écrans", "écran"),
        ("portables", "portable"),
        ("ordinateurs portables", "ordinateur portable"),
        ("imprimantes", "imprimante"),
        ("smartphones", "smartphone"),
        ("monitors", "monitor"),
        ("printers", "printer"),
    ],
)
def test_a_plural_finds_what_its_singular_finds(client, make, screens_and_phones, plural, singular):
    """ "écrans" found nothing while "écran" found the screens."""
    login(client, make.user(locale="fr"))
    found = _found(client, singular)
    assert found and _found(client, plural) == found


def test_a_singular_still_finds_a_name_written_in_the_plural(client, make, make_item):
    make_item(name_fr="Casques audio (lot de 5)", name_en="Headsets (pack of 5)",
              category="accessory")  # fmt: skip
    login(client, make.user(locale="fr"))
    assert _found(client, "casque") == ["Casques audio (lot de 5)"]
    assert _found(client, "casques") == ["Casques audio (lot de 5)"]


# 2. Ticked items kept across searches ------------------------------------------------


@pytest.fixture
def laptops(make_item):
    """A laptop and its refurbished version, which no one search lists together."""
    new = make_item(name_en="Standard laptop", name_fr="Portable standard")
    refurbished = make_item(name_en="Refurbished notebook", name_fr="Bloc-notes reconditionné")
    return new, refurbished


def test_an_item_ticked_in_another_search_stays_ticked_page_and_fragment(client, make, laptops):
    new, refurbished = laptops
    login(client, make.user(locale="en"))
    for headers in ({}, HX):
        page = client.get(
            f"/catalogue/?q=refurbished&ids={new.id}&ids={refurbished.id}", headers=headers
        ).text
        # The one listed is ticked in the listing, the other kept apart, both sent again.
        assert f'id="cmp-{refurbished.id}" checked' in page
        kept = page.split('id="ticked"', 1)[1]
        assert "Standard laptop" in kept and f'value="{new.id}"' in kept
        assert f'id="ticked-{new.id}" form="catalogue-search" checked' in kept
        assert ('hx-swap-oob="true"' in kept) == bool(headers)


def test_the_page_links_carry_the_ticked_items(client, make, make_item, laptops):
    new, _refurbished = laptops
    for n in range(26):
        make_item(name_en=f"Monitor {n:02d}", category="monitor")
    login(client, make.user(locale="en"))
    page = client.get(f"/catalogue/?q=monitor&ids={new.id}").text
    # The page buttons send the search form, and with it every box ticked (test_compare_across_pages).
    assert (
        '<button type="submit" form="catalogue-search" name="page" value="2">Next</button>' in page
    )
    assert f'id="ticked-{new.id}" form="catalogue-search" checked' in page


def test_comparing_from_a_live_search_opens_the_comparison_page(client, make, laptops):
    """The compare button sends the live search's form: htmx is told to go there."""
    new, refurbished = laptops
    login(client, make.user(locale="en"))
    asked = f"/catalogue/compare?q=&ids={new.id}&ids={refurbished.id}"
    response = client.get(asked, headers=HX)
    assert response.headers["HX-Redirect"] == asked


@pytest.mark.browser
@pytest.mark.parametrize("scripts", [True, False], ids=["htmx", "without-javascript"])
def test_a_laptop_is_compared_with_its_refurbished_version_found_by_another_search(
    browser, live_server, make, laptops, scripts
):
    """Tick in one search, search again, tick another: both were not compared."""
    context = browser.new_context(base_url=live_server, locale="en", java_script_enabled=scripts)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        browser_sign_in(page, make.user(locale="en", email=f"ticks-{scripts}@example.org"))
        page.goto("/catalogue/?q=standard", wait_until="load")
        page.get_by_role("checkbox", name="Compare Standard laptop").check()
        box = page.get_by_role("searchbox")
        box.fill("refurbished")
        if not scripts:
            page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("link", name="Refurbished notebook")).to_be_visible()
        expect(page.get_by_role("checkbox", name="Standard laptop")).to_be_checked()
        page.get_by_role("checkbox", name="Compare Refurbished notebook").check()
        page.get_by_role("button", name="Compare the ticked items (2 to 4)").click()
        expect(page).to_have_url(re.compile(r"/catalogue/compare\?"))
        compared = page.locator(".compare-table thead")
        expect(compared).to_contain_text("Standard laptop")
        expect(compared).to_contain_text("Refurbished notebook")
    finally:
        context.close()


# 3. The request's comment kept while a withdrawn item is removed ---------------------


@pytest.fixture
def basket_with_a_withdrawn_item(make, make_item, request_context):
    employee = make.user(locale="en", email="withdrawn-line@example.org")
    kept = make_item(name_en="Standard laptop")
    gone = make_item(name_en="Old dock")
    catalogue.add_to_basket(employee, kept, 1, NOW)
    catalogue.add_to_basket(employee, gone, 1, NOW)
    catalogue.discontinue_item(gone, make.user(roles=("admin",)), NOW)
    db.session.commit()
    return employee


COMMENT = "For the new starter in March"


def test_a_refused_send_comes_back_to_the_request_page_with_the_comment(
    client, auth, basket_with_a_withdrawn_item
):
    login(client, basket_with_a_withdrawn_item)
    answer = auth.post("/catalogue/requests/submit", {"comment": COMMENT})
    assert answer.status_code == 302 and answer.location == "/catalogue/requests"
    page = client.get(answer.location).text
    assert "Old dock: this item is no longer in the catalogue." in page
    assert f"\n{COMMENT}</textarea>" in page


def test_removing_the_withdrawn_item_keeps_the_comment_typed(
    client, auth, basket_with_a_withdrawn_item
):
    login(client, basket_with_a_withdrawn_item)
    line = next(
        line for line in db.session.scalar(select(CatalogueRequest)).lines
        if line.item.name_en == "Old dock"
    )  # fmt: skip
    page = client.get("/catalogue/requests").text
    # The Remove buttons send the request's form, its comment with it.
    assert f'form="send-request" formaction="/catalogue/requests/lines/{line.id}/remove"' in page
    answer = auth.post(f"/catalogue/requests/lines/{line.id}/remove", {"comment": COMMENT})
    page = client.get(answer.location).text
    assert "Removed from your request: Old dock × 1." in page
    assert f"\n{COMMENT}</textarea>" in page


def test_a_comment_too_long_removes_nothing_and_says_so(client, auth, basket_with_a_withdrawn_item):
    login(client, basket_with_a_withdrawn_item)
    line = db.session.scalar(select(CatalogueRequest)).lines[0]
    answer = auth.post(f"/catalogue/requests/lines/{line.id}/remove", {"comment": "x" * 501})
    assert answer.status_code == 422
    assert "Your comment is too long (at most 500 characters)." in answer.text
    assert len(db.session.scalar(select(CatalogueRequest)).lines) == 2


@pytest.mark.browser
def test_in_a_browser_the_comment_survives_the_removal(page, basket_with_a_withdrawn_item):
    browser_sign_in(page, basket_with_a_withdrawn_item)
    page.goto("/catalogue/requests", wait_until="load")
    page.get_by_label("Why do you need it? (optional)").fill(COMMENT)
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator(".notice").first).to_contain_text("Old dock")
    expect(page).to_have_url(re.compile(r"/catalogue/requests$"))
    page.get_by_role("button", name="Remove Old dock").click()
    expect(page.get_by_text("Removed from your request: Old dock × 1.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/catalogue/requests$"))
    expect(page.get_by_label("Why do you need it? (optional)")).to_have_value(COMMENT)


# 4. The years control offers only the years it accepts -------------------------------


@pytest.mark.parametrize(
    ("years", "offered", "not_offered"),
    [
        ("10", [], ["One more year", "Two more years"]),
        ("9", ["One more year (10 years)"], ["Two more years"]),
        ("8", ["One more year (9 years)", "Two more years (10 years)"], []),
    ],
)
def test_the_years_control_offers_no_year_past_its_longest(
    client, make, make_item, years, offered, not_offered
):
    login(client, make.user(locale="en"))
    item = make_item(lifetime_years=4.0)
    for headers, url in (({}, "/catalogue/items/{}?years={}"),
                         (HX, "/catalogue/items/{}/lifetime?years={}")):  # fmt: skip
        page = client.get(url.format(item.id, years), headers=headers).text
        assert f"Kept {years} years" in page
        assert all(text in page for text in offered)
        assert not any(text in page for text in not_offered)


# 5. and 6. Imports: a file of no rows, a confirmation sent twice ---------------------


def test_a_header_only_file_is_said_to_have_no_rows(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    make_item(code="LAP-1")
    page = _upload(auth, SHORT).text
    assert "The file has no rows, only its header: there is nothing to import." in page
    assert "matches the catalogue" not in page


def test_a_file_of_unchanged_rows_still_matches_the_catalogue(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    item = make_item(code="LAP-1")
    page = _upload(auth, SHORT + f"LAP-1,equipment,laptop,{item.name_fr},{item.name_en}\n").text
    assert "The file matches the catalogue: there is nothing to import." in page


def test_a_confirmation_sent_twice_says_what_the_first_did(client, auth, make, make_item):
    """A double click said "Import finished" and "This preview has expired or is unknown"."""
    login(client, make.user(roles=("admin",), locale="en"))
    make_item(code="LAP-1")
    preview = _upload(auth, SHORT + "LAP-1,equipment,laptop,Portable,Renamed laptop\n").text
    confirmation = _confirmation(preview)
    first = auth.post(CONFIRM, confirmation, follow_redirects=True).text
    assert "Import done: 0 items created · 1 item updated · 0 items unchanged." in first
    second = auth.post(CONFIRM, confirmation, follow_redirects=True).text
    assert (
        "This file was already imported: 0 items created · 1 item updated · 0 items unchanged."
        in second
    )
    assert "expired" not in second
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert len(events) == 1


def test_an_unknown_preview_is_still_said_expired(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    page = auth.post(CONFIRM, {"token": "x" * 32}, follow_redirects=True).text
    assert "This preview has expired or is unknown: upload the file again." in page


def test_a_second_confirmation_during_the_import_waits_for_its_outcome(app, make):
    """Two confirmations at once: one imports, the other waits and reads what it did."""
    admin = make.user(roles=("admin",))
    token = pending_imports.keep(SHORT, admin.id)
    assert pending_imports.take(token, admin.id) == SHORT
    assert pending_imports.take(token, admin.id) is None  # the other confirmation's turn
    user_id = admin.id

    def first_one_done():
        with app.app_context():
            pending_imports.settle(token, user_id, (0, 1, 0))

    imported = threading.Timer(0.2, first_one_done)
    imported.start()
    assert pending_imports.outcome(token, user_id) == (0, 1, 0)
    imported.join()


def test_a_file_given_back_can_be_confirmed_again(app, make):
    admin = make.user(roles=("admin",))
    token = pending_imports.keep(SHORT, admin.id)
    pending_imports.take(token, admin.id)
    pending_imports.give_back(token, admin.id)
    assert pending_imports.outcome(token, admin.id) is None
    assert pending_imports.take(token, admin.id) == SHORT


# 7. A withdrawal from the usefulness list names the service and can be undone --------


def test_discontinuing_from_the_usefulness_list_names_it_and_offers_to_undo(
    client, auth, make, make_item
):
    login(client, make.user(roles=("admin",), locale="en"))
    service = make_item(kind="service", name_en="Legacy fax gateway")
    listed = "http://localhost/catalogue/admin/usefulness?review=1"
    answer = auth.post(
        f"/catalogue/admin/items/{service.id}/discontinue", headers={"Referer": listed}
    )
    assert answer.location == f"/catalogue/admin/usefulness?review=1&discontinued={service.id}"
    page = html.unescape(client.get(answer.location).text)
    assert "Discontinued: Legacy fax gateway. People can no longer request it." in page
    undo = f'action="/catalogue/admin/items/{service.id}/make-available"'
    assert undo in page and "Offer Legacy fax gateway again" in page

    again = auth.post(
        f"/catalogue/admin/items/{service.id}/make-available", headers={"Referer": listed}
    )
    page = html.unescape(client.get(again.location).text)
    assert "Available again: Legacy fax gateway." in page
    assert db.session.get(type(service), service.id).status == "available"


# 8. Words of one language --------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "shown"), [("en", "Empreinte (demo)"), ("fr", "Empreinte (démo)")]
)
def test_the_demo_source_is_named_in_the_readers_language(client, make, make_item, locale, shown):
    login(client, make.user(locale=locale))
    service = make_item(kind="service", source=DEMO_SOURCE)
    page = html.unescape(client.get(f"/catalogue/items/{service.id}").text)
    assert f'<p class="source">{shown}</p>' in page and "démo / demo" not in page


@pytest.mark.parametrize(("locale", "word"), [("en", "Label"), ("fr", "Étiquette")])
@pytest.mark.parametrize("kind", ["equipment", "service"])
def test_the_item_page_says_label_as_its_badge_does(client, make, make_item, locale, word, kind):
    """English read "Grade E: this device…" next to the badge "Label E"."""
    login(client, make.user(locale=locale))
    item = make_item(kind=kind)
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    assert f"{word} {item.grade}\u00a0:" in page or f"{word} {item.grade}:" in page
    assert "Grade " not in page and "Note " not in page


def test_the_budgets_column_compares_with_last_year(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/catalogue/budgets?year=2026").text
    assert "Used, compared with 2025" in page and "change on" not in page


@pytest.mark.parametrize("typed", ["1e9", "lots"])
def test_a_figure_that_is_no_number_is_told_the_range(client, auth, make, make_item, typed):
    login(client, make.user(roles=("admin",), locale="en"))
    item = make_item()
    form = item_edit_form(item, use_kwh_per_year=typed, user_count=typed, lifetime_years=typed)
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    page = response.text
    assert response.status_code == 422
    # What was typed quoted first (test_item_form_quotes_a_figure_it_cannot_read.py).
    said = f"{typed} does not read as a number. "
    assert _error(page, "use_kwh_per_year") == said + "Enter a number from 0 to 10,000,000."
    assert _error(page, "user_count") == said + "Enter a whole number from 0 to 10,000,000."
    assert _error(page, "lifetime_years") == said + "The lifetime must be between 1 and 15 years."
