"""The catalogue: a new item's import preview shows what it will hold, a withdrawal says
what becomes of the requests waiting that hold the item, figures that do not apply to a
service are refused rather than dropped, the longer lifetimes suggested can be chosen, and
a kg CO₂e figure is written one way on every page."""

import html
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueItem, CatalogueRequest
from app.extensions import db
from tests.catalogue.conftest import NOW, item_edit_form
from tests.catalogue.test_import_keeps_edits_and_audits_each_item import _admin, _upload
from tests.catalogue.test_item_checks import _error
from tests.conftest import browser_sign_in, login

NEW_LINE = (
    "code,kind,category,name_fr,name_en,embodied_kgco2e,lifetime_years,source\n"
    "LAP-NEW-01,equipment,laptop,Portable neuf,New laptop,250,5,Maker sheet 2026\n"
)


def test_a_new_item_s_preview_shows_its_category_figures_grade_and_source(client, auth, make):
    """« À créer » listed a code and a name: a manufacture figure typed in grams, or the
    wrong category, was confirmed unseen."""
    _admin(client, make)

    page = _upload(auth, NEW_LINE).text

    for shown in (
        "<li>Category: Laptop</li>",
        "<li>Manufacturing footprint (kg CO₂e): 250</li>",
        "<li>Lifetime (years): 5</li>",
        "<li>Yearly footprint (kg CO₂e): ",
        "<li>Label: ",
        "<li>Source: Maker sheet 2026",
        "<li>Use per year (kg CO₂e, per user for a service): ",
    ):
        assert shown in page, shown


@pytest.mark.browser
def test_on_a_phone_a_new_item_s_code_stays_on_one_line(page, make):
    """At 390 px the code column broke at each hyphen: « LAP- / NEW- / 01 »."""
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, make.user(roles=("admin",), locale="fr", email="codes@example.org"))
    page.goto("/catalogue/admin/import")
    page.locator("input[type=file]").set_input_files(
        {"name": "catalogue.csv", "mimeType": "text/csv", "buffer": NEW_LINE.encode()}
    )
    page.locator("form:has(input[type=file]) button[type=submit]").click()
    cell = page.get_by_role("cell", name="LAP-NEW-01", exact=True)
    expect(cell).to_be_visible()
    lines = cell.evaluate(
        "(td) => { const r = document.createRange(); r.selectNodeContents(td);"
        " return r.getClientRects().length; }"
    )
    assert lines == 1, lines


# Withdrawing an item that requests waiting for a decision hold ------------------------


def _held_in_waiting_requests(make, make_item, count: int):
    laptop = make_item(name_fr="Portable demandé", name_en="Asked-for laptop")
    for _n in range(count):
        person = make.user()
        catalogue.add_to_basket(person, laptop, 1, NOW)
        catalogue.submit_basket(person, "", NOW)
    db.session.commit()
    return laptop


def _question(page: str) -> tuple[str, str]:
    """What « Discontinue » asks with scripts (its dialog) and without (its noscript field)."""
    form = re.search(r'<form[^>]*/discontinue"[^>]*>.*?</form>', page, re.S).group(0)
    with_script = re.search(r'data-confirm="([^"]*)"', form).group(1)
    without = re.search(r'name="ask_first" value="([^"]*)"', form).group(1)
    return html.unescape(with_script), html.unescape(without)


def test_the_withdrawal_question_counts_the_requests_waiting_that_hold_the_item(
    client, make, make_item
):
    """It said only « Personne ne pourra plus le demander. »; the two requests waiting
    lost the line's figure without the admin being told."""
    laptop = _held_in_waiting_requests(make, make_item, 2)
    login(client, make.user(roles=("admin",), locale="fr"))

    asked = _question(client.get(f"/catalogue/items/{laptop.id}").text)

    expected = (
        "Retirer Portable demandé du catalogue\u00a0? Personne ne pourra plus le demander. "
        "2\u00a0demandes en attente de décision le contiennent\u00a0: leur ligne indiquera "
        "«\u00a0plus au catalogue, non compté\u00a0», et les accepter ne comptera rien pour "
        "cet article."
    )
    assert asked == (expected, expected)


def test_without_scripts_the_question_page_says_what_becomes_of_the_request(
    client, auth, make, make_item
):
    laptop = _held_in_waiting_requests(make, make_item, 1)
    login(client, make.user(roles=("admin",), locale="en"))
    _with_script, without = _question(client.get(f"/catalogue/items/{laptop.id}").text)

    page = auth.post(
        f"/catalogue/admin/items/{laptop.id}/discontinue",
        data={"ask_first": without, "ask_first_yes": "Discontinue it"},
    ).text

    assert (
        "1 request waiting for a decision holds it: its line will read “no longer in the "
        "catalogue, not counted”, and approving it will charge nothing for this item."
    ) in html.unescape(page)
    assert laptop.status == "available"


def test_a_request_sent_after_the_page_was_first_shown_is_counted(client, make, make_item):
    """The item's page is kept until the catalogue changes; the requests sent are not."""
    laptop = _held_in_waiting_requests(make, make_item, 1)
    login(client, make.user(roles=("admin",), locale="en"))
    client.get(f"/catalogue/items/{laptop.id}")
    person = make.user()
    catalogue.add_to_basket(person, laptop, 1, NOW)
    catalogue.submit_basket(person, "", NOW)
    db.session.commit()

    asked, _without = _question(client.get(f"/catalogue/items/{laptop.id}").text)

    assert "2 requests waiting for a decision hold it" in asked


def test_an_item_no_request_waits_for_is_asked_about_as_before(client, make, make_item):
    laptop = make_item(name_fr="Portable libre")
    login(client, make.user(roles=("admin",), locale="fr"))

    asked = _question(client.get(f"/catalogue/items/{laptop.id}").text)

    expected = "Retirer Portable libre du catalogue\u00a0? Personne ne pourra plus le demander."
    assert asked == (expected, expected)


# Figures that do not apply to a service ----------------------------------------------

FOR_EQUIPMENT = (
    "This figure is for equipment: a service is counted by its footprint per user per year "
    "alone. Leave it blank."
)
SERVICE_FORM = {
    "code": "SV-NEW-1",
    "kind": "service",
    "category": "email",
    "name_fr": "Messagerie",
    "name_en": "E-mail",
    "use_kgco2e_per_year": "3",
    "source": "Study 2026",
}


def test_a_manufacture_figure_typed_for_a_new_service_is_refused_at_its_field(client, auth, make):
    """It was dropped: « Article créé » with the 50 kg typed gone."""
    _admin(client, make)

    response = auth.post("/catalogue/admin/items/new", SERVICE_FORM | {"embodied_kgco2e": "50"})

    assert response.status_code == 422
    assert _error(response.text, "embodied_kgco2e") == FOR_EQUIPMENT
    assert db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "SV-NEW-1")) is None


def test_a_lifetime_typed_for_a_service_is_refused_and_nothing_saved(client, auth, make, make_item):
    _admin(client, make)
    service = make_item(kind="service", name_en="Shared drive")

    response = auth.post(
        f"/catalogue/admin/items/{service.id}/edit",
        item_edit_form(service, lifetime_years="4", name_en="Renamed drive"),
    )

    assert response.status_code == 422
    assert _error(response.text, "lifetime_years") == FOR_EQUIPMENT
    db.session.expire_all()
    assert db.session.get(CatalogueItem, service.id).name_en == "Shared drive"


@pytest.mark.parametrize(
    ("column", "cell"),
    [("embodied_kgco2e", "50"), ("use_kwh_per_year", "12"), ("lifetime_years", "3")],
)
def test_an_import_refuses_an_equipment_figure_on_a_service_line(client, auth, make, column, cell):
    _admin(client, make)
    text = (
        f"code,kind,category,name_fr,name_en,use_kgco2e_per_year,source,{column}\n"
        f"SV-NEW-2,service,email,Messagerie,E-mail,3,Study 2026,{cell}\n"
    )

    page = html.unescape(_upload(auth, text).text)

    assert "Nothing was imported" in page
    assert FOR_EQUIPMENT in page and column in page
    assert db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "SV-NEW-2")) is None


def test_an_exported_service_imports_back_without_a_figure_refused(client, auth, make, make_item):
    """The export writes a service's equipment figures blank: they are no figures typed."""
    _admin(client, make)
    make_item(kind="service", code="SV-KEPT")
    exported = client.get("/catalogue/export.csv").text

    page = _upload(auth, exported).text

    assert FOR_EQUIPMENT not in html.unescape(page) and "Nothing was imported" not in page


# « Le garder plus longtemps »: the years suggested are years of the list --------------


def _offered(page: str) -> list[float]:
    control = re.search(r'<select[^>]*name="years"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [float(value) for value in re.findall(r'<option [^>]*value="([^"]*)"', control)]


def _suggested(page: str) -> list[float]:
    """The years of « One more year (3.5 years) » and « Two more years (4.5 years) »."""
    said = re.findall(r"(?:One|Two) more years? \(([\d.]+) years\)", html.unescape(page))
    return [float(years) for years in said]


@pytest.mark.parametrize("years", [None, "2.5", "3.5", "4", "6.5"])
def test_the_longer_lifetimes_suggested_can_be_chosen_in_the_list(client, make, make_item, years):
    """A refurbished smartphone kept 2.5 years: « Une année de plus (3,5 ans)… Deux années
    de plus (4,5 ans) » while the list offered 2, 2.5, 3, 4…: 3.5 could not be checked."""
    login(client, make.user(locale="en"))
    phone = make_item(category="smartphone", embodied_kgco2e=16, lifetime_years=2.5)
    page = client.get(f"/catalogue/items/{phone.id}").text
    offered = _offered(page)

    # The list is the page's; htmx swaps only the figures below it.
    shown = (
        client.get(
            f"/catalogue/items/{phone.id}/lifetime",
            query_string={"years": years},
            headers={"HX-Request": "true"},
        ).text
        if years
        else page
    )

    suggested = _suggested(shown)
    assert len(suggested) == 2
    assert set(suggested) <= set(offered), (suggested, offered)


# One way of writing a kg CO₂e figure on every catalogue page ---------------------------

NBSP = "\u00a0"


def _kg(figure: str) -> str:
    return f"{figure}{NBSP}kg{NBSP}CO₂e"


def test_a_yearly_use_under_one_kilo_reads_the_same_on_the_item_page_and_compare(
    client, make, make_item
):
    """A refurbished smartphone's use read « 0,1 kg » on its page, « 0,14 kg » on Compare."""
    login(client, make.user(locale="fr"))
    # 2.7 kWh × 0.052 = 0.1404 kg a year; 16 kg over 2.5 years = 6.4 a year.
    phone = make_item(
        name_fr="Smartphone reconditionné",
        category="smartphone",
        embodied_kgco2e=16,
        lifetime_years=2.5,
        use_kwh_per_year=2.7,
    )
    other = make_item(category="smartphone", embodied_kgco2e=60, lifetime_years=3)

    item_page = html.unescape(client.get(f"/catalogue/items/{phone.id}").text)
    compared = client.get(f"/catalogue/compare?ids={phone.id}&ids={other.id}").text

    assert f"= {_kg('0,14')} par an" in item_page
    assert "0,14 kg" in html.unescape(compared).replace(NBSP, " ")
    # Its two parts still add up to the yearly footprint written under them.
    share = re.search(rf"— ([\d,]+){NBSP}kg{NBSP}CO₂e par an sur 2,5", item_page).group(1)
    total = re.search(r"<dt>Empreinte annuelle</dt><dd><strong>([\d,]+)", item_page).group(1)
    added = float(share.replace(",", ".")) + 0.14
    assert f"{added:.{len(total.split(',')[1])}f}".replace(".", ",") == total


def _sent_request(client, auth, make, make_item, *lines):
    login(client, make.user(locale="en"))
    for item, quantity in lines:
        auth.post(f"/catalogue/items/{item.id}/request", {"quantity": str(quantity)})
    auth.post("/catalogue/requests/submit", {"comment": ""})
    return db.session.scalar(select(CatalogueRequest))


def test_a_whole_request_total_has_no_trailing_tenth(client, auth, make, make_item):
    """2 × 8,5 read « 17.0 kg CO₂e » on the request, where the listing writes « 26 »."""
    phone = make_item(category="smartphone", embodied_kgco2e=34, use_kwh_per_year=0)  # 8.5
    req = _sent_request(client, auth, make, make_item, (phone, 2))

    page = html.unescape(client.get(f"/catalogue/requests/{req.id}").text)
    listed = html.unescape(client.get("/catalogue/requests").text)

    assert f"<dt>Yearly footprint</dt><dd>{_kg('17')}</dd>" in page
    assert _kg("17.0") not in page and _kg("17.0") not in listed
    assert _kg("17") in listed


def test_a_request_total_is_the_sum_of_a_line_under_one_kilo_as_written(
    client, auth, make, make_item
):
    phone = make_item(category="smartphone", embodied_kgco2e=34, use_kwh_per_year=0)  # 8.5
    mail = make_item(kind="service", use_kgco2e_per_year=0.14)
    req = _sent_request(client, auth, make, make_item, (phone, 1), (mail, 1))

    page = html.unescape(client.get(f"/catalogue/requests/{req.id}").text)

    assert _kg("0.14") in page and _kg("8.5") in page
    assert f"<dt>Yearly footprint</dt><dd>{_kg('8.64')}</dd>" in page
