"""A spreadsheet's column headings are read capitals and accents aside, as its words
already were: « Categorie » was an unknown column beside a category « Ecran » read as
« Écran »."""

from app.catalogue.csv_io import import_catalogue_csv
from tests.catalogue.conftest import GRID, NOW

LINE = "NA-EC-01;Equipement;Ecran;Écran 24 pouces;24-inch screen;300;Fiche\n"


def _import(make, header: str):
    text = header + "\n" + LINE
    return import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID, apply=False)


def test_headings_are_read_without_their_accents(make, request_context):
    header = "CODE;type;Categorie;Nom en francais;NOM EN ANGLAIS;Fabrication (kg CO2e);Source"
    result = _import(make, header)
    assert result.ok, result.problems
    (item,) = result.created
    assert item.figures["category"] == "monitor"
    assert item.figures["embodied_kgco2e"] == 300
