"""The import preview writes a new item's footprint figures as its page will (« 55,5 »,
never the stored « 55,4992 »), and keeps an update's figures exact, saying so."""

import html

from tests.catalogue.test_import_keeps_edits_and_audits_each_item import _admin, _upload

NEW_LINE = (
    "code,kind,category,name_fr,name_en,embodied_kgco2e,use_kwh_per_year,lifetime_years,source\n"
    "LAP-NEW-02,equipment,laptop,Portable neuf,New laptop,181,197.1,4,Maker sheet 2026\n"
)


def test_a_new_item_s_figures_read_as_its_page_will_write_them(client, auth, make):
    _admin(client, make)
    page = html.unescape(_upload(auth, NEW_LINE).text)
    assert "<li>Yearly footprint (kg CO₂e): 55.5</li>" in page
    assert "<li>Use per year (kg CO₂e, per user for a service): 10.2</li>" in page
    assert "55.4992" not in page and "10.2492" not in page
    assert "Footprint figures are written as the item's page will write them" in page
