"""An item's source credits every figure shown, once: saving a desktop whose manufacture
figure was cleared appended Boavizta's citation again at each save, and a source cleared
beside a kept electricity figure credited that figure to nothing. Also: an empty
`years=` opens the item page at the item's own lifetime."""

import html
import re

from app.catalogue.models import CatalogueItem
from app.catalogue.reference import category_reference
from app.extensions import db
from tests.catalogue.conftest import item_edit_form
from tests.catalogue.test_import_keeps_edits_and_audits_each_item import (
    CONFIRM,
    SHORT,
    _confirmation,
    _upload,
)
from tests.conftest import login

REFERENCE = category_reference("desktop")


def _admin(client, make, locale="en"):
    login(client, make.user(roles=("admin",), locale=locale))


def _seeded_desktop(make_item, **overrides):
    """A desktop as the demo seeds it: Boavizta's figures, credited to Boavizta."""
    values = {
        "category": "desktop",
        "embodied_kgco2e": REFERENCE.embodied_kgco2e,
        "use_kwh_per_year": REFERENCE.use_kwh_per_year,
        "lifetime_years": REFERENCE.lifetime_years,
        "source": REFERENCE.source,
    }
    return make_item(**(values | overrides))


def _source(item_id: int) -> str:
    db.session.expire_all()
    return db.session.get(CatalogueItem, item_id).source


def _error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


CLEARED = {"embodied_kgco2e": "", "embodied_min_kgco2e": "", "embodied_max_kgco2e": ""}


def test_saving_a_cleared_manufacture_figure_again_never_grows_the_source(
    client, auth, make, make_item
):
    _admin(client, make)
    item = _seeded_desktop(make_item, use_kwh_per_year=REFERENCE.use_kwh_max)
    for _ in range(3):
        db.session.expire_all()
        form = item_edit_form(db.session.get(CatalogueItem, item.id), **CLEARED)
        assert auth.post(f"/catalogue/admin/items/{item.id}/edit", form).status_code == 302
        # The whole reference's citation already credits its manufacture figure.
        assert _source(item.id) == REFERENCE.source


def test_the_reference_citation_added_once_is_not_added_again(client, auth, make, make_item):
    _admin(client, make)
    item = _seeded_desktop(make_item, use_kwh_per_year=300.0, source="Fiche fabricant 2024")
    expected = f"Fiche fabricant 2024; {REFERENCE.citation('embedded')}"
    for _ in range(2):
        db.session.expire_all()
        form = item_edit_form(db.session.get(CatalogueItem, item.id), **CLEARED)
        auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
        assert _source(item.id) == expected
    api = client.get(f"/api/v1/catalogue/items/{item.id}").get_json()
    assert api["source"] == expected


def test_a_cleared_source_beside_the_reference_electricity_cites_the_whole_reference(
    client, auth, make, make_item
):
    """459.9 kWh (Boavizta's own figure) was credited to nothing: « …, embedded) ; ADEME »."""
    _admin(client, make)
    item = _seeded_desktop(make_item)
    form = item_edit_form(item, **CLEARED, source="")
    assert auth.post(f"/catalogue/admin/items/{item.id}/edit", form).status_code == 302
    assert _source(item.id) == REFERENCE.source


def test_a_cleared_source_beside_a_typed_electricity_figure_is_refused_at_the_source(
    client, auth, make, make_item
):
    _admin(client, make)
    item = _seeded_desktop(make_item, use_kwh_per_year=300.0, source="Fiche fabricant 2024")
    form = item_edit_form(item, **CLEARED, source="")
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    assert response.status_code == 422
    assert _error(response.text, "source").startswith("The electricity use typed needs its source")
    assert _source(item.id) == "Fiche fabricant 2024"


def test_the_refusal_is_said_in_french(client, auth, make, make_item):
    _admin(client, make, locale="fr")
    item = _seeded_desktop(make_item, use_kwh_per_year=300.0, source="Fiche fabricant 2024")
    form = item_edit_form(item, **CLEARED, source="")
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    assert _error(response.text, "source").startswith(
        "La consommation électrique saisie a besoin de sa source"
    )


def test_a_source_naming_only_the_reference_part_is_refused_beside_a_typed_figure(
    client, auth, make, make_item
):
    _admin(client, make)
    item = _seeded_desktop(make_item, use_kwh_per_year=300.0, source="Fiche fabricant 2024")
    form = item_edit_form(item, **CLEARED, source=REFERENCE.citation("embedded"))
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    assert response.status_code == 422
    assert "needs its source" in _error(response.text, "source")


def test_the_reference_citation_left_beside_two_blank_figures_is_accepted(
    client, auth, make, make_item
):
    """« This source would credit none of them » said of Boavizta's own citation."""
    _admin(client, make)
    item = _seeded_desktop(make_item)
    form = item_edit_form(item, **CLEARED, use_kwh_per_year="")
    assert auth.post(f"/catalogue/admin/items/{item.id}/edit", form).status_code == 302
    assert _source(item.id) == REFERENCE.source


EMBODIED = SHORT.replace("\n", ",embodied_kgco2e\n")


def test_an_import_emptying_the_manufacture_keeps_the_source_of_the_electricity(
    client, auth, make, make_item
):
    _admin(client, make)
    item = _seeded_desktop(
        make_item,
        code="EQ-1",
        embodied_kgco2e=350.0,
        use_kwh_per_year=300.0,
        source="Fiche fabricant 2024",
    )
    line = f"EQ-1,equipment,desktop,{item.name_fr},{item.name_en},\n"
    auth.post(CONFIRM, _confirmation(_upload(auth, EMBODIED + line).text))
    assert _source(item.id) == f"Fiche fabricant 2024; {REFERENCE.citation('embedded')}"
    # The same file again changes nothing: the citation is not added twice.
    again = _upload(auth, EMBODIED + line).text
    assert "The file matches the catalogue: there is nothing to import." in again


def test_an_import_with_the_source_emptied_beside_a_typed_electricity_is_refused(
    client, auth, make, make_item
):
    _admin(client, make)
    item = _seeded_desktop(
        make_item, code="EQ-1", use_kwh_per_year=300.0, source="Fiche fabricant 2024"
    )
    header = SHORT.replace("\n", ",embodied_kgco2e,source\n")
    preview = _upload(auth, header + f"EQ-1,equipment,desktop,{item.name_fr},{item.name_en},,\n")
    assert "The electricity use typed needs its source" in html.unescape(preview.text)
    assert _source(item.id) == "Fiche fabricant 2024"


def test_an_empty_years_value_opens_the_page_at_the_items_own_lifetime(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = _seeded_desktop(make_item)
    response = client.get(f"/catalogue/items/{item.id}?years=")
    assert response.status_code == 200
    assert "Choisissez une durée" not in response.text
    assert client.get(f"/catalogue/items/{item.id}?years=abc").status_code == 400
