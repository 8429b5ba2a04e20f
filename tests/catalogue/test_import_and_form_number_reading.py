"""The catalogue's import and item form: one reading of numbers per
language and file format, alternatives separated as the form says, lines cut short,
the estimate column's words, an empty or too large file, an estimate compared with a
figure already refused."""

import html
import io
import re

import pytest
from sqlalchemy import select

from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW
from tests.conftest import Auth, csrf_token, login

MB = 2**20
NNBSP = "\u202f"
NBSP = "\u00a0"
HEADER = "code,kind,category,name_fr,name_en,embodied_kgco2e,source,user_count\n"


def _item(code: str) -> CatalogueItem:
    db.session.expire_all()
    return db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == code))


def _import(make, text: str):
    return import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)


def _problems(result) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.column, p.message) for p in result.problems]


def _upload(client, text: str):
    return Auth(client).post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


def _rows(page: str) -> list[tuple[str, str, str]]:
    """The table of a refused file's faults: line, column, problem."""
    # The line's code, between its number and its column, is left out here.
    cells = re.findall(
        r"<tr><td>([^<]*)</td>(?:<td>[^<]*</td>)?<td>([^<]*)</td><td>([^<]*)</td></tr>", page
    )
    return [tuple(html.unescape(cell) for cell in row) for row in cells]


def _error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


# 1. Numbers: one reading per language and file format ---------------------------------------


def test_a_file_of_commas_never_reads_1_250_as_1_25(make, request_context):
    """`1,250` was read 1.25 (grade C became A) and `1,500` users 1; read 1250 since, it
    reads two ways and is refused (test_add_once_slider_lifetime_and_comma_file: `84,125`
    became 84125 in silence)."""
    text = HEADER + 'EQ-1,equipment,laptop,Portable,Laptop,"1,250",Study,"1,500"\n'
    assert [column for _line, column, _message in _problems(_import(make, text))] == [
        "embodied_kgco2e",
        "user_count",
    ]
    assert _item("EQ-1") is None


def test_a_file_of_commas_reads_a_decimal_point_and_thousands_together(make, request_context):
    text = HEADER + 'EQ-1,equipment,laptop,Portable,Laptop,"1,250.5",Study,\n'
    assert _problems(_import(make, text)) == []
    assert _item("EQ-1").embodied_kgco2e == 1250.5


@pytest.mark.parametrize("space", [NNBSP, NBSP, " "])
def test_a_file_of_semicolons_reads_thousands_grouped_by_spaces(make, request_context, space):
    """The portal prints `1 500` (a narrow no-break space) in French: it was refused."""
    text = HEADER.replace(",", ";") + (
        f"EQ-1;equipment;laptop;Portable;Laptop;1{space}250,5;Study;1{space}500\n"
    )
    assert _problems(_import(make, text)) == []
    item = _item("EQ-1")
    assert (item.embodied_kgco2e, item.user_count) == (1250.5, 1500)


def test_a_file_of_semicolons_refuses_a_point_that_may_group_thousands(make, request_context):
    text = HEADER.replace(",", ";") + "EQ-1;equipment;laptop;Portable;Laptop;1.250;Study;\n"
    assert _problems(_import(make, text)) == [
        (
            2,
            "embodied_kgco2e",
            f"1.250 reads two ways: write 1{NNBSP}250 for a whole number, or 1,250 with a "
            "comma for a decimal.",
        )
    ]
    assert _item("EQ-1") is None


def test_a_user_count_with_a_decimal_comma_is_refused_not_cut(make, request_context):
    """`1,500` users in a French file is 1.5: refused, saying how figures are written."""
    text = HEADER.replace(",", ";") + "EQ-1;equipment;laptop;Portable;Laptop;200;Study;1,500\n"
    ((line, column, message),) = _problems(_import(make, text))
    assert (line, column) == (2, "user_count")
    assert message.startswith("Enter a whole number between 0 and 10,000,000.")
    assert "In a file separated by semicolons, figures take a decimal comma" in message


def test_a_figure_that_does_not_read_says_how_the_file_writes_figures(make, request_context):
    text = HEADER + 'EQ-1,equipment,laptop,Portable,Laptop,"1.250,5",Study,\n'
    ((_line, column, message),) = _problems(_import(make, text))
    assert column == "embodied_kgco2e"
    assert message == (
        "1.250,5 does not read as a number. In a file separated by commas, figures "
        "take a decimal point and thousands grouped by commas or not at all: 1250.5 or "
        "1,250.5."
    )


def test_the_french_spreadsheet_export_still_imports_back_unchanged(client, make, make_item):
    make_item(code="EQ-1", embodied_kgco2e=1250.125, use_kwh_per_year=12.5, user_count=1500)
    login(client, make.user(roles=("admin",), locale="fr"))
    exported = client.get("/catalogue/export-spreadsheet.csv").get_data(as_text=True)
    assert "1250,125" in exported
    response = _upload(client, exported)
    assert response.status_code == 200, _rows(response.text)
    assert "1 article est inchangé" in html.unescape(response.text).replace(NBSP, " ")


def _item_form(**changes) -> dict:
    values = {
        "code": "EQ-1",
        "kind": "equipment",
        "category": "laptop",
        "name_fr": "Portable",
        "name_en": "Laptop",
        "embodied_kgco2e": "200",
        "lifetime_years": "4",
        "use_kwh_per_year": "100",
        "source": "Test source v1",
    }
    return values | changes


@pytest.mark.parametrize("space", [NNBSP, NBSP, " "])
def test_the_french_form_takes_numbers_as_the_portal_prints_them(client, make, make_item, space):
    item = make_item(code="EQ-1")
    login(client, make.user(roles=("admin",), locale="fr"))
    form = _item_form(embodied_kgco2e=f"1{space}250,5", user_count=f"1{space}500")
    response = Auth(client).post(f"/catalogue/admin/items/{item.id}/edit", form)
    assert response.status_code == 302, _error(response.text, "user_count")
    assert (_item("EQ-1").embodied_kgco2e, _item("EQ-1").user_count) == (1250.5, 1500)


def test_the_english_form_takes_thousands_grouped_by_commas(client, make, make_item):
    item = make_item(code="EQ-1")
    login(client, make.user(roles=("admin",), locale="en"))
    form = _item_form(embodied_kgco2e="1,250", user_count="1,500")
    response = Auth(client).post(f"/catalogue/admin/items/{item.id}/edit", form)
    assert response.status_code == 302
    assert (_item("EQ-1").embodied_kgco2e, _item("EQ-1").user_count) == (1250.0, 1500)


# 2. Alternatives separated by commas, as the form and the preview write them ---------------


def test_an_import_takes_alternatives_separated_by_commas(make, make_item, request_context):
    make_item(code="EQ-ACC-02")
    make_item(code="EQ-ACC-05")
    text = (
        "code,kind,category,name_fr,name_en,embodied_kgco2e,source,alternatives\n"
        'EQ-1,equipment,laptop,Portable,Laptop,200,Study,"EQ-ACC-02, EQ-ACC-05"\n'
    )
    assert _problems(_import(make, text)) == []
    assert sorted(a.code for a in _item("EQ-1").alternatives) == ["EQ-ACC-02", "EQ-ACC-05"]


def test_the_form_takes_alternatives_separated_by_semicolons(client, make, make_item):
    make_item(code="EQ-ACC-02", embodied_kgco2e=100.0)  # lighter: an alternative
    make_item(code="EQ-ACC-05", embodied_kgco2e=100.0)
    item = make_item(code="EQ-1")
    login(client, make.user(roles=("admin",), locale="en"))
    form = _item_form(alternatives="EQ-ACC-02;EQ-ACC-05")
    response = Auth(client).post(f"/catalogue/admin/items/{item.id}/edit", form)
    assert response.status_code == 302, _error(response.text, "alternatives")
    assert sorted(a.code for a in _item("EQ-1").alternatives) == ["EQ-ACC-02", "EQ-ACC-05"]


# 3. A line cut short -------------------------------------------------------------------------


def test_a_line_with_fewer_cells_than_the_header_is_refused_at_its_line(
    make, make_item, request_context
):
    make_item(code="EQ-1", embodied_kgco2e=300.0, source_url="https://example.org/study")
    text = (
        "code,kind,category,name_fr,name_en,embodied_kgco2e,source,source_url\n"
        "EQ-1,equipment,laptop,Portable,Laptop\n"
    )
    assert _problems(_import(make, text)) == [
        (2, "-", "This line has too few cells: 5, for 8 columns in the header line.")
    ]
    item = _item("EQ-1")
    assert (item.embodied_kgco2e, item.source_url) == (300.0, "https://example.org/study")


def test_an_emptied_line_of_fewer_cells_is_still_no_item(make, request_context):
    text = HEADER + "EQ-1,equipment,laptop,Portable,Laptop,200,Study,\n,,,\n"
    assert _problems(_import(make, text)) == []


# 4. The estimate column's words ---------------------------------------------------------------


@pytest.mark.parametrize("word", ["y", "peut-être", "2"])
def test_an_estimate_other_than_true_or_false_is_refused(make, request_context, word):
    text = "code,kind,category,name_fr,name_en,embodied_kgco2e,source,estimate\n" + (
        f"EQ-1,equipment,laptop,Portable,Laptop,200,Study,{word}\n"
    )
    assert _problems(_import(make, text)) == [
        (
            2,
            "estimate",
            "Write yes, true, oui, vrai or 1 for an estimate; no, false, non, faux or 0 "
            "otherwise, in capitals or not (a spreadsheet may write TRUE or VRAI); empty is no.",
        )
    ]


@pytest.mark.parametrize(
    ("word", "read"), [("true", True), ("OUI", True), ("Vrai", True), ("non", False), ("", False)]
)
def test_an_estimate_in_either_language_is_read(make, request_context, word, read):
    text = "code,kind,category,name_fr,name_en,embodied_kgco2e,source,estimate\n" + (
        f"EQ-1,equipment,laptop,Portable,Laptop,200,Study,{word}\n"
    )
    assert _problems(_import(make, text)) == []
    assert _item("EQ-1").estimate is read


# 5. An empty file, a file too large -----------------------------------------------------------


def test_an_empty_file_is_said_to_be_empty(make, request_context):
    assert _problems(_import(make, "")) == [(None, "", "The file is empty.")]


def test_a_header_alone_is_no_fault(make, request_context):
    assert _problems(_import(make, HEADER)) == []


def _big_upload(client, size: int):
    """The import page sent a CSV file of `size` bytes, as a browser sends it."""
    text = HEADER.encode() + b"a" * (size - len(HEADER))
    body = b"".join(
        (
            b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n',
            csrf_token(client).encode(),
            b'\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="c.csv"'
            b"\r\nContent-Type: text/csv\r\n\r\n",
            text,
            b"\r\n--B--\r\n",
        )
    )
    return client.post(
        "/catalogue/admin/import", data=body, content_type="multipart/form-data; boundary=B"
    )


def test_a_file_beyond_the_portals_limit_is_refused_at_the_import_field(client, make):
    """17 MB ended on the 413 error page (« at most 16 MB ») where the field says 5."""
    login(client, make.user(roles=("admin",), locale="fr"))
    response = _big_upload(client, 17 * MB)
    page = html.unescape(response.text)
    assert response.status_code == 413
    assert _error(page, "file") == "Le fichier est trop gros (5 Mo au plus)."
    assert 'id="file"' in page and "Importer le catalogue" in page


def test_a_file_between_both_limits_is_refused_at_the_field_too(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    response = _big_upload(client, 6 * MB)
    assert response.status_code == 422
    assert _error(response.text, "file") == "The file is too large (at most 5 MB)."


def test_the_import_field_states_its_limit(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/catalogue/admin/import").text
    assert 'id="file-hint"' in page and "At most 5 MB." in page


def test_someone_not_admin_sending_a_large_file_still_gets_the_portals_413(client, make):
    login(client, make.user(locale="en"))
    response = _big_upload(client, 17 * MB)
    assert response.status_code == 413
    assert "the portal accepts at most 16 MB at a time" in html.unescape(response.text)


# 6. An estimate compared with a figure already refused ----------------------------------------


def test_an_estimate_is_not_compared_with_a_refused_figure(client, make, make_item):
    item = make_item(code="EQ-1")
    login(client, make.user(roles=("admin",), locale="en"))
    form = _item_form(use_kwh_per_year="-1", use_kwh_min="5", use_kwh_max="20")
    response = Auth(client).post(f"/catalogue/admin/items/{item.id}/edit", form)
    assert response.status_code == 422
    assert _error(response.text, "use_kwh_per_year") != ""
    assert _error(response.text, "use_kwh_min") == ""
    assert _error(response.text, "use_kwh_max") == ""
