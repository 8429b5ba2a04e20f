"""A catalogue import previews every column it would write: the embodied range an empty
figure replaces with its category's reference, a stored range the file's figure has left
(cleared, said why), and the grade and yearly footprint a file gives but cannot set."""

from flask_babel import force_locale
from sqlalchemy import select

from app.catalogue.csv_io import COLUMNS, EXPORT_ONLY
from app.catalogue.models import CatalogueItem
from app.catalogue.services import category_reference
from app.catalogue.spreadsheet import HEADINGS
from app.extensions import db
from tests.catalogue.test_import_keeps_edits_and_audits_each_item import (
    CONFIRM,
    SHORT,
    _admin,
    _changes,
    _confirmation,
    _item,
    _upload,
)

EMBODIED = SHORT.replace("\n", ",embodied_kgco2e\n")
RANGED = {"embodied_kgco2e": 45.25, "embodied_min_kgco2e": 18.1, "embodied_max_kgco2e": 72.4}


def _stored(code: str) -> dict:
    item = _item(code)
    return {
        column: getattr(item, column) for column in COLUMNS + EXPORT_ONLY if hasattr(item, column)
    }


def _written(before: dict, code: str) -> set[str]:
    """The columns the import changed, named as the preview (in English) heads them."""
    db.session.expire_all()
    after = _stored(code)
    with force_locale("en"):
        return {str(HEADINGS[c]) for c, value in before.items() if after[c] != value}


def _shown(changes: list[str]) -> set[str]:
    return {change.split(":")[0].rstrip("\u00a0") for change in changes}


def test_an_emptied_embodied_figure_previews_the_reference_range_it_brings(
    client, auth, make, make_item
):
    _admin(client, make)
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop", **RANGED)
    reference = category_reference("laptop")
    preview = _upload(auth, EMBODIED + "EQ-1,equipment,laptop,Portable,Laptop,\n").text
    changes = _changes(preview)
    assert (
        f"Manufacturing footprint, low estimate (kg CO₂e): 18.1 → {reference.embodied_min_kgco2e:g}"
        in changes
    )
    assert (
        f"Manufacturing footprint, high estimate (kg CO₂e): 72.4 → {reference.embodied_max_kgco2e:g}"
        in changes
    )
    assert "and its embodied_kgco2e is empty: they take the category" in preview
    before = _stored("EQ-1")

    auth.post(CONFIRM, _confirmation(preview))

    assert _written(before, "EQ-1") == _shown(changes)
    item = _item("EQ-1")
    assert (item.embodied_min_kgco2e, item.embodied_max_kgco2e) == (
        reference.embodied_min_kgco2e,
        reference.embodied_max_kgco2e,
    )


def test_a_figure_outside_the_stored_range_clears_it_and_says_why(client, auth, make, make_item):
    _admin(client, make)
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop", **RANGED)
    preview = _upload(auth, EMBODIED + "EQ-1,equipment,laptop,Portable,Laptop,100\n").text
    changes = _changes(preview)
    assert "Manufacturing footprint, high estimate (kg CO₂e): 72.4 → <em>empty</em>" in changes
    assert "Manufacturing footprint, low estimate (kg CO₂e): 18.1 → <em>empty</em>" in changes
    assert "its embodied_kgco2e falls outside the stored range: the range is cleared" in preview
    before = _stored("EQ-1")

    auth.post(CONFIRM, _confirmation(preview))

    assert _written(before, "EQ-1") == _shown(changes)
    item = _item("EQ-1")
    assert (item.embodied_kgco2e, item.embodied_min_kgco2e, item.embodied_max_kgco2e) == (
        100.0,
        None,
        None,
    )


def test_a_figure_inside_the_stored_range_keeps_it(client, auth, make, make_item):
    _admin(client, make)
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop", **RANGED)
    preview = _upload(auth, EMBODIED + "EQ-1,equipment,laptop,Portable,Laptop,60\n").text
    assert "range is cleared" not in preview

    auth.post(CONFIRM, _confirmation(preview))

    item = _item("EQ-1")
    assert (item.embodied_kgco2e, item.embodied_min_kgco2e, item.embodied_max_kgco2e) == (
        60.0,
        18.1,
        72.4,
    )


def test_a_grade_or_yearly_footprint_the_file_cannot_set_is_said_so(client, auth, make, make_item):
    _admin(client, make)
    item = make_item(code="EQ-1", name_fr="Portable", name_en="Laptop")
    grade, annual = item.grade, item.annual_kgco2e
    header = SHORT.replace("\n", ",grade,annual_kgco2e\n")
    other = "A" if grade != "A" else "B"
    preview = _upload(auth, header + f"EQ-1,equipment,laptop,Portable,Laptop,{other},1\n").text
    assert (
        "“Label” and “Yearly footprint (kg CO₂e)” are worked out from the figures: the "
        "file's values were not used (EQ-1)." in preview
    )
    matching = _upload(auth, header + f"EQ-1,equipment,laptop,Portable,Laptop,{grade},{annual}\n")
    assert "worked out from the figures" not in matching.text
    assert (
        db.session.scalar(select(CatalogueItem.grade).where(CatalogueItem.code == "EQ-1")) == grade
    )


def test_a_range_cleared_is_said_in_french(client, auth, make, make_item):
    _admin(client, make, locale="fr")
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop", **RANGED)
    preview = _upload(auth, EMBODIED + "EQ-1,equipment,laptop,Portable,Laptop,100\n").text
    assert (
        "et sa colonne embodied_kgco2e sort de la fourchette enregistrée\u00a0: la fourchette est "
        "effacée" in preview
    )


def test_reference_figures_brought_by_an_emptied_figure_name_their_own_source(
    client, auth, make, make_item
):
    """The file lacks `source`: the category's figures replacing the emptied one are
    credited to the reference, the electricity figure kept to the source that gave it."""
    _admin(client, make)
    make_item(code="EQ-1", name_fr="Portable", name_en="Laptop", source="Fiche fabricant", **RANGED)
    preview = _upload(auth, EMBODIED + "EQ-1,equipment,laptop,Portable,Laptop,\n").text
    assert any(change.startswith("Source: ") for change in _changes(preview))

    auth.post(CONFIRM, _confirmation(preview))

    # The stored electricity figure stays with its source; the reference is cited for the
    # manufacture (it was cited alone: the electricity figure was credited to nothing).
    cited = category_reference("laptop").citation("embedded")
    assert _item("EQ-1").source == f"Fiche fabricant; {cited}"
