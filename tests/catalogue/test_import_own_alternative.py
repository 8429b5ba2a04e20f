"""An import line giving its own item's code among its alternatives is refused with the
item form's words, at that line along with its other faults; nothing of the file is
imported, as for any refused line."""

import pytest
from sqlalchemy import func, select

from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW
from tests.catalogue.test_french_plurals_of_one_and_catalogue_words import _rows, _upload
from tests.conftest import login

NBSP = "\u00a0"
HEADER = "code,kind,category,name_fr,name_en,embodied_kgco2e,source,alternatives\n"


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", "An item cannot be its own alternative: remove eq-2."),
        ("fr", f"Un article ne peut pas être sa propre alternative{NBSP}: retirez eq-2."),
    ],
)
def test_the_preview_names_the_line_giving_its_own_code(client, make, locale, said):
    login(client, make.user(roles=("admin",), locale=locale))
    text = (
        f"{HEADER}EQ-1,equipment,laptop,Portable,Laptop,160,Study,\n"
        'EQ-2,equipment,laptop,Portable 2,Laptop 2,180,Study,"EQ-1, eq-2"\n'
    )
    assert _rows(_upload(client, text).text) == [("3", "alternatives", said)]


def test_every_fault_of_the_line_is_told_at_once(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = f'{HEADER}EQ-2,gadget,laptop,Portable,Laptop,180,Study,"EQ-2, NOPE"\n'
    rows = _rows(_upload(client, text).text)
    assert ("2", "kind", "Unknown kind: write equipment or service.") in rows
    assert (
        "2",
        "alternatives",
        "An item cannot be its own alternative: remove EQ-2. Unknown alternative code: NOPE",
    ) in rows


def test_nothing_of_the_file_is_imported(make, make_item, request_context):
    stored = make_item(code="EQ-9", name_en="Stored laptop")
    text = (
        f"{HEADER}EQ-1,equipment,laptop,Portable,Laptop,200,Study,\n"
        "EQ-9,equipment,laptop,Portable,Renamed laptop,180,Study,EQ-9\n"
    )
    result = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)
    assert [(p.line, p.column) for p in result.problems] == [(3, "alternatives")]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(CatalogueItem.id))) == 1
    assert db.session.get(CatalogueItem, stored.id).name_en == "Stored laptop"
