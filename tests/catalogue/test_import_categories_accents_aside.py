"""A spreadsheet's words are read capitals and accents aside: « Ecran », typed without its
accent (a capital É is hard to type on a French keyboard), is the category « Écran » as
« écran » was already. A word that would then name two categories is refused, saying
which, rather than guessed."""

import pytest

from app.catalogue import spreadsheet
from app.catalogue.csv_io import import_catalogue_csv
from tests.catalogue.conftest import GRID, NOW

HEADER = "Code;Type;Catégorie;Nom en français;Nom en anglais;Fabrication (kg CO₂e);Source\n"


def _import(make, kind: str, category: str):
    text = HEADER + f"NA-EC-01;{kind};{category};Écran 24 pouces;24-inch screen;300;Fiche\n"
    return import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID, apply=False)


@pytest.mark.parametrize("typed", ["Ecran", "ECRAN", "ecran", " écran ", "Écran"])
def test_a_category_is_read_capitals_and_accents_aside(make, request_context, typed):
    result = _import(make, "Équipement", typed)
    assert result.ok, result.problems
    assert result.created[0].figures["category"] == "monitor"


def test_a_kind_is_read_accents_aside_too(make, request_context):
    result = _import(make, "EQUIPEMENT", "Ecran")
    assert result.ok, result.problems


def test_a_word_naming_two_categories_accents_aside_is_refused_naming_both(
    make, request_context, monkeypatch
):
    monkeypatch.setitem(spreadsheet.FORMER_WORDS, "category", {"ecrán": "tablet"})
    (problem,) = _import(make, "Équipement", "Ecran").problems
    assert (problem.line, problem.column) == (2, "Catégorie")
    assert problem.message == (
        "Ecran could be several categories when its accents are left aside: ecrán; Écran. "
        "Write it with its accents."
    )
    # Written with its accents, it names one.
    assert _import(make, "Équipement", "Écran").ok
