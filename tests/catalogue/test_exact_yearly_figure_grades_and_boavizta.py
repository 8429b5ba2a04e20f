"""The catalogue's figures: the yearly footprint kept unrounded and written as
its grade needs, retired lines in the approval queue, Boavizta's address with its figures,
the import's advice for a whole number, the spreadsheet export in the reader's language."""

import io
import re

from sqlalchemy import select

from app.catalogue import footprint
from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueItem
from app.catalogue.reference import BOAVIZTA_URL
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.conftest import login


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("\xa0", " ")


def _stored(code: str) -> CatalogueItem:
    return db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == code))


def _upload(auth, text: str):
    return auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


# 1. The yearly footprint, unrounded -------------------------------------------------


def test_a_service_figure_under_a_hundredth_keeps_its_digits(client, make, make_item):
    """0.0049 kg a user, 1,500 users: stored 0.005, the page said 7.5 kg in all."""
    login(client, make.user(locale="en"))
    item = make_item(kind="service", use_kgco2e_per_year=0.0049, user_count=1500)
    assert item.annual_kgco2e == 0.0049
    page = _text(client.get(f"/catalogue/items/{item.id}"))
    assert "about 0.0049 kg CO₂e per user and per year" in page
    assert "1,500 people use it: 7.4 kg CO₂e a year in all" in page  # 7.35, not 7.5


def test_the_api_gives_the_yearly_figure_its_use_gives(client, make, make_item):
    login(client, make.user())
    item = make_item(kind="service", use_kgco2e_per_year=0.0049)
    body = client.get(f"/api/v1/catalogue/items/{item.id}").get_json()
    assert body["annual_kgco2e"] == body["use_kgco2e_per_year"] == 0.0049


def test_a_small_accessory_says_a_yearly_figure_its_parts_add_up_to(client, make, make_item):
    """0.00057 a year for its manufacture, and « 0.001 » a year in all."""
    login(client, make.user(locale="en"))
    item = make_item(
        category="accessory", embodied_kgco2e=0.004, lifetime_years=7, use_kwh_per_year=0.0001
    )
    page = _text(client.get(f"/catalogue/items/{item.id}"))
    assert "0.00057 kg CO₂e a year over 7 years" in page
    assert "adds about 0.00058 kg CO₂e a year" in page


def test_the_simulator_saves_more_with_two_more_years_than_with_one(make_item, app):
    """One more year saved « 0 kg » and two « 0.001 »: rounded totals subtracted."""
    item = make_item(category="accessory", embodied_kgco2e=0.004, lifetime_years=7)
    scenario = footprint.simulate_lifetime(item, 7)
    assert 0 < scenario.saving_one_more_kgco2e < scenario.saving_two_more_kgco2e
    assert round(scenario.saving_one_more_kgco2e, 6) == round(0.004 / 7 - 0.004 / 8, 6)


def test_a_figure_just_past_a_bound_gets_the_next_grade(make_item):
    """20.0004 kg a year was stored 20.0, an A whose bound is 20."""
    item = make_item(embodied_kgco2e=80.0016, lifetime_years=4, use_kwh_per_year=0)
    assert item.annual_kgco2e == 20.0004 and item.grade == "B"


def test_a_figure_on_a_bound_keeps_the_better_grade(make_item):
    """98.7 kg over 5 years and 5 kWh (0.26 kg) is 20 kg, which binary arithmetic makes
    20.000000000000004: unrounded, it would have been a B."""
    item = make_item(embodied_kgco2e=98.7, lifetime_years=5, use_kwh_per_year=5)
    assert item.annual_kgco2e == 20 and item.grade == "A"


# 2. A figure beside its grade ---------------------------------------------------------


def test_near_a_bound_the_figure_says_why_the_grade(client, make, make_item):
    """60.04 kg a year is F (E ends at 60): « environ 60 kg » contradicted it."""
    login(client, make.user(locale="fr"))
    item = make_item(embodied_kgco2e=240.16, lifetime_years=4, use_kwh_per_year=0)
    assert item.grade == "F"
    page = _text(client.get(f"/catalogue/items/{item.id}"))
    assert "Étiquette F : cet appareil ajoute environ 60,04 kg CO₂e par an" in page


def test_away_from_a_bound_the_figure_keeps_its_tenth(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(embodied_kgco2e=222, lifetime_years=4, use_kwh_per_year=0)
    assert "adds about 55.5 kg CO₂e a year" in _text(client.get(f"/catalogue/items/{item.id}"))


# 3. A retired line in the approval queue -------------------------------------------


def _sent_then_retired(make, make_item):
    admin = make.user(roles=("admin",), locale="fr")
    department = make.department()
    catalogue.set_budget(department.id, 2026, 1000, admin, NOW)
    person = make.user(department=department, with_department=True)
    laptop = make_item(name_fr="Portable retiré", embodied_kgco2e=200, lifetime_years=4)
    mouse = make_item(name_fr="Souris", category="accessory", embodied_kgco2e=4, lifetime_years=4)
    catalogue.add_to_basket(person, laptop, 2, NOW)
    catalogue.add_to_basket(person, mouse, 1, NOW)
    request = catalogue.submit_basket(person, "", NOW)
    laptop.status = "discontinued"
    db.session.commit()
    return admin, department, request, mouse


def test_the_queue_tags_a_line_retired_since_it_was_sent(client, make, make_item):
    admin, _department, _request, _mouse = _sent_then_retired(make, make_item)
    login(client, admin)
    page = _text(client.get("/catalogue/admin/requests"))
    assert re.search(r"2 × Portable retiré .*?plus au catalogue</span> \(non compté\)", page)
    assert page.count("plus au catalogue") == 1  # the mouse, still offered, is counted


def test_approving_charges_nothing_for_a_retired_line(app, make, make_item):
    from app.catalogue import queries
    from app.core.time import local_zone

    admin, department, request, mouse = _sent_then_retired(make, make_item)
    catalogue.decide_request(request, admin, True, "", NOW)
    db.session.commit()
    used = queries.approved_footprint_by_department(2026, local_zone())
    assert used[department.id] == round(mouse.annual_kgco2e, 3)


# 4. Boavizta's address with its figures --------------------------------------------


def test_an_item_taking_boaviztas_figures_links_to_boavizta(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    form = {"code": "PC-B", "kind": "equipment", "category": "laptop"}
    form |= {"name_fr": "Portable", "name_en": "Laptop", "source": ""}
    assert auth.post("/catalogue/admin/items/new", form).status_code == 302
    assert _stored("PC-B").source_url == BOAVIZTA_URL


def test_an_imported_item_taking_boaviztas_figures_links_to_boavizta(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = "code,kind,category,name_fr,name_en\nPC-I,equipment,laptop,Portable,Laptop\n"
    preview = _upload(auth, text).get_data(as_text=True)
    fields = {}
    for name in ("token", "preview"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', preview).group(0)
        fields[name] = re.search(r'value="([^"]+)"', tag).group(1)
    auth.post("/catalogue/admin/import/confirm", fields)
    assert _stored("PC-I").source_url == BOAVIZTA_URL


def test_a_typed_address_is_kept_beside_boaviztas_figures(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    form = {"code": "PC-T", "kind": "equipment", "category": "laptop", "name_fr": "P"}
    form |= {"name_en": "L", "embodied_kgco2e": "150", "source": "Dell 2024"}
    form["source_url"] = "https://www.dell.com/footprint"
    auth.post("/catalogue/admin/items/new", form)
    assert _stored("PC-T").source_url == "https://www.dell.com/footprint"


# 6. A number of users is a whole number --------------------------------------------


def test_a_grouped_user_count_is_told_to_drop_the_comma(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = "code,kind,category,name_fr,name_en,use_kgco2e_per_year,source,user_count\n"
    text += 'S-1,service,email,Mél,Mail,4,Study,"2,500"\n'
    page = _text(_upload(auth, text))
    assert "write 2500, without the comma" in page
    assert "2.500" not in page


# 7. The spreadsheet export in the reader's language --------------------------------


def test_the_french_spreadsheet_names_its_columns_and_values_in_french(client, make, make_item):
    login(client, make.user(roles=("admin",), locale="fr"))
    make_item(code="E-1", category="accessory", embodied_kgco2e=4, name_fr="Souris")
    text = client.get("/catalogue/export-spreadsheet.csv").get_data(as_text=True)
    header, row = text.lstrip("\ufeff").splitlines()[:2]
    assert header.startswith("Code;Type;Catégorie;Nom en français;Nom en anglais;")
    assert "Estimation" in header and "kind" not in header
    assert row.startswith("E-1;Équipement;")
    assert ";Disponible;" in row and ";non;" in row
    assert "equipment" not in row and "available" not in row and "false" not in row


def test_the_open_data_keeps_its_machine_names(client, make, make_item):
    make_item(code="E-1")
    text = client.get("/catalogue/export.csv").get_data(as_text=True)
    assert text.startswith("code,kind,category,") and ",equipment," in text


def test_the_english_spreadsheet_imports_back_unchanged(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    make_item(code="E-1", estimate=True, name_en="Mouse", category="accessory", embodied_kgco2e=4)
    make_item(code="S-1", kind="service", user_count=1500)
    text = client.get("/catalogue/export-spreadsheet.csv").get_data(as_text=True)
    assert text.lstrip("\ufeff").startswith("Code,Kind,Category,Name in French,")
    assert ",Equipment," in text and ",yes," in text
    assert "2 items are unchanged" in _text(_upload(auth, text))
