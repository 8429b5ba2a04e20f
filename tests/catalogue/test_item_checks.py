"""The admin's item form and catalogue import: every fault at once, at its field or on
its line, ranges that read the right way round, messages that say how to fix."""

import html
import io
import re

from sqlalchemy import func, select

from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.conftest import login

LAPTOP = {
    "code": "PC-R",
    "kind": "equipment",
    "category": "laptop",
    "name_fr": "Portable",
    "name_en": "Laptop",
    "embodied_kgco2e": "200",
    "lifetime_years": "4",
    "use_kwh_per_year": "30",
    "source": "Study 2024",
}
SERVICE = {
    "code": "SV-R",
    "kind": "service",
    "category": "video",
    "name_fr": "Visio",
    "name_en": "Video",
    "use_kgco2e_per_year": "4",
}
HEADER = "code,kind,category,name_fr,name_en,embodied_kgco2e,embodied_min_kgco2e,embodied_max_kgco2e,use_kgco2e_per_year,source,source_url,alternatives\n"


def _admin(client, make):
    login(client, make.user(roles=("admin",), locale="en"))


def _error(page: str, field_id: str) -> str:
    """The error shown at a field ('' when there is none)."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def _tag(page: str, field_id: str) -> str:
    return re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', page).group(0)


def _upload(auth, text: str):
    return auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


def _items() -> int:
    return db.session.scalar(select(func.count(CatalogueItem.id)))


def test_an_embodied_low_estimate_above_its_figure_is_refused_at_each_estimate(client, auth, make):
    _admin(client, make)
    form = {**LAPTOP, "embodied_min_kgco2e": "300", "embodied_max_kgco2e": "100"}
    response = auth.post("/catalogue/admin/items/new", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _items() == 0
    assert (
        _error(page, "embodied_min_kgco2e") == "The low estimate cannot be above the figure (200)."
    )
    assert (
        _error(page, "embodied_max_kgco2e") == "The high estimate cannot be below the figure (200)."
    )


def test_a_use_range_on_the_wrong_side_of_its_figure_is_refused_at_its_field(client, auth, make):
    _admin(client, make)
    form = {**LAPTOP, "use_kwh_min": "10", "use_kwh_max": "20"}
    page = auth.post("/catalogue/admin/items/new", form).get_data(as_text=True)
    assert _error(page, "use_kwh_max") == "The high estimate cannot be below the figure (30)."
    assert _error(page, "use_kwh_min") == "" and _items() == 0


def test_a_use_figure_edited_out_of_its_reference_range_is_refused_at_the_range(
    client, auth, make, make_item
):
    """The use range came from reference data and had no field: a figure edited out of
    it was saved and read '300 kWh a year (between 50 and 150 kWh a year)'."""
    _admin(client, make)
    item = make_item(embodied_kgco2e=None, use_kwh_per_year=None, source="")  # reference
    low, high = item.use_kwh_min, item.use_kwh_max
    form = {**LAPTOP, "code": item.code, "use_kwh_per_year": str(high + 100)}
    form.update(use_kwh_min=str(low), use_kwh_max=str(high))  # as the edit form shows them
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), "use_kwh_max").startswith(
        "The high estimate cannot be below the figure"
    )


def test_every_fault_of_the_item_form_comes_at_once_each_at_its_field(client, auth, make):
    """The source and the alternatives were refused one save after another, at the top
    of the page, once the fields' own errors were fixed."""
    _admin(client, make)
    form = {**SERVICE, "code": "no spaces", "alternatives": "NOPE"}
    response = auth.post("/catalogue/admin/items/new", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _items() == 0
    assert "Letters, digits" in _error(page, "code")
    assert _error(page, "source").startswith("Give the source of the figures")
    assert _error(page, "alternatives") == "Unknown alternative code: NOPE"
    assert 'role="alert"' not in page.split("<form", 1)[0].split("<main", 1)[-1]


def test_the_first_field_in_error_takes_the_focus_even_a_catalogue_refusal(client, auth, make):
    _admin(client, make)
    page = auth.post("/catalogue/admin/items/new", {**SERVICE, "alternatives": "NOPE"}).get_data(
        as_text=True
    )
    assert "autofocus" in _tag(page, "source")
    assert "autofocus" not in _tag(page, "alternatives")


def test_an_unknown_alternative_on_edit_is_said_at_its_field(client, auth, make, make_item):
    _admin(client, make)
    item = make_item(kind="service", code="SV-E")
    form = {**SERVICE, "code": "SV-E", "source": "Study", "alternatives": "NOPE"}
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _error(page, "alternatives") == "Unknown alternative code: NOPE"
    assert "autofocus" in _tag(page, "alternatives")


def test_a_source_address_without_its_scheme_says_how_to_write_it(client, auth, make):
    _admin(client, make)
    form = {**SERVICE, "source": "Study", "source_url": "www.example.org/study"}
    page = auth.post("/catalogue/admin/items/new", form).get_data(as_text=True)
    assert _error(page, "source_url") == "Give an address starting with https:// (or http://)."


def test_an_imported_line_whose_high_estimate_is_below_its_low_is_refused_naming_it(
    client, auth, make
):
    _admin(client, make)
    text = HEADER + "PC-1,equipment,laptop,Portable,Laptop,,500,10,,Study,,\n"
    response = _upload(auth, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _items() == 0
    assert re.search(
        r"<td>2</td><td>PC-1</td><td>embodied_max_kgco2e</td><td>The high estimate cannot be below "
        r"the low estimate \(500\)\.</td>",
        page,
    )


def test_an_imported_source_address_without_its_scheme_is_refused(client, auth, make):
    _admin(client, make)
    text = HEADER + "S-1,service,email,Courriel,E-mail,,,,4,Study,javascript:alert(1),\n"
    page = _upload(auth, text).get_data(as_text=True)
    assert (
        "<td>2</td><td>S-1</td><td>source_url</td><td>Give an address starting with https://"
        in page
    )


def test_import_faults_are_listed_in_the_order_of_the_file(client, auth, make):
    _admin(client, make)
    text = HEADER + (
        "S-1,service,email,a,b,,,,x,Study,,\n"
        "S-2,service,email,a,b,,,,x,Study,,\n"
        "S-3,service,email,a,b,,,,4,Study,,NOPE\n"
        "S-4,service,email,a,b,,,,4,Study,,\n"
        "S-5,service,email,a,b,,,,x,Study,,\n"
    )
    page = _upload(auth, text).get_data(as_text=True)
    lines = re.findall(r"<tr><td>(\d+)</td>", page)
    assert lines == ["2", "3", "4", "6"]


def test_a_refused_import_takes_the_reader_to_its_list_of_faults(client, auth, make):
    _admin(client, make)
    page = _upload(auth, HEADER + "S-1,service,email,a,b,,,,x,Study,,\n").get_data(as_text=True)
    heading = re.search(r"<h2[^>]*>Nothing was imported</h2>", page).group(0)
    assert 'tabindex="-1"' in heading and "autofocus" in heading


def test_a_file_in_another_encoding_is_told_how_to_save_it_at_the_file_field(client, auth, make):
    """Excel's default "CSV" is Windows-1252: the import flashed "not UTF-8" at the top."""
    login(client, make.user(roles=("admin",), locale="fr"))
    latin1 = "code;kind;category;name_fr\nX-1;service;email;Messagerie légère\n".encode("cp1252")
    response = auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(latin1), "catalogue.csv")},
        content_type="multipart/form-data",
    )
    page = html.unescape(response.text)
    assert response.status_code == 422
    assert "format «\u00a0CSV UTF-8\u00a0»" in page and 'aria-invalid="true"' in page
