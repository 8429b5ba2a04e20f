"""Office devices' yearly electricity over working hours, one stored figure written one
way, the import's refusal about a stored description and its warning for a device's use."""

import html
import io
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.catalogue.footprint import REFURBISHED_NOTE
from app.catalogue.models import CatalogueItem
from app.catalogue.reference import category_reference
from app.catalogue.seed import equipment_rows
from app.config import TestConfig
from app.core.settings_check import SettingsError
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW
from tests.catalogue.test_unrounded_migration import _before
from tests.conftest import Auth, login

# Boavizta 2.5.0's average power of the laptop archetype, in W.
LAPTOP_POWER_W = 75


def _text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    # Every space alike, the no-break ones of figures and units too.
    return re.sub(r"\s+", " ", html.unescape(page))


def test_an_office_laptop_uses_its_average_power_over_the_working_hours(app):
    with app.app_context():
        hours = app.config["DEVICE_USE_HOURS_PER_YEAR"]
        reference = category_reference("laptop")
    assert hours == 1607
    assert reference.use_kwh_per_year == round(LAPTOP_POWER_W * hours / 1000, 2)


def test_the_demo_seeds_the_working_hours_figure(app):
    with app.app_context():
        hours = app.config["DEVICE_USE_HOURS_PER_YEAR"]
        rows = {row["code"]: row for row in equipment_rows(NOW, GRID)}
    standard = rows["EQ-LAP-02"]  # the laptop archetype at its default power
    assert standard["use_kwh_per_year"] == round(LAPTOP_POWER_W * hours / 1000, 2)
    assert standard["use_kgco2e_per_year"] == standard["use_kwh_per_year"] * GRID


def test_the_method_page_says_how_the_electricity_is_worked_out(client, make):
    login(client, make.user(locale="fr"))
    page = _text(client.get("/catalogue/method"))
    assert (
        "puissance moyenne × 1 607 heures d'utilisation par an, durée annuelle légale du travail"
        in page
    )


def test_one_stored_use_figure_reads_the_same_on_both_item_pages_and_in_compare(
    client, make, make_item
):
    # Both store 10.2492 kg of use (197.1 kWh × 0.052); their totals differ.
    first = make_item(use_kwh_per_year=197.1, embodied_kgco2e=181.0, lifetime_years=4.0)
    second = make_item(use_kwh_per_year=197.1, embodied_kgco2e=200.0, lifetime_years=3.0)
    assert first.use_kgco2e_per_year == second.use_kgco2e_per_year
    login(client, make.user(locale="fr"))
    for item in (first, second):
        page = _text(client.get(f"/catalogue/items/{item.id}"))
        assert "× 0,052 kg CO₂e par kWh = 10,2 kg CO₂e par an" in page
    compare = client.get(f"/catalogue/compare?ids={first.id}&ids={second.id}").text
    row = re.search(r"Utilisation par an.*?</tr>", compare, re.S).group(0)
    assert html.unescape(row).count("10,2 kg") == 2


def test_parts_that_do_not_add_up_as_written_say_once_they_are_rounded(client, make, make_item):
    # 181.04 / 4 = 45.26 and 262.7 kWh × 0.052 = 13.6604 under 58.9204: « 45,3 » and
    # « 13,7 » under « 58,9 ».
    item = make_item(use_kwh_per_year=262.7, embodied_kgco2e=181.04, lifetime_years=4.0)
    login(client, make.user(locale="fr"))
    page = _text(client.get(f"/catalogue/items/{item.id}"))
    assert "45,3 kg CO₂e par an" in page
    assert "13,7 kg CO₂e par an" in page
    assert page.count("Les chiffres sont arrondis") == 1


def test_parts_that_add_up_say_nothing_of_rounding(client, make, make_item):
    # 45.25 + 10.2492 = 55.4992: « 45,3 + 10,2 » under « 55,5 ».
    item = make_item(use_kwh_per_year=197.1, embodied_kgco2e=181.0, lifetime_years=4.0)
    login(client, make.user(locale="fr"))
    assert "Les chiffres sont arrondis" not in _text(client.get(f"/catalogue/items/{item.id}"))


FRENCH_HEADER = (
    "Code;Type;Catégorie;Nom en français;Nom en anglais;Fabrication (kg CO₂e);"
    "Consommation électrique (kWh par an);Utilisation par an (kg CO₂e, par utilisateur pour "
    "un service);Durée de vie (ans);Source\n"
)


def _upload(client, make, text: str):
    login(client, make.user(roles=("admin",), locale="fr"))
    return Auth(client).post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


def test_a_stored_refurbished_note_is_refused_at_the_files_own_values(client, make, make_item, app):
    with app.app_context():
        boavizta = category_reference("laptop")
    item = make_item(
        category="laptop",
        source=boavizta.source,
        embodied_kgco2e=round(boavizta.embodied_kgco2e * 0.25, 2),
        use_kwh_per_year=None,
        description_fr=REFURBISHED_NOTE["fr"],
        description_en=REFURBISHED_NOTE["en"],
    )
    embodied = f"{item.embodied_kgco2e}".replace(".", ",")
    kwh = f"{item.use_kwh_per_year}".replace(".", ",")
    text = FRENCH_HEADER + (
        f"{item.code};Équipement;Ordinateur portable;{item.name_fr};{item.name_en};"
        f"{embodied};{kwh};;{str(item.lifetime_years).replace('.', ',')};Boavizta\n"
    )
    page = _text(_upload(client, make, text))
    assert "Description en français" not in page
    assert "La description actuelle de l'article (absente de ce fichier)" in page
    assert f"Fabrication (kg CO₂e) : {embodied}" in page
    assert "Source : Boavizta" in page


def test_a_device_line_filling_the_use_figure_is_warned_not_refused(client, make, make_item):
    item = make_item(use_kwh_per_year=100.0)
    text = FRENCH_HEADER + (
        f"{item.code};Équipement;Ordinateur portable;{item.name_fr};Renamed;200;100;9,9;4;"
        "Test source v1\n"
    )
    response = _upload(client, make, text)
    page = _text(response)
    assert response.status_code == 200
    assert "À vérifier dans le fichier" in page
    assert f"Ligne 2 ({item.code})" in page
    assert "5,2" in page  # 100 kWh × 0.052, worked out
    assert "Confirmer l'import" in page


MIGRATION = "20261227_catalogue_working_hours"


def _laptop(code: str, source: str, kwh: float, low: float, high: float):

    laptop = CatalogueItem(code=code, kind="equipment", category="laptop", source=source)
    laptop.name_fr = laptop.name_en = "Portable"
    laptop.embodied_kgco2e, laptop.lifetime_years, laptop.grid_factor = 170.0, 4.0, GRID
    laptop.use_kwh_per_year, laptop.use_kwh_min, laptop.use_kwh_max = kwh, low, high
    laptop.use_kgco2e_per_year = kwh * GRID
    laptop.annual_kgco2e, laptop.grade = 170.0 / 4 + kwh * GRID, "E"  # 52.75 kg
    return laptop


def test_the_upgrade_works_out_again_only_the_reference_electricity(empty_database_url):
    """A laptop stored with Boavizta's former 197.1 kWh (30 % of the clock) and its range
    gets the working hours' figure, use, yearly footprint and grade; one whose 197.1 kWh a
    supplier's sheet gives keeps it."""
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with portal.app_context():
        reference = category_reference("laptop")
        hours = portal.config["DEVICE_USE_HOURS_PER_YEAR"]
        former = [round(w * 0.3 * 8760 / 1000, 2) for w in (LAPTOP_POWER_W, 50, 100)]
        upgrade(revision=_before(MIGRATION))
        db.session.add(_laptop("PC-REF", reference.source, *former))
        db.session.add(_laptop("PC-PCF", "Fiche PCF 2024", *former))
        db.session.commit()
        db.session.remove()
        upgrade(revision=MIGRATION)
        stored = {
            item.code: (
                item.use_kwh_per_year,
                item.use_kwh_min,
                item.use_kwh_max,
                item.use_kgco2e_per_year,
                item.annual_kgco2e,
                item.grade,
            )
            for item in db.session.scalars(select(CatalogueItem))
        }
        db.session.remove()
        db.engine.dispose()
    kwh = round(reference.avg_power_w * hours / 1000, 2)
    annual = float(f"{170.0 / 4 + kwh * GRID:.10g}")
    assert stored["PC-REF"][:5] == (
        kwh,
        round(50 * hours / 1000, 2),
        round(100 * hours / 1000, 2),
        kwh * GRID,
        annual,
    )
    assert stored["PC-REF"][5] == "D"  # 48.8 kg, the bound of D being 50
    assert stored["PC-PCF"][0] == former[0]


def test_hours_of_use_beyond_a_year_stop_the_start():
    with pytest.raises(SettingsError) as refused:
        create_app(TestConfig, DEVICE_USE_HOURS_PER_YEAR=9000)
    assert "DEVICE_USE_HOURS_PER_YEAR" in str(refused.value)
    assert "from 1 to 8760" in str(refused.value)
