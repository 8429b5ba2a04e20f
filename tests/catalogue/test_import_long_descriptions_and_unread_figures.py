"""The import refuses what the item form refuses: a description beyond its 4,000
characters (which then made every save of the item's form fail), and a figure cell that
does not read as a number says so and how the file writes figures, not a range."""

import pytest
from sqlalchemy import select

from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW

HEADER = "code,kind,category,name_fr,name_en,description_fr,description_en,embodied_kgco2e,source\n"


def _import(make, text: str):
    return import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)


def _problems(result) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.column, p.message) for p in result.problems]


def _stored(code: str):
    db.session.expire_all()
    return db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == code))


@pytest.mark.parametrize("column", ["description_fr", "description_en"])
def test_a_description_longer_than_the_form_allows_is_refused(make, request_context, column):
    long = "a" * 9000
    fr, en = (long, "") if column == "description_fr" else ("", long)
    text = HEADER + f"EQ-LONG-1,equipment,laptop,Portable,Laptop,{fr},{en},200,Study\n"
    assert _problems(_import(make, text)) == [(2, column, "At most 4000 characters.")]
    assert _stored("EQ-LONG-1") is None


def test_a_description_of_4000_characters_imports(make, request_context):
    text = HEADER + f"EQ-LONG-2,equipment,laptop,Portable,Laptop,{'a' * 4000},,200,Study\n"
    assert _problems(_import(make, text)) == []


@pytest.mark.parametrize("typed", ["abc", "12 kg", "NaN", "1e3", "inf"])
def test_a_cell_that_is_no_number_says_so_and_how_figures_are_written(make, request_context, typed):
    text = HEADER + f"EQ-ODD-1,equipment,laptop,Portable,Laptop,,,{typed},Study\n"
    ((line, column, message),) = _problems(_import(make, text))
    assert (line, column) == (2, "embodied_kgco2e")
    assert message == (
        f"{typed} does not read as a number. In a file separated by commas, figures take a "
        "decimal point and thousands grouped by commas or not at all: 1250.5 or 1,250.5."
    )
    assert _stored("EQ-ODD-1") is None


def test_a_number_out_of_range_keeps_the_range_error(make, request_context):
    text = HEADER + "EQ-ODD-2,equipment,laptop,Portable,Laptop,,,20000000,Study\n"
    ((_line, column, message),) = _problems(_import(make, text))
    assert (column, message) == ("embodied_kgco2e", "Enter a number between 0 and 10,000,000.")


def test_a_semicolon_file_says_how_it_writes_figures(make, request_context):
    text = HEADER.replace(",", ";") + "EQ-ODD-3;equipment;laptop;Portable;Laptop;;;12 kg;Study\n"
    ((_line, _column, message),) = _problems(_import(make, text))
    assert message.startswith("12 kg does not read as a number. In a file separated by semicolons")
