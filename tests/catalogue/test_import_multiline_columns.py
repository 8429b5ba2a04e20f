"""The catalogue's import names its multi-line columns (the descriptions, typed in a text
area) to the shared CSV reader, which knows nothing of the catalogue: their line breaks
stay, while a name is one line."""

from sqlalchemy import select

from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem
from app.core.csv_import import csv_lines
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW

TEXT = (
    "code,kind,category,name_fr,name_en,use_kgco2e_per_year,source,description_fr,"
    "description_en\n"
    'S-1,service,email,"Messagerie\nlégère","Light\ne-mail",4,Study 2024,'
    '"Ligne 1\nLigne 2","Line 1\nLine 2"\n'
)


def test_an_imported_description_keeps_its_line_breaks_and_a_name_does_not(make):
    result = import_catalogue_csv(TEXT, make.user(roles=("admin",)), NOW, GRID)
    assert result.ok, result.problems
    item = db.session.scalars(select(CatalogueItem)).one()
    assert (item.name_fr, item.name_en) == ("Messagerie légère", "Light e-mail")
    assert (item.description_fr, item.description_en) == ("Ligne 1\nLigne 2", "Line 1\nLine 2")


def test_the_shared_reader_folds_every_column_it_is_not_told_is_multiline(app):
    problems = []
    with app.test_request_context():
        lines = list(csv_lines(TEXT, problems, required=("code",), max_lines=5))
    assert problems == []
    assert lines[0][1]["description_fr"] == "Ligne 1 Ligne 2"
