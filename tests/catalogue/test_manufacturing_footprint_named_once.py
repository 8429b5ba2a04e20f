"""One footprint, one English name across the catalogue: "Manufacturing footprint" on the
item page, the admin item form and the spreadsheet (French keeps « Fabrication »), where
they said "Manufacture", "Embodied footprint" and "Embodied, low estimate"; an item's
kind "Equipment", as the listing's filter says it, not "Piece of equipment". The CSV's
and the API's machine names stay."""

import html

from tests.catalogue.test_import_keeps_edits_and_audits_each_item import _upload
from tests.conftest import login


def test_the_item_page_names_the_manufacturing_footprint(client, make, make_item):
    item = make_item()
    login(client, make.user(locale="en"))
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    assert "<dt>Manufacturing footprint</dt>" in page


def test_the_item_page_keeps_fabrication_in_french(client, make, make_item):
    item = make_item()
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    assert "<dt>Fabrication</dt>" in page


def test_the_item_form_names_it_and_says_equipment(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    page = html.unescape(client.get("/catalogue/admin/items/new").text)
    for label in ("Manufacturing footprint (kg CO₂e)",
                  "Manufacturing footprint, low estimate (kg CO₂e)",
                  "Manufacturing footprint, high estimate (kg CO₂e)"):  # fmt: skip
        assert label in page, label
    assert "Embodied" not in page and "Piece of equipment" not in page
    assert 'value="equipment">Equipment</option>' in page


def test_the_spreadsheet_heads_it_alike_and_keeps_machine_names(client, make, make_item):
    make_item(code="E-1")
    login(client, make.user(locale="en"))
    sheet = client.get("/catalogue/export-spreadsheet.csv").get_data(as_text=True)
    assert "Manufacturing footprint (kg CO₂e)" in sheet and ",Equipment," in sheet
    assert "Piece of equipment" not in sheet
    data = client.get("/catalogue/export.csv").get_data(as_text=True)
    assert ",embodied_kgco2e," in data and ",equipment," in data


def test_a_spreadsheet_exported_before_still_imports(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    make_item(code="E-1", name_en="Mouse", name_fr="Souris", embodied_kgco2e=4)
    sheet = client.get("/catalogue/export-spreadsheet.csv").get_data(as_text=True)
    former = sheet.replace("Manufacturing footprint (kg CO₂e)", "Manufacture (kg CO₂e)")
    former = former.replace(",Equipment,", ",Piece of equipment,")
    assert former != sheet
    page = html.unescape(_upload(auth, former).text)
    assert "1 item is unchanged" in page


def test_a_french_spreadsheet_heading_electricity_as_before_still_imports(
    client, auth, make, make_item
):
    """The French export headed its electricity columns « Électricité (kWh par an) »
    until they took the name the item page gives them, « Consommation électrique »."""
    login(client, make.user(roles=("admin",), locale="fr"))
    make_item(code="E-1", name_en="Mouse", name_fr="Souris", embodied_kgco2e=4)
    sheet = client.get("/catalogue/export-spreadsheet.csv").get_data(as_text=True)
    former = sheet.replace("Consommation électrique", "Électricité")
    assert former != sheet
    page = html.unescape(_upload(auth, former).text)
    assert "inchangé" in page
    assert "inconnue" not in page
