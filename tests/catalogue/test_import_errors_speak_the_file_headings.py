"""A refused catalogue import names each column as the file heads it (the portal's own
French or English spreadsheet export, or the open-data names), lists the categories it
accepts, and says one error per cause."""

import html
import io
import re

from tests.conftest import Auth, login

FRENCH_HEADER = (
    "Code;Type;Catégorie;Nom en français;Nom en anglais;Statut;Fabrication (kg CO₂e);"
    "Durée de vie (ans);Source\n"
)
ENGLISH_HEADER = (
    "Code,Kind,Category,Name in French,Name in English,Status,"
    "Manufacturing footprint (kg CO₂e),Lifetime (years),Source\n"
)


def _upload(client, make, text: str, locale: str = "fr"):
    login(client, make.user(roles=("admin",), locale=locale))
    return Auth(client).post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


def _rows(response) -> list[tuple[str, str, str]]:
    """The table of a refused file's faults, as the admin reads it: line, column, problem."""
    page = response.get_data(as_text=True)
    # The line's code, between its number and its column, is left out here.
    cells = re.findall(
        r"<tr><td>([^<]*)</td>(?:<td>[^<]*</td>)?<td>([^<]*)</td><td>([^<]*)</td></tr>", page
    )
    return [tuple(html.unescape(cell) for cell in row) for row in cells]


def _notice(response) -> str:
    page = response.get_data(as_text=True)
    match = re.search(r'<div role="alert" class="notice">(.*?)</div>\s*<form', page, re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))))


def test_errors_of_a_french_spreadsheet_name_its_french_headings(client, make):
    response = _upload(
        client,
        make,
        FRENCH_HEADER + "NEW-1;Équipement;Ordinateur portable;Portable;Laptop;Perdu;abc;99;S\n",
    )
    assert response.status_code == 422
    assert {column for _line, column, _message in _rows(response)} == {
        "Statut",
        "Fabrication (kg CO₂e)",
        "Durée de vie (ans)",
    }


def test_errors_of_an_english_spreadsheet_name_its_english_headings_in_a_french_session(
    client, make
):
    response = _upload(
        client, make, ENGLISH_HEADER + "NEW-1,Equipment,Laptop,Portable,Laptop,Lost,,99,\n"
    )
    assert {column for _line, column, _message in _rows(response)} == {
        "Status",
        "Lifetime (years)",
    }


def test_a_column_the_french_file_lacks_is_named_in_french(client, make):
    header = "Code;Type;Catégorie;Nom en français;Nom en anglais\n"
    response = _upload(client, make, header + "NEW-1;Service;Messagerie;Courriel;E-mail\n")
    columns = {column for _line, column, _message in _rows(response)}
    # As the French export heads it, in the words of the item form's label.
    assert columns == {"Utilisation par an (kg CO₂e, par utilisateur pour un service)", "Source"}


def test_the_open_data_names_stay_for_a_file_written_with_them(client, make):
    header = "code,kind,category,name_fr,name_en,status,source,embodied_kgco2e\n"
    response = _upload(client, make, header + "NEW-1,equipment,laptop,P,L,lost,,\n")
    assert [column for _line, column, _message in _rows(response)] == ["status"]


def test_missing_columns_are_named_as_the_french_export_heads_them(client, make):
    response = _upload(client, make, "Référence;Sorte;Catégorie;Nom;Name\nA;B;C;D;E\n")
    notice = _notice(response)
    # Semicolons between headings: one may hold a comma (« Fabrication, estimation basse »).
    assert "Code ; Type ; Nom en français ; Nom en anglais" in notice  # spaces read as one
    assert "code ; kind ; name_fr ; name_en" in notice  # both forms are accepted
    assert "category" not in notice  # « Catégorie » is there


def test_missing_columns_are_named_in_english_for_an_english_admin(client, make):
    response = _upload(client, make, "Ref,Sort\nA,B\n", locale="en")
    notice = _notice(response)
    assert "Code; Kind; Category; Name in French; Name in English" in notice


def test_an_unknown_category_lists_the_categories_of_its_kind_in_the_file_words(client, make):
    response = _upload(
        client,
        make,
        FRENCH_HEADER + "NEW-1;Équipement;Ordinateur;Portable;Laptop;Disponible;200;4;S\n",
    )
    ((line, column, message),) = _rows(response)
    assert (line, column) == ("2", "Catégorie")
    assert "Ordinateur portable (laptop)" in message
    assert "Smartphone (smartphone)" in message or "(smartphone)" in message
    assert "(email)" not in message  # a service's category is no equipment's


def test_an_unreadable_kind_is_one_error_naming_the_kinds(client, make):
    response = _upload(
        client,
        make,
        FRENCH_HEADER + "NEW-1;Matériel;Ordinateur portable;Portable;Laptop;Disponible;;;S\n",
    )
    ((line, column, message),) = _rows(response)
    assert (line, column) == ("2", "Type")
    assert "Équipement" in message and "Service" in message


def test_an_unknown_status_names_the_statuses_of_the_file_language(client, make):
    response = _upload(
        client,
        make,
        FRENCH_HEADER + "NEW-1;Équipement;Ordinateur portable;P;L;Perdu;200;4;S\n",
    )
    ((_line, column, message),) = _rows(response)
    assert column == "Statut"
    assert "Disponible" in message and "Retiré" in message
