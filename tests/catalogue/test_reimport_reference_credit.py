"""Importing again a line without the electricity column keeps Boavizta's credit for the
kWh figure it still gives: « Src FR; Boavizta… » became « Src FR », the reference's
figure credited to the file's source, as the item form then kept it."""

from app.catalogue.reference import category_reference
from app.extensions import db
from tests.catalogue.conftest import item_edit_form
from tests.catalogue.test_import_keeps_edits_and_audits_each_item import (
    CONFIRM,
    _admin,
    _confirmation,
    _item,
    _upload,
)

HEADER = "code;kind;category;name_fr;name_en;embodied_kgco2e;lifetime_years;source\n"
REFERENCE = category_reference("laptop")
CREDITED = f"Src FR; {REFERENCE.citation('use')}"


def _import(auth, embodied: str):
    line = f"IMP-5;equipment;laptop;Cinq;Five;{embodied};4,5;Src FR\n"
    preview = _upload(auth, HEADER + line).text
    auth.post(CONFIRM, _confirmation(preview))
    return preview


def test_creating_credits_the_reference_for_the_electricity(client, auth, make):
    _admin(client, make)
    _import(auth, "1 250,5")
    assert _item("IMP-5").source == CREDITED


def test_importing_again_keeps_the_reference_credited_for_the_electricity(client, auth, make):
    _admin(client, make)
    _import(auth, "1 250,5")
    preview = _import(auth, "1 300")
    changed = preview.split("Manufacturing footprint (kg CO₂e)", 1)[1].split("</ul>", 1)[0]
    assert "Source" not in changed  # the embodied figure alone changes
    db.session.expire_all()
    item = _item("IMP-5")
    assert (item.embodied_kgco2e, item.use_kwh_per_year) == (1300.0, REFERENCE.use_kwh_per_year)
    assert item.source == CREDITED
    assert CREDITED in client.get("/catalogue/export.csv").text


def test_the_item_form_saved_unchanged_after_it_keeps_the_credit(client, auth, make):
    _admin(client, make)
    _import(auth, "1 250,5")
    _import(auth, "1 300")
    item = _item("IMP-5")
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", item_edit_form(item))
    assert response.status_code == 302
    db.session.expire_all()
    assert _item("IMP-5").source == CREDITED
