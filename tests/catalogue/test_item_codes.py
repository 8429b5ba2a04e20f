"""Item codes are unique whatever their case and the spaces around them: the item form
and the catalogue import refuse a second `lap-test-1` beside `LAP-TEST-1`, naming the item
that has it. (The catalogue API only reads items: it creates none.)"""

import html
import io
import re

from sqlalchemy import func, select

from app.catalogue import services
from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW
from tests.conftest import login

FORM = {
    "code": "lap-test-1",
    "kind": "equipment",
    "category": "laptop",
    "name_fr": "Portable test",
    "name_en": "Test laptop",
    "embodied_kgco2e": "200",
    "lifetime_years": "4",
    "use_kwh_per_year": "30",
    "source": "Study 2024",
}
HEADER = "code,kind,category,name_fr,name_en,use_kgco2e_per_year,source\n"
TAKEN = "Item LAP-TEST-1, “Test laptop”, already has this code (capital letters aside)."


def _admin(client, make):
    login(client, make.user(roles=("admin",), locale="en"))


def _error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def _count(code: str) -> int:
    return db.session.scalar(
        select(func.count(CatalogueItem.id)).where(func.lower(CatalogueItem.code) == code)
    )


def test_the_form_refuses_a_code_taken_in_other_capitals_naming_the_item(
    client, auth, make, make_item
):
    make_item(code="LAP-TEST-1", name_en="Test laptop")
    _admin(client, make)
    response = auth.post("/catalogue/admin/items/new", FORM)
    assert response.status_code == 422 and _count("lap-test-1") == 1
    assert _error(response.text, "code") == TAKEN


def test_the_form_refuses_a_taken_code_with_spaces_around_it(client, auth, make, make_item):
    make_item(code="LAP-TEST-1", name_en="Test laptop")
    _admin(client, make)
    response = auth.post("/catalogue/admin/items/new", {**FORM, "code": "  LAP-TEST-1 "})
    assert response.status_code == 422 and _error(response.text, "code") == TAKEN


def test_editing_another_item_to_a_taken_code_in_other_capitals_is_refused(
    client, auth, make, make_item
):
    make_item(code="LAP-TEST-1", name_en="Test laptop")
    other = make_item(code="LAP-TEST-2")
    _admin(client, make)
    response = auth.post(f"/catalogue/admin/items/{other.id}/edit", FORM)
    assert response.status_code == 422 and _error(response.text, "code") == TAKEN
    db.session.expire_all()
    assert db.session.get(CatalogueItem, other.id).code == "LAP-TEST-2"


def test_an_item_may_change_the_capitals_of_its_own_code(client, auth, make, make_item):
    item = make_item(code="LAP-TEST-1")
    _admin(client, make)
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", FORM)
    db.session.expire_all()
    assert response.status_code == 302 and db.session.get(CatalogueItem, item.id).code == (
        "lap-test-1"
    )


def test_the_service_refuses_a_code_taken_in_other_capitals(make, make_item, request_context):
    make_item(code="LAP-TEST-1", name_en="Test laptop")
    values = {**FORM, "embodied_kgco2e": 200.0, "lifetime_years": 4.0, "use_kwh_per_year": 30.0}
    try:
        services.create_item(values, make.user(roles=("admin",)), NOW, GRID)
    except services.CatalogueError as error:
        assert (error.field, str(error)) == ("code", TAKEN)
    else:
        raise AssertionError("a second lap-test-1 was created")


def test_an_import_line_with_a_stored_code_in_other_capitals_is_refused(
    make, make_item, request_context
):
    make_item(code="SV-TEST-1", kind="service", name_en="Test laptop")
    text = HEADER + "sv-test-1,service,email,Messagerie,E-mail,4,Study 2024\n"
    result = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)
    problems = [(p.line, p.column, p.message) for p in result.problems]
    assert problems == [(2, "code", TAKEN.replace("LAP", "SV"))]
    assert _count("sv-test-1") == 1


def test_an_import_with_one_code_twice_in_other_capitals_is_refused(make, request_context):
    text = HEADER + (
        "SV-TEST-1,service,email,Messagerie,E-mail,4,Study 2024\n"
        "sv-test-1,service,email,Messagerie,E-mail,4,Study 2024\n"
    )
    result = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)
    assert [(p.line, p.column) for p in result.problems] == [(3, "code")]


def test_an_imported_code_outside_the_forms_pattern_is_refused(make, request_context):
    text = HEADER + "SV TÉST,service,email,Messagerie,E-mail,4,Study 2024\n"
    result = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)
    assert [(p.column, p.message) for p in result.problems] == [
        ("code", "Letters, digits, dot, dash and underscore only.")
    ]


def test_the_import_page_names_the_item_that_has_the_code(client, auth, make, make_item):
    make_item(code="SV-TEST-1", kind="service", name_en="Test laptop")
    _admin(client, make)
    text = HEADER + "sv-test-1,service,email,Messagerie,E-mail,4,Study 2024\n"
    response = auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert TAKEN.replace("LAP", "SV") in html.unescape(response.text)
