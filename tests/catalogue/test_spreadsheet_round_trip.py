"""The catalogue as an admin edits it in a spreadsheet: exported as French Excel opens
it, emptied rows and a code repeated in other capitals, imported back."""

import io

from sqlalchemy import select

from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.conftest import login

HEADER = "code;kind;category;name_fr;name_en;use_kgco2e_per_year;source\r\n"


def _upload(auth, text: str):
    return auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


def test_the_spreadsheet_export_opens_in_french_excel_and_imports_back_unchanged(
    client, auth, make, make_item
):
    login(client, make.user(roles=("admin",), locale="fr"))
    make_item(code="E-1", name_fr="Clé USB", embodied_kgco2e=6.25, use_kwh_per_year=0.13)
    response = client.get("/catalogue/export-spreadsheet.csv")
    text = response.get_data(as_text=True)
    # Its headings and words in the reader's language (the open data keeps the machine's).
    assert text.startswith("\ufeffCode;Type;Catégorie;Nom en français;")
    assert ";Clé USB;" in text and ";6,25;" in text and ";0,13;" in text
    page = _upload(auth, text).get_data(as_text=True)
    assert "1 article est inchangé" in page, page


def test_a_row_a_spreadsheet_emptied_is_skipped(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = HEADER + ";;;;;;\r\n" + "S-1;service;email;Messagerie;E-mail;4;Study 2024\r\n"
    page = _upload(auth, text).get_data(as_text=True)
    assert "1 item would be created" in page and "This column is required" not in page


def test_a_code_repeated_in_other_capitals_names_its_first_line(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = (
        HEADER
        + "S-1;service;email;Messagerie;E-mail;4;Study 2024\r\n"
        + "s-1;service;email;Messagerie 2;E-mail 2;4;Study 2024\r\n"
    )
    page = _upload(auth, text).get_data(as_text=True)
    assert "This code is already on line 2 (S-1)" in page
    assert db.session.scalar(select(CatalogueItem)) is None
