"""A refused import numbers its lines as a spreadsheet numbers its rows (the header is row
1, a cell of several lines is one row), and names each faulty line's code beside its
problem: after a three-line description, « Ligne 10 » was row 8 of the officer's file and
« figure déjà à la ligne 22 » row 20. Column headings are listed with semicolons, one of
them holding a comma (« Fabrication, estimation basse (kg CO₂e) »)."""

import html
import io
import re

from app.catalogue.csv_io import import_catalogue_csv
from app.core.csv_import import csv_lines
from tests.catalogue.conftest import GRID, NOW
from tests.conftest import Auth, login

HEADER = "Code;Type;Catégorie;Nom en français;Nom en anglais;Description en français;Fabrication (kg CO₂e);Source\n"  # fmt: skip
DESCRIBED = 'NA-PC-01;Équipement;Ordinateur portable;Portable;Laptop;"Écran 14 pouces\nClavier AZERTY\nGarantie 5 ans";245,8;Fiche PCF\n'  # fmt: skip
WRONG = "NA-UC-03;Équipement;Ordinateur fixe;Tour;Tower;;250 kg;Fiche\n"
AGAIN = "NA-PC-01;Équipement;Ordinateur portable;Portable bis;Laptop bis;;200;Fiche\n"


def _problems(make, text: str) -> list[tuple]:
    admin = make.user(roles=("admin",), locale="fr")
    result = import_catalogue_csv(text, admin, NOW, GRID, apply=False)
    return [(p.line, p.reference, p.column) for p in result.problems]


def test_a_line_after_a_cell_of_several_lines_is_numbered_as_its_spreadsheet_row(
    make, request_context
):
    assert _problems(make, HEADER + DESCRIBED + WRONG) == [(3, "NA-UC-03", "Fabrication (kg CO₂e)")]


def test_a_code_given_twice_names_the_row_of_the_first(make, request_context):
    problems = import_catalogue_csv(
        HEADER + DESCRIBED + AGAIN, make.user(roles=("admin",)), NOW, GRID, apply=False
    ).problems
    assert [(p.line, p.reference) for p in problems] == [(3, "NA-PC-01")]
    assert "already on line 2 (NA-PC-01)" in problems[0].message


def test_an_empty_line_is_a_row_as_the_spreadsheet_shows_it(app):
    problems = []
    text = 'code,name\nA-1,"Écran\n24 pouces"\n\nB-2,Clavier\n'
    with app.test_request_context():
        lines = list(csv_lines(text, problems, required=("code", "name"), max_lines=5))
    assert [line for line, _cells in lines] == [2, 4]


def test_a_line_cut_short_after_a_cell_of_several_lines_is_numbered_as_its_row(
    make, request_context
):
    short = "NA-UC-04;Équipement;Ordinateur fixe\n"
    assert _problems(make, HEADER + DESCRIBED + short) == [(3, "NA-UC-04", "-")]


def test_a_line_the_csv_reader_refuses_is_numbered_as_its_row(app):
    problems = []
    text = 'code,name\nA-1,"Écran\n24 pouces"\nB-2,"x' + "y" * 200_000 + '"\n'
    with app.test_request_context():
        list(csv_lines(text, problems, required=("code", "name"), max_lines=5))
    assert [problem.line for problem in problems] == [3]


def _upload(client, text: str):
    return Auth(client).post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


def test_the_table_of_faults_gives_each_line_s_code_beside_its_row(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _upload(client, HEADER + DESCRIBED + WRONG).text
    head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    assert re.findall(r"<th [^>]*>([^<]*)</th>", head) == ["Ligne", "Code", "Colonne", "Problème"]
    row = re.search(r"<tbody><tr>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row)[:3] == ["3", "NA-UC-03", "Fabrication (kg CO₂e)"]
    assert "la ligne d'en-tête est la ligne 1" in html.unescape(page)


def test_unknown_headings_are_listed_with_semicolons_one_holding_a_comma(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    renamed = HEADER.replace("Fabrication (kg CO₂e)", "Fabrication (kgCO2e);Durée")
    page = html.unescape(_upload(client, renamed + WRONG.replace(";Fiche", ";5;Fiche")).text)
    row = re.search(r"<tbody><tr>(.*?)</tr>", page, re.S).group(1)
    column, message = re.findall(r"<td>([^<]*)</td>", row)[1:]
    assert column == "Fabrication (kgCO2e)\u00a0; Durée"
    assert (
        "Fabrication (kg CO₂e)\u00a0; Fabrication, estimation basse (kg CO₂e)\u00a0; "
        "Fabrication, estimation haute (kg CO₂e)\u00a0; Consommation électrique" in message
    )
