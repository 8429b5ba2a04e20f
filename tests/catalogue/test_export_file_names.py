"""The two catalogue downloads no longer share a file name: an analyst who downloads the
open data and the spreadsheet file can tell them apart in their downloads folder."""

from tests.conftest import login


def _file_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    return disposition.split("filename=", 1)[1].strip('"')


def test_the_open_data_export_keeps_its_name(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    assert _file_name(client.get("/catalogue/export.csv")) == "empreinte-catalogue.csv"


def test_the_french_spreadsheet_export_is_named_tableur(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    response = client.get("/catalogue/export-spreadsheet.csv")
    assert _file_name(response) == "empreinte-catalogue-tableur.csv"


def test_the_english_spreadsheet_export_is_named_spreadsheet(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    response = client.get("/catalogue/export-spreadsheet.csv")
    assert _file_name(response) == "empreinte-catalogue-spreadsheet.csv"
