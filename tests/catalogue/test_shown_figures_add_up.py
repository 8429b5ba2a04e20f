"""Every total and difference a catalogue page writes is worked out from the figures it
writes beside it (review of the employee replacing a laptop and a phone: lines « 18,1 »
and « 8,5 » under a total of « 26,7 »; 3 × 8,5 read « 25,6 »; « 45,3 + 13,7 » above
« 58,9 », each part now written alone and the page saying they are rounded; a phone « économise 25,3 » against 33,7 and 8,5)."""

import html
import re

from sqlalchemy import select

from app.catalogue.models import CatalogueRequest
from app.extensions import db
from tests.conftest import login

NBSP = "\u00a0"


def kg(figure: str) -> str:
    return f"{figure}{NBSP}kg{NBSP}CO₂e"


def _phone(make_item, annual: float, **names):
    """A smartphone whose yearly footprint is `annual` (manufacture over 4 years, no
    electricity)."""
    return make_item(category="smartphone", embodied_kgco2e=annual * 4, use_kwh_per_year=0, **names)


def _basket_of_a_laptop_and_a_phone(client, auth, make, make_item, locale):
    login(client, make.user(locale=locale))
    laptop = make_item(embodied_kgco2e=18.14 * 4, use_kwh_per_year=0)  # « 18,1 »
    phone = _phone(make_item, 8.53)  # « 8,5 »
    auth.post(f"/catalogue/items/{laptop.id}/request", {"quantity": "1"})
    auth.post(f"/catalogue/items/{phone.id}/request", {"quantity": "1"})


def _total_cell(page: str) -> str:
    return re.search(r"<tfoot.*?<strong>(.*?)</strong>", page, re.S).group(1)


def test_the_baskets_total_is_the_sum_of_its_lines_as_written_in_french(
    client, auth, make, make_item
):
    _basket_of_a_laptop_and_a_phone(client, auth, make, make_item, "fr")
    page = html.unescape(client.get("/catalogue/requests").text)
    assert kg("18,1") in page and kg("8,5") in page
    assert _total_cell(page) == kg("26,6")  # the unrounded 26.67 read « 26,7 »


def test_a_sent_requests_total_is_the_sum_of_its_lines_as_written(client, auth, make, make_item):
    _basket_of_a_laptop_and_a_phone(client, auth, make, make_item, "en")
    auth.post("/catalogue/requests/submit", {"comment": ""})
    req = db.session.scalar(select(CatalogueRequest))
    page = html.unescape(client.get(f"/catalogue/requests/{req.id}").text)
    assert f"<dt>Yearly footprint</dt><dd>{kg('26.6')}</dd>" in page
    listed = html.unescape(client.get("/catalogue/requests").text)
    assert kg("26.6") in listed and kg("26.7") not in listed


def test_a_lines_footprint_is_its_quantity_times_the_figure_the_catalogue_writes(
    client, auth, make, make_item
):
    login(client, make.user(locale="fr"))
    phone = _phone(make_item, 8.53)  # « 8,5 » on its page and in the listing
    auth.post(f"/catalogue/items/{phone.id}/request", {"quantity": "3"})
    page = html.unescape(client.get("/catalogue/requests").text)
    assert _total_cell(page) == kg("25,5")  # 3 × 8,5; 3 × 8.53 read « 25,6 »
    assert kg("25,6") not in page


def test_the_admin_reads_the_total_the_requester_reads(client, auth, make, make_item):
    _basket_of_a_laptop_and_a_phone(client, auth, make, make_item, "en")
    auth.post("/catalogue/requests/submit", {"comment": ""})
    login(client, make.user(roles=("admin",), locale="en"))
    page = html.unescape(client.get("/catalogue/admin/requests").text)
    assert f"Yearly footprint: {kg('26.6')}." in page


def test_the_item_pages_two_parts_are_each_written_alone_and_said_rounded_in_english(
    client, make, make_item
):
    login(client, make.user(locale="en"))
    # 45.26 a year of manufacture and 13.6604 of electricity: 58.92 a year. Each part is
    # written as every page writes it (the use as Compare does), and the page says the
    # parts are rounded once they do not add up as written.
    item = make_item(embodied_kgco2e=181.04, use_kwh_per_year=262.7)
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    share = re.search(r"— ([\d.]+)\xa0kg\xa0CO₂e a year over 4 years", page).group(1)
    use = re.search(r"= ([\d.]+)\xa0kg\xa0CO₂e a year", page).group(1)
    total = re.search(r"<dt>Yearly footprint</dt><dd><strong>([\d.]+)\xa0kg", page).group(1)
    assert (share, use, total) == ("45.3", "13.7", "58.9")
    assert page.count("Figures are rounded") == 1


def test_the_item_pages_parts_are_written_alone_in_french_too(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(embodied_kgco2e=181.04, use_kwh_per_year=262.7)
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    assert f"{kg('45,3')} par an sur 4 ans" in page
    assert f"= {kg('13,7')} par an" in page
    assert f"<strong>{kg('58,9')}</strong>" in page
    assert "Les chiffres sont arrondis" in page


def test_the_home_pages_saving_is_the_difference_of_the_figures_as_written(
    client, auth, make, make_item
):
    login(client, make.user(locale="fr"))
    standard = _phone(make_item, 33.74, name_fr="Smartphone standard")  # « 33,7 »
    refurbished = _phone(make_item, 8.46, name_fr="Smartphone reconditionné")  # « 8,5 »
    standard.alternatives = [refurbished]
    db.session.commit()
    auth.post(f"/catalogue/items/{standard.id}/request", {"quantity": "1"})
    page = html.unescape(client.get("/").text)
    assert f"économise {kg('25,2')} par an" in page  # 33,7 − 8,5; the unrounded gap read 25,3
