"""The refurbished note (« sa fabrication compte pour 25 % … ») goes only with figures it
describes: a share of a Boavizta model's, never a hand estimate or the reference taken
whole, seeded, edited or imported. Comparing a single ticked item is a refused form, said
in the page title (RGAA 8.6)."""

import re

from sqlalchemy import insert, select

from app.catalogue.footprint import REFURBISHED_NOTE, REFURBISHED_SHARE
from app.catalogue.models import CatalogueItem
from app.catalogue.reference import category_reference
from app.catalogue.seed import equipment_rows
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW, item_edit_form
from tests.catalogue.test_import_keeps_edits_and_audits_each_item import _item, _upload
from tests.conftest import login

REFERENCE = category_reference("laptop")
SHARE = round(REFERENCE.embodied_kgco2e * REFURBISHED_SHARE[1], 2)
NOTED = {"description_fr": REFURBISHED_NOTE["fr"], "description_en": REFURBISHED_NOTE["en"]}


def _seeded(code: str) -> CatalogueItem:
    """The demo's equipment, as `flask demo seed` writes it, and the item of `code`."""
    db.session.execute(insert(CatalogueItem), equipment_rows(NOW, GRID))
    db.session.commit()
    return _item(code)


def _refurbished_laptop(make_item) -> CatalogueItem:
    """A refurbished laptop as the seed makes one: a share of Boavizta's, with its note."""
    return make_item(
        name_fr="Portable reconditionné",
        name_en="Refurbished laptop",
        embodied_kgco2e=SHARE,
        source=REFERENCE.source,
        **NOTED,
    )


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def test_a_hand_estimated_refurbished_page_says_no_share_of_a_new_device(client, make, app):
    login(client, make.user(locale="fr"))
    a3 = _seeded("EQ-PRT-05")  # Multifonction A3 reconditionnée: 250 kg, estimated by hand
    page = client.get(f"/catalogue/items/{a3.id}").get_data(as_text=True)
    assert "reconditionnée" in page and "compte pour 25" not in page


def test_hand_estimated_refurbished_models_are_seeded_without_the_note(app):
    rows = {row["code"]: row for row in equipment_rows(NOW, GRID)}
    notes = {code: (rows[code]["description_fr"], rows[code]["description_en"])
             for code in ("EQ-PRT-05", "EQ-ACC-08", "EQ-LAP-06")}  # fmt: skip
    assert notes == {
        "EQ-PRT-05": ("", ""),
        "EQ-ACC-08": ("", ""),
        "EQ-LAP-06": (REFURBISHED_NOTE["fr"], REFURBISHED_NOTE["en"]),
    }


def test_a_refurbished_model_still_saves_with_its_share_and_note(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    item = _refurbished_laptop(make_item)
    form = item_edit_form(item, lifetime_years="6")
    assert auth.post(f"/catalogue/admin/items/{item.id}/edit", form).status_code == 302


def test_the_reference_taken_whole_is_refused_beside_the_note(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="fr"))
    item = _refurbished_laptop(make_item)
    # The manufacture cleared: the reference's would be the new laptop's, not 25 % of it.
    form = item_edit_form(item, embodied_kgco2e="", source="")
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    db.session.expire_all()
    assert (response.status_code, _item(item.code).embodied_kgco2e) == (422, SHARE)
    assert "laissez la description vide" in _error(response.text, "description_fr")


def test_an_import_refuses_the_note_beside_a_hand_estimate(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    header = "code;kind;category;name_fr;name_en;description_fr;embodied_kgco2e;source\n"
    line = f"IMP-R;equipment;printer;A3 reconditionnée;Refurbished A3;{NOTED['description_fr']};250;Devis\n"
    preview = _upload(auth, header + line).text
    assert "leave the description blank" in preview
    assert db.session.scalar(select(CatalogueItem.id).where(CatalogueItem.code == "IMP-R")) is None


def test_comparing_one_ticked_item_says_error_in_the_title(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item()
    response = client.get(f"/catalogue/compare?ids={item.id}")
    title = re.search(r"<title>(.*?)</title>", response.text, re.S).group(1)
    assert (response.status_code, title) == (400, "Erreur\u00a0: Comparer · Empreinte")
