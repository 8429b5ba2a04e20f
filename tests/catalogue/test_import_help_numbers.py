"""The import page says what the import reads, as it reads it: figures as a refused cell
is told they are written (a file of commas takes « 1,250.5 » in quotes, which the page
said it did not), the columns as the spreadsheet export heads them in the reader's
language (« Alternatives plus légères (codes) », « Estimation »), and every word the
estimate takes (LibreOffice's « VRAI » was read and never mentioned)."""

import html
import re

import pytest

from app.catalogue.csv_io import import_catalogue_csv
from tests.catalogue.conftest import GRID, NOW
from tests.catalogue.test_import_keeps_edits_and_audits_each_item import _admin


def _help(page: str) -> str:
    """The list of the import page that says how cells are read."""
    found = re.search(r"<ul>(\s*<li>(?:In a file|Dans un fichier).*?)</ul>", page, re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))))


def test_the_page_says_figures_as_a_refused_cell_is_told(client, make):
    _admin(client, make, locale="fr")
    said = _help(client.get("/catalogue/admin/import").text)
    assert "séparé par des virgules" in said and "1250.5 ou 1,250.5" in said
    assert '"1,250.5"' in said
    assert "sans séparateur de milliers" not in said


def test_the_page_names_the_columns_as_the_french_export_heads_them(client, make):
    _admin(client, make, locale="fr")
    said = _help(client.get("/catalogue/admin/import").text)
    assert "« Alternatives plus légères (codes) »" in said
    assert "« Estimation »" in said and "VRAI" in said
    assert "estimate :" not in said and "Alternatives :" not in said


def test_an_english_page_names_them_as_the_english_export_does(client, make):
    _admin(client, make, locale="en")
    said = _help(client.get("/catalogue/admin/import").text)
    assert "“Lighter alternatives (codes)”" in said and "“Estimate”" in said


COLUMNS = [
    "code",
    "kind",
    "category",
    "name_fr",
    "name_en",
    "embodied_kgco2e",
    "source",
    "estimate",
]


def _file(separator: str, figure: str, estimate: str) -> str:
    cells = ["EQ-1", "equipment", "laptop", "Portable", "Laptop", figure, "Study", estimate]
    return f"{separator.join(COLUMNS)}\n{separator.join(cells)}\n"


@pytest.mark.parametrize(
    ("separator", "figure", "read"),
    [
        (",", '"1,250.5"', 1250.5),
        (",", "1250.5", 1250.5),
        (",", '"12,5"', 12.5),
        (";", "1 250,5", 1250.5),
        (";", "12.5", 12.5),
    ],
)
def test_each_figure_the_page_gives_imports_as_it_says(
    make, request_context, separator, figure, read
):
    text = _file(separator, figure, "VRAI")
    result = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID, apply=False)
    assert result.ok, result.problems
    assert result.created[0].values["embodied_kgco2e"] == read
    assert result.created[0].values["estimate"] is True


@pytest.mark.parametrize(("separator", "figure"), [(",", '"1,250"'), (";", "1.250")])
def test_a_figure_the_page_says_reads_two_ways_is_refused(make, request_context, separator, figure):
    text = _file(separator, figure, "non")
    result = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID, apply=False)
    assert [problem.column for problem in result.problems] == ["embodied_kgco2e"]
