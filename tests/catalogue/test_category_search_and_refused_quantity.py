"""As a French-speaking employee: the search finds items by
their category's name in either language; a refused quantity is said at its field, as
typed, and never shown to anyone else; no "0 personne" and no "0 de plus"."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.catalogue.models import CatalogueItem, CatalogueRequest, CatalogueRequestLine
from app.extensions import db
from tests.conftest import Auth, browser_sign_in, csrf_token, login

HX = {"HX-Request": "true"}


def listed(page: str, item: CatalogueItem) -> bool:
    return f'href="/catalogue/items/{item.id}"' in page


@pytest.fixture
def one_of_each(make_item):
    """An item per equipment category, named without its category's words."""
    return {
        category: make_item(category=category, name_fr=f"Modèle {n}", name_en=f"Model {n}")
        for n, category in enumerate(
            ("laptop", "desktop", "monitor", "smartphone", "printer", "accessory"), start=1
        )
    }


# 1. The search knows the categories' names ------------------------------------------


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("ordinateur", {"laptop", "desktop"}),
        ("ordinateur portable", {"laptop"}),
        ("téléphone", {"smartphone"}),
        ("TELEPHONE", {"smartphone"}),  # accents and case as the rest of the search
        ("accessoire", {"accessory"}),
        ("souris", {"accessory"}),
        ("imprimante", {"printer"}),
        ("écran", {"monitor"}),
        ("ecran", {"monitor"}),
    ],
)
def test_a_french_category_name_finds_its_items(client, make, one_of_each, typed, found):
    login(client, make.user(locale="fr"))
    page = client.get("/catalogue/", query_string={"q": typed}).text
    shown = {category for category, item in one_of_each.items() if listed(page, item)}
    assert shown == found
    # Matched in both languages, the page still in the reader's.
    assert f"{len(found)} article" in page and 'name="q"' in page


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("laptop computer", {"laptop"}),
        ("computer", {"laptop", "desktop"}),
        ("mobile phone", {"smartphone"}),
        # The other language's names find them too: a French word read on a label.
        ("imprimante", {"printer"}),
    ],
)
def test_an_english_reader_finds_items_by_category_words(client, make, one_of_each, typed, found):
    login(client, make.user(locale="en"))
    page = client.get("/catalogue/", query_string={"q": typed}, headers=HX).text
    shown = {category for category, item in one_of_each.items() if listed(page, item)}
    assert shown == found
    assert f"{len(found)} item" in page


def test_a_category_word_still_narrows_by_the_items_own_words(client, make, make_item):
    """Each word must match: "ordinateur dell" is a Dell computer, not every computer."""
    dell = make_item(name_fr="Dell Latitude 5440", name_en="Dell Latitude 5440")
    other = make_item(name_fr="Lenovo ThinkPad T14", name_en="Lenovo ThinkPad T14")
    dell_screen = make_item(category="monitor", name_fr="Dell P2425", name_en="Dell P2425")
    login(client, make.user(locale="fr"))
    page = client.get("/catalogue/", query_string={"q": "ordinateur dell"}).text
    assert listed(page, dell)
    assert not listed(page, other) and not listed(page, dell_screen)


def test_services_are_found_by_their_category_name(client, make, make_item):
    telephony = make_item(kind="service", category="telephony", name_fr="Standard", name_en="PBX")
    mail = make_item(kind="service", category="email", name_fr="Outlook", name_en="Outlook")
    login(client, make.user(locale="fr"))
    page = client.get("/catalogue/", query_string={"q": "téléphonie"}).text
    assert listed(page, telephony) and not listed(page, mail)
    page = client.get("/catalogue/", query_string={"q": "messagerie"}).text
    assert listed(page, mail) and not listed(page, telephony)


# 2. A refused quantity, at its field --------------------------------------------------


def basket_lines() -> int:
    return db.session.scalar(select(func.count(CatalogueRequestLine.id)))


@pytest.mark.parametrize("typed", ["0", "51", "abc"])
def test_a_refused_quantity_is_said_at_the_field_as_typed(client, make, make_item, typed):
    login(client, make.user(locale="fr"))
    item = make_item()
    response = client.post(
        f"/catalogue/items/{item.id}/request",
        data={"quantity": typed, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 422
    page = response.text
    field = re.search(r'<input[^>]*id="quantity"[^>]*>', page)[0]
    assert f'value="{typed}"' in field
    assert 'aria-invalid="true"' in field and 'aria-describedby="quantity-error"' in field
    assert "autofocus" in field
    assert re.search(
        r'<p class="error" id="quantity-error">Saisissez une quantité de 1 à 50\.', page
    )
    assert "<h1>Objet" in page  # the item's page around it, not the message at the top
    assert "<title>Erreur" in page  # the first words a screen reader reads of it
    assert 'class="flash' not in page
    assert basket_lines() == 0


@pytest.mark.parametrize("typed", ["0", "51", "abc"])
def test_with_htmx_a_refused_quantity_comes_back_as_the_form_alone(client, make, make_item, typed):
    login(client, make.user(locale="fr"))
    item = make_item()
    response = client.post(
        f"/catalogue/items/{item.id}/request",
        data={"quantity": typed, "csrf_token": csrf_token(client)},
        headers=HX,
    )
    assert response.status_code == 422
    # The form alone, after the <title> that says the refusal (RGAA 8.6).
    fragment = re.sub(r"^\s*<title>[^<]*</title>", "", response.text)
    assert fragment.lstrip().startswith("<form") and "<html" not in fragment
    assert f'hx-post="/catalogue/items/{item.id}/request"' in fragment
    field = re.search(r'<input[^>]*id="quantity"[^>]*>', fragment)[0]
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="quantity-error"' in field and "autofocus" in field
    assert 'id="quantity-error">Saisissez une quantité de 1 à 50.' in fragment
    assert re.search(r'name="csrf_token" value="[^"]+"', fragment)
    assert basket_lines() == 0


def test_with_htmx_an_accepted_quantity_goes_to_the_request(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(name_en="Quiet mouse")
    response = client.post(
        f"/catalogue/items/{item.id}/request",
        data={"quantity": "2", "csrf_token": csrf_token(client)},
        headers=HX,
    )
    assert response.headers["HX-Redirect"] == "/catalogue/requests"
    assert "Added to your request: Quiet mouse × 2." in client.get("/catalogue/requests").text
    assert basket_lines() == 1


def test_a_quantity_beyond_what_the_line_holds_is_said_at_the_field(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item()
    auth = Auth(client)
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "45"})
    response = auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "9"}, headers=HX)
    assert response.status_code == 422
    assert 'value="9"' in response.text
    assert 'id="quantity-error">Votre demande contient déjà 45 exemplaires' in response.text
    basket = db.session.scalar(select(CatalogueRequest))
    assert [line.quantity for line in basket.lines] == [45]


def test_nobody_else_sees_a_refused_quantity(client, make, make_item):
    """The refusal renders the item's page (the cache is empty at first): the page kept
    for everyone holds the empty field, never this person's text or error."""
    item = make_item()
    first, second = make.user(locale="fr"), make.user(locale="fr")
    login(client, first)
    refused = client.post(
        f"/catalogue/items/{item.id}/request",
        data={"quantity": "secret 77", "csrf_token": csrf_token(client)},
    )
    assert "secret 77" in refused.text
    for person in (second, first):
        login(client, person)
        page = client.get(f"/catalogue/items/{item.id}").text
        assert "secret 77" not in page and 'aria-invalid="true"' not in page
        assert "Saisissez une quantité" not in page
        assert re.search(r'<input[^>]*id="quantity"[^>]*value="1"', page)


# 3. Words for none ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "words"),
    [("fr", "Personne ne le trouve encore utile"), ("en", "Nobody finds it useful yet")],
)
def test_a_service_nobody_marked_useful_says_so_in_words(client, make, make_item, locale, words):
    login(client, make.user(locale=locale))
    page = client.get(f"/catalogue/items/{make_item(kind='service').id}").text
    assert words in page and ">0 " not in page


def test_a_full_line_says_no_more_can_be_added(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item()
    auth = Auth(client)
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "50"})
    response = auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "1"})
    assert (
        "Votre demande contient déjà 50 exemplaires de cet article\u00a0: "
        "vous ne pouvez plus en ajouter (50 par article)."
    ) in response.text
    assert "0 de plus" not in response.text


def test_a_full_line_says_no_more_can_be_added_in_english(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item()
    auth = Auth(client)
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "50"})
    response = auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "3"}, headers=HX)
    assert "you cannot add more (50 per item)." in response.text


# In the browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("script", [True, False], ids=["htmx", "without-javascript"])
def test_in_the_browser_a_refused_quantity_keeps_its_text_and_the_focus(
    browser, live_server, make, make_item, script
):
    employee = make.user(locale="fr")
    item = make_item(name_fr="Portable léger")
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=script)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_sign_in(page, employee.email)
        page.goto(f"/catalogue/items/{item.id}", wait_until="load")
        if script:  # gone if the page were loaded again
            page.evaluate("window.sameDocument = true")
        page.get_by_label("Quantité").fill("abc")
        page.get_by_role("button", name="Ajouter à ma demande").click()
        field = page.get_by_label("Quantité")
        expect(field).to_have_attribute("aria-invalid", "true", timeout=10_000)
        expect(field).to_have_value("abc")
        expect(field).to_be_focused()
        expect(field).to_have_accessible_description("Saisissez une quantité de 1 à 50.")
        expect(page.locator("#flashes .flash")).to_have_count(0)
        if script:
            assert page.evaluate("window.sameDocument === true")
        # Corrected, it is added: the field still belongs to the same form.
        field.fill("2")
        page.get_by_role("button", name="Ajouter à ma demande").click()
        page.wait_for_url(re.compile(r"/catalogue/requests$"))
        expect(page.locator("#flashes")).to_contain_text("Portable léger × 2")
    finally:
        context.close()
