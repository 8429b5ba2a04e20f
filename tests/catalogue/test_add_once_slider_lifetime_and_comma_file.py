"""Adding and comparing items: an add form sent twice counts once, the simulator's slider
offers the item's own lifetime, a search for one accessory finds it alone, a comma file
refuses `84,125`, and a discontinued item in the basket is named without agreeing with it."""

import html
import re
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem, CatalogueRequest, CatalogueRequestLine
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW
from tests.conftest import Auth, browser_sign_in, csrf_token, login

HX = {"HX-Request": "true"}
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
NAMES = re.compile(r'href="/catalogue/items/\d+">([^<]+)</a>')


# 1. An add form sent twice counts once ------------------------------------------------------


def _held(user, item) -> int | None:
    db.session.expire_all()
    return db.session.scalar(
        select(CatalogueRequestLine.quantity)
        .join(CatalogueRequest)
        .where(
            CatalogueRequest.user_id == user.id,
            CatalogueRequest.status == "draft",
            CatalogueRequestLine.item_id == item.id,
        )
    )


def _form_token(client, item) -> str:
    return TOKEN.search(client.get(f"/catalogue/items/{item.id}").text).group(1)


def test_the_same_add_form_sent_twice_adds_once(client, make, make_item):
    user, item = make.user(locale="en"), make_item(name_en="Monitor 22-inch")
    login(client, user)
    form = {"quantity": "2", "form_token": _form_token(client, item)}
    first = Auth(client).post(f"/catalogue/items/{item.id}/request", form)
    second = Auth(client).post(f"/catalogue/items/{item.id}/request", form)
    assert (first.status_code, second.status_code) == (302, 302)
    assert _held(user, item) == 2


def test_the_second_send_answers_as_the_first(client, make, make_item):
    """The landing page said « × 2 » while the line held 4."""
    user, item = make.user(locale="en"), make_item(name_en="Monitor 22-inch")
    login(client, user)
    form = {"quantity": "2", "form_token": _form_token(client, item)}
    Auth(client).post(f"/catalogue/items/{item.id}/request", form)
    second = Auth(client).post(f"/catalogue/items/{item.id}/request", form)
    page = html.unescape(client.get(second.location).text)
    assert "Added to your request: Monitor 22-inch × 2." in page
    assert "in all" not in page


def test_the_same_add_form_sent_twice_with_htmx_adds_once(client, make, make_item):
    user, item = make.user(), make_item()
    login(client, user)
    form = {"quantity": "2", "form_token": _form_token(client, item)}
    for _ in range(2):
        answer = Auth(client).post(f"/catalogue/items/{item.id}/request", form, headers=HX)
        assert answer.headers["HX-Redirect"] == "/catalogue/requests"
    assert _held(user, item) == 2


def test_two_sends_of_one_form_at_the_same_instant_add_once(app, make, make_item):
    """The double click itself: both sends wait on the basket, the second reads the
    first's line and token."""
    user, item = make.user(), make_item()
    clients = []
    for _ in range(2):
        client = app.test_client()
        login(client, user)
        clients.append((client, csrf_token(client)))
    barrier, statuses = threading.Barrier(2), []
    # Read here: two threads loading the test's expired item would share its session.
    url = f"/catalogue/items/{item.id}/request"

    def click(client, csrf):
        with app.app_context():
            barrier.wait()
            answer = client.post(
                url,
                data={"quantity": "2", "form_token": "one-form", "csrf_token": csrf},
            )
            statuses.append(answer.status_code)
            db.session.remove()

    threads = [threading.Thread(target=click, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    assert _held(user, item) == 2


def test_another_add_form_still_adds(client, make, make_item):
    user, item = make.user(), make_item()
    login(client, user)
    for _ in range(2):
        form = {"quantity": "2", "form_token": _form_token(client, item)}
        Auth(client).post(f"/catalogue/items/{item.id}/request", form)
    assert _held(user, item) == 4


def test_each_item_page_gives_its_add_form_a_token_of_its_own(client, make, make_item):
    login(client, make.user())
    item = make_item()
    assert _form_token(client, item) != _form_token(client, item)


def test_the_add_button_waits_for_the_answer_with_javascript(client, make, make_item):
    login(client, make.user())
    page = client.get(f"/catalogue/items/{make_item().id}").text
    form = page[page.index('hx-post="/catalogue/items/') :]
    assert 'hx-disabled-elt="find button"' in form[: form.index(">")]


def test_a_refused_quantity_keeps_its_forms_token(client, make, make_item):
    """Nothing was added: the corrected form is the same form."""
    login(client, make.user())
    item = make_item()
    form = {"quantity": "abc", "form_token": "the-form"}
    answer = Auth(client).post(f"/catalogue/items/{item.id}/request", form, headers=HX)
    assert answer.status_code == 422
    assert TOKEN.search(answer.text).group(1) == "the-form"


def test_the_service_counts_a_form_once_but_another_quantity_again(
    make, make_item, request_context
):
    """The same token with another quantity is the form changed (Back, then edited)."""
    user, item = make.user(), make_item()
    for quantity in (2, 2, 3):
        catalogue.add_to_basket(user, item, quantity, NOW, form_token="t")
    db.session.commit()
    assert _held(user, item) == 5


# 2. The simulator's slider offers the item's own lifetime -----------------------------------


def _slider(page: str) -> dict[str, str]:
    """The years' list as the page opens: its first and last years and the one chosen
    (a slider once, which showed no number without JavaScript)."""
    options = re.search(r'<select[^>]*name="years"[^>]*>(.*?)</select>', page, re.S).group(1)
    values = re.findall(r'<option (?:selected )?value="([^"]*)"', options)
    chosen = re.search(r'<option selected value="([^"]*)"', options)
    return {"min": values[0], "max": values[-1], "value": chosen.group(1) if chosen else ""}


def _figure(page: str) -> str:
    text = html.unescape(page)
    return re.search(r'<p class="lifetime-figure">([^<]*)', text).group(1).strip()


@pytest.mark.parametrize(("lifetime", "value"), [(2.5, "2.5"), (6.6, "6.6")])
def test_the_slider_opens_at_the_items_own_lifetime(client, make, make_item, lifetime, value):
    """A smartphone kept 2.5 years: the slider said 2 beside « Kept 2.5 years »."""
    login(client, make.user(locale="en"))
    item = make_item(lifetime_years=lifetime)
    page = client.get(f"/catalogue/items/{item.id}").text
    assert _slider(page) == {"min": "2", "max": "10", "value": value}
    assert _figure(page).startswith(f"Kept {value} years, its expected lifetime")


def test_a_whole_year_lifetime_keeps_whole_year_steps(client, make, make_item):
    login(client, make.user(locale="en"))
    page = client.get(f"/catalogue/items/{make_item(lifetime_years=4).id}").text
    assert _slider(page) == {"min": "2", "max": "10", "value": "4"}


def test_recompute_without_moving_keeps_the_label_figure(client, make, make_item):
    """Without JavaScript « Recompute » went to ?years=2 and changed the figure."""
    login(client, make.user(locale="en"))
    item = make_item(embodied_kgco2e=200, lifetime_years=2.5, use_kwh_per_year=100)
    opening = client.get(f"/catalogue/items/{item.id}").text
    answer = client.get(f"/catalogue/items/{item.id}/lifetime?years={_slider(opening)['value']}")
    assert answer.location == f"/catalogue/items/{item.id}?years=2.5#lifetime"
    again = client.get(answer.location).text
    assert _figure(again) == _figure(opening)
    assert _slider(again)["value"] == "2.5"


@pytest.mark.parametrize("years", ["2.5", "2,5"])
def test_the_simulator_answers_a_lifetime_to_a_tenth(client, make, make_item, years):
    """/lifetime?years=2.5 answered 400: once moved, the item's own could not come back."""
    login(client, make.user(locale="en"))
    item = make_item(embodied_kgco2e=200, lifetime_years=2.5, use_kwh_per_year=100)
    fragment = client.get(f"/catalogue/items/{item.id}/lifetime?years={years}", headers=HX)
    assert fragment.status_code == 200
    assert "Kept 2.5 years, its expected lifetime: 85.2" in html.unescape(fragment.text)


def test_a_lifetime_off_the_items_steps_moves_the_slider_to_tenths(client, make, make_item):
    """A value typed in the address (3.7) sits on the slider as the text says it."""
    login(client, make.user(locale="en"))
    item = make_item(lifetime_years=2.5)
    page = client.get(f"/catalogue/items/{item.id}?years=3.7").text
    assert _slider(page)["value"] == "3.7"
    assert _figure(page).startswith("Kept 3.7 years:")


def test_a_lifetime_out_of_range_is_still_refused(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(lifetime_years=2.5)
    fragment = client.get(f"/catalogue/items/{item.id}/lifetime?years=10.5", headers=HX)
    assert "Choose a lifetime from 2 to 10 years." in fragment.text


# 3. A search for one accessory finds it alone ------------------------------------------------


@pytest.fixture
def accessories(make_item):
    names = (
        ("Clé USB", "USB stick"),
        ("Clavier filaire", "Wired keyboard"),
        ("Souris filaire", "Wired mouse"),
        ("Casque audio avec micro", "Headset with microphone"),
        ("Station d'accueil reconditionnée", "Refurbished docking station"),
    )
    for name_fr, name_en in names:
        make_item(category="accessory", name_fr=name_fr, name_en=name_en)
    make_item(category="laptop", name_fr="Portable station de travail 16 pouces")
    make_item(category="monitor", name_fr="Écran 24 pouces")
    make_item(category="monitor", name_fr="Moniteur incurvé 34 pouces")


def _found(client, q: str) -> list[str]:
    return [
        html.unescape(n)
        for n in NAMES.findall(client.get("/catalogue/", query_string={"q": q}).text)
    ]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("souris", ["Souris filaire"]),
        ("souris filaire", ["Souris filaire"]),  # « Clavier filaire » came too
        ("clavier", ["Clavier filaire"]),
        ("casque", ["Casque audio avec micro"]),
        ("mouse", ["Souris filaire"]),
        ("station d'accueil", ["Station d'accueil reconditionnée"]),
    ],
)
def test_a_search_for_one_accessory_finds_it_alone(client, make, accessories, q, found):
    login(client, make.user(locale="fr"))
    assert _found(client, q) == found


def test_a_kind_no_item_is_named_by_still_finds_its_category(client, make, accessories):
    """No webcam in the catalogue: the accessories are where one would be."""
    login(client, make.user(locale="fr"))
    assert len(_found(client, "webcam")) == 5


@pytest.mark.parametrize("q", ["accessoire", "accessory"])
def test_the_categorys_name_still_finds_all_its_items(client, make, accessories, q):
    login(client, make.user(locale="fr"))
    assert len(_found(client, q)) == 5


def test_a_categorys_other_names_still_find_all_its_items(client, make, accessories):
    """« écran » names the monitors, whatever each one is called."""
    login(client, make.user(locale="fr"))
    assert sorted(_found(client, "écran")) == ["Moniteur incurvé 34 pouces", "Écran 24 pouces"]


# 4. A comma file refuses a comma that reads two ways ----------------------------------------

HEADER = "code,kind,category,name_fr,name_en,embodied_kgco2e,source\n"


def _import(make, cell: str):
    text = HEADER + f'EQ-1,equipment,laptop,Portable,Laptop,"{cell}",Study\n'
    return import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)


def _embodied(code: str = "EQ-1") -> float | None:
    db.session.expire_all()
    item = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == code))
    return item.embodied_kgco2e if item else None


def test_a_comma_file_refuses_84_125_saying_how_to_write_it(make, request_context):
    """`84,5` was read 84.5 but `84,125` 84125: grade A became G, without a word."""
    result = _import(make, "84,125")
    assert [(p.line, p.column, p.message) for p in result.problems] == [
        (
            2,
            "embodied_kgco2e",
            "84,125 reads two ways in a file separated by commas: write 84125 for a whole "
            "number, or 84.125 with a point for a decimal.",
        )
    ]
    assert _embodied() is None


@pytest.mark.parametrize(
    ("cell", "value"), [("84,5", 84.5), ("84,12", 84.12), ("1,250.5", 1250.5), ("84.125", 84.125)]
)
def test_a_comma_file_reads_a_comma_that_reads_one_way(make, request_context, cell, value):
    assert _import(make, cell).problems == []
    assert _embodied() == value


def test_the_french_message_says_it_too(make, app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        (problem,) = _import(make, "84,125").problems
    assert problem.message.startswith(
        "84,125 se lit de deux façons dans un fichier séparé par des virgules"
    )


# 5. A discontinued item in the basket, whatever its gender ----------------------------------


@pytest.fixture
def basket_with_a_discontinued_mouse(make, make_item, request_context):
    employee = make.user(locale="fr")
    mouse = make_item(name_fr="Souris filaire", name_en="Wired mouse", category="accessory")
    catalogue.add_to_basket(employee, mouse, 1, NOW)
    catalogue.discontinue_item(mouse, make.user(roles=("admin",)), NOW)
    db.session.commit()
    return employee


@pytest.mark.parametrize(
    ("locale", "notice", "tag"),
    [
        (
            "fr",
            "Souris filaire\u00a0: cet article n'est plus au catalogue. Retirez-le avant "
            "d'envoyer votre demande.",
            "plus au catalogue",
        ),
        (
            "en",
            "Wired mouse: this item is no longer in the catalogue. Remove it before sending "
            "your request.",
            "no longer in the catalogue",
        ),
    ],
)
def test_the_basket_names_a_discontinued_item_without_agreeing_with_it(
    client, basket_with_a_discontinued_mouse, locale, notice, tag
):
    """« Souris filaire est retiré du catalogue : enlevez-le » and the tag « retiré »."""
    employee = basket_with_a_discontinued_mouse
    employee.locale = locale
    db.session.commit()
    login(client, employee)
    page = html.unescape(
        client.get("/catalogue/requests", headers={"Accept-Language": locale}).text
    )
    assert notice in page
    assert f'<span class="tag">{tag}</span>' in page
    assert "retiré" not in page


def test_sending_it_says_so_in_the_same_words(client, basket_with_a_discontinued_mouse):
    login(client, basket_with_a_discontinued_mouse)
    answer = Auth(client).post("/catalogue/requests/submit", {})
    page = html.unescape(client.get(answer.location).text) if answer.location else answer.text
    assert "Souris filaire\u00a0: cet article n'est plus au catalogue." in html.unescape(page)


# In the browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_a_double_click_on_add_adds_once_with_javascript(page, make, make_item):
    user = make.user(locale="en")
    item = make_item(name_en="Monitor 22-inch")
    browser_sign_in(page, user)
    page.goto(f"/catalogue/items/{item.id}", wait_until="load")
    page.get_by_label("Quantity").fill("2")
    # A server as slow as the review's: the first add is still on its way at the second click.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 400, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    button = page.get_by_role("button", name="Add to my request")
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(120)  # the review's two clicks, about 120 ms apart
    page.mouse.click(x, y)
    page.wait_for_url("**/catalogue/requests")
    expect(page.locator("main")).to_contain_text("Monitor 22-inch × 2.")
    assert _held(user, item) == 2


@pytest.mark.browser
def test_the_years_of_use_and_their_text_agree_in_the_browser(page, make, make_item):
    user = make.user(locale="en")
    item = make_item(embodied_kgco2e=200, lifetime_years=2.5, use_kwh_per_year=100)
    browser_sign_in(page, user)
    page.goto(f"/catalogue/items/{item.id}", wait_until="load")
    years = page.get_by_label("Years of use")
    expect(years).to_have_value("2.5")
    years.select_option("4")
    expect(page.locator("#lifetime-result")).to_contain_text("Kept 4 years")
    years.select_option("2.5")
    expect(page.locator("#lifetime-result")).to_contain_text("Kept 2.5 years, its expected")
