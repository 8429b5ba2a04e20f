"""Catalogue items: equipment figures from one source, the item page of an item
without an electricity figure, the services-only field, the decision page's sums, words."""

import html
import re

from sqlalchemy import select

from app.catalogue.models import CatalogueItem
from app.catalogue.reference import category_reference
from app.extensions import db
from tests.conftest import Auth, login

LAPTOP = {
    "code": "PC-D11",
    "kind": "equipment",
    "category": "laptop",
    "name_fr": "Portable",
    "name_en": "Laptop",
    "embodied_kgco2e": "150",
    "use_kwh_per_year": "",
    "source": "Dell product carbon footprint 2024",
}


def _admin(client, make):
    login(client, make.user(roles=("admin",), locale="en"))


def _error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


def _stored(code: str):
    return db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == code))


def test_a_blank_electricity_beside_a_typed_manufacture_takes_the_reference(client, auth, make):
    """It was stored as no figure, counted as 0 kWh (grade C), and the page answered 500."""
    _admin(client, make)
    assert auth.post("/catalogue/admin/items/new", LAPTOP).status_code == 302
    item, reference = _stored("PC-D11"), category_reference("laptop")
    assert item.use_kwh_per_year == reference.use_kwh_per_year
    assert client.get(f"/catalogue/items/{item.id}").status_code == 200


def test_the_grade_counts_the_reference_electricity(client, auth, make):
    _admin(client, make)
    auth.post("/catalogue/admin/items/new", LAPTOP)
    item = _stored("PC-D11")
    assert item.use_kgco2e_per_year > 0 and item.grade != "C"


def test_each_figure_is_credited_to_where_it_came_from(client, auth, make):
    """The reference's electricity read as from « Dell product carbon footprint 2024 »."""
    _admin(client, make)
    auth.post("/catalogue/admin/items/new", LAPTOP)
    page = client.get(f"/catalogue/items/{_stored('PC-D11').id}").get_data(as_text=True)
    page = re.sub(r"<[^>]+>", "", page)  # Boavizta API is the link to its address
    assert "Dell product carbon footprint 2024; Boavizta API" in page
    assert "(boaviztapi, laptop-pro, use)" in page


def test_a_typed_source_beside_reference_figures_only_is_refused_at_its_field(client, auth, make):
    """Boavizta's figures were all credited to the typed source."""
    _admin(client, make)
    form = {**LAPTOP, "embodied_kgco2e": ""}
    response = auth.post("/catalogue/admin/items/new", form)
    assert response.status_code == 422 and _stored("PC-D11") is None
    assert "this source would credit none of them" in _error(
        response.get_data(as_text=True), "source"
    )


def test_an_item_stored_without_electricity_has_its_page(client, make, make_item):
    """Items saved before the rule (no electricity, counted as none) answered 500."""
    login(client, make.user(locale="en"))
    item = make_item()
    item.use_kwh_per_year = item.use_kwh_min = item.use_kwh_max = None
    item.use_kgco2e_per_year = 0.0
    db.session.commit()
    response = client.get(f"/catalogue/items/{item.id}")
    assert response.status_code == 200
    assert "Electricity use not given" in response.get_data(as_text=True)
    assert client.get(f"/catalogue/items/{item.id}/lifetime?years=5").status_code in (200, 302)


def test_an_item_description_keeps_its_line_breaks(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(description_en="First line\nSecond line")
    page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    assert "First line<br>\nSecond line" in page


def test_the_services_figure_is_not_filled_in_for_equipment(client, make, make_item):
    _admin(client, make)
    item = make_item()
    page = client.get(f"/catalogue/admin/items/{item.id}/edit").get_data(as_text=True)
    tag = re.search(r'<input[^>]*id="use_kgco2e_per_year"[^>]*>', page).group(0)
    assert 'value=""' in tag or "value=" not in tag


def test_a_services_figure_typed_for_equipment_is_refused_at_its_field(client, auth, make):
    """It was silently discarded: the save said « Item saved »."""
    _admin(client, make)
    form = {**LAPTOP, "use_kwh_per_year": "30", "use_kgco2e_per_year": "12"}
    response = auth.post("/catalogue/admin/items/new", form)
    assert response.status_code == 422 and _stored("PC-D11") is None
    assert "This figure is for services" in _error(
        response.get_data(as_text=True), "use_kgco2e_per_year"
    )


def test_the_budget_figures_of_a_request_add_up_as_shown(app, make, make_item, monkeypatch):
    """« Used so far 60.3 » and a request of « 111.1 » read « If approved 171.5 »."""
    from app.catalogue import routes
    from app.catalogue import services as catalogue
    from tests.catalogue.conftest import NOW

    monkeypatch.setattr(routes, "utcnow", lambda: NOW)
    admin = make.user(roles=("admin",), locale="en")
    department = make.department()
    catalogue.set_budget(department.id, 2026, 1000, admin, NOW)
    for kg, approve in ((60.34, True), (111.14, False)):
        person = make.user(department=department, with_department=True)
        catalogue.add_to_basket(person, make_item(kind="service", use_kgco2e_per_year=kg), 1, NOW)
        request = catalogue.submit_basket(person, "", NOW)
        if approve:
            catalogue.decide_request(request, admin, True, "", NOW)
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    page = re.sub(r"\s+", " ", client.get("/catalogue/admin/requests").text).replace("\xa0", " ")
    assert "60.3 kg CO₂e a year" in page and "111.1 kg CO₂e" in page
    assert "171.4 kg CO₂e a year" in page and "171.5" not in page


def test_a_refusals_reason_is_labelled_as_one(client, make, make_item):
    """« Note » beside « Note E » read as a grade."""
    from app.catalogue import services as catalogue
    from tests.catalogue.conftest import NOW

    person, admin = make.user(locale="fr"), make.user(roles=("admin",))
    catalogue.add_to_basket(person, make_item(), 1, NOW)
    request = catalogue.submit_basket(person, "", NOW)
    catalogue.decide_request(request, admin, False, "Budget épuisé", NOW)
    db.session.commit()
    login(client, person)
    page = client.get(f"/catalogue/requests/{request.id}").text
    assert "<dt>Motif du refus</dt>" in page


def test_saving_a_budget_names_its_department(client, make):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    response = Auth(client).post(
        "/catalogue/admin/budgets",
        {"department_id": str(admin.department_id), "year": "2026", "budget_kgco2e": "500"},
        follow_redirects=True,
    )
    assert f"Budget saved for {admin.department.name_en}." in html.unescape(response.text)


def test_compare_says_manufacture_is_a_total_and_budgets_what_changed(client, make, make_item):
    login(client, make.user(roles=("admin",), locale="fr"))
    first, second = make_item(), make_item()
    compare = client.get(f"/catalogue/compare?ids={first.id}&ids={second.id}").text
    assert "Fabrication (total)" in compare
    budgets = html.unescape(client.get("/catalogue/budgets?year=2026").text)
    assert "Utilisé, évolution par rapport à 2025" in budgets
