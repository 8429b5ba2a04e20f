"""Someone replacing a broken device is pointed to a repair first, where they ask for
equipment (its page, the basket), linked to the catalogue's repair service when there
is one (review: nothing about repair). The demo catalogue holds that service."""

import html

from sqlalchemy import select

from app.catalogue.models import CatalogueItem
from app.catalogue.queries import REPAIR_SERVICE_CODE
from app.extensions import db
from tests.conftest import login
from tests.snapshots import demo_seed_command_once


def _repair_service(make_item, **overrides):
    values = {
        "kind": "service",
        "category": "repair",
        "code": REPAIR_SERVICE_CODE,
        "name_fr": "Diagnostic et réparation d'un appareil",
        "name_en": "Device diagnosis and repair",
        "use_kgco2e_per_year": 6,
    }
    return make_item(**values | overrides)


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).text)


def test_an_equipment_page_links_to_the_repair_service_in_french(client, make, make_item):
    login(client, make.user(locale="fr"))
    repair = _repair_service(make_item)
    laptop = make_item()
    page = _page(client, f"/catalogue/items/{laptop.id}")
    assert "Vous remplacez un appareil en panne\u00a0? Demandez d'abord sa réparation" in page
    assert (
        f'<a href="/catalogue/items/{repair.id}">Demander une réparation\u00a0: '
        "Diagnostic et réparation d'un appareil</a>"
    ) in page


def test_the_repair_service_is_found_by_its_code_whatever_its_name(client, make, make_item):
    login(client, make.user(locale="en"))
    repair = _repair_service(make_item, name_en="Fix it", code=REPAIR_SERVICE_CODE.lower())
    laptop = make_item()
    page = _page(client, f"/catalogue/items/{laptop.id}")
    assert f'<a href="/catalogue/items/{repair.id}">Ask for a repair: Fix it</a>' in page


def test_without_a_repair_service_the_advice_points_to_it_support(client, make, make_item):
    login(client, make.user(locale="en"))
    _repair_service(make_item, status="discontinued")
    laptop = make_item()
    page = _page(client, f"/catalogue/items/{laptop.id}")
    assert "Replacing a broken device? Ask your IT support for a repair first" in page
    assert "Ask for a repair:" not in page


def test_a_service_page_gives_no_repair_advice(client, make, make_item):
    login(client, make.user(locale="en"))
    _repair_service(make_item)
    service = make_item(kind="service")
    assert "broken device" not in _page(client, f"/catalogue/items/{service.id}")


def test_a_basket_holding_equipment_advises_a_repair(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    repair = _repair_service(make_item)
    laptop = make_item()
    auth.post(f"/catalogue/items/{laptop.id}/request", {"quantity": "1"})
    page = _page(client, "/catalogue/requests")
    assert "Replacing a broken device? Ask for a repair first" in page
    assert f'<a href="/catalogue/items/{repair.id}">Ask for a repair: ' in page


def test_the_demo_catalogue_offers_a_repair_service_its_advice_links_to(runner, client, auth):
    demo_seed_command_once(runner, 150)
    repair = db.session.scalar(
        select(CatalogueItem).where(CatalogueItem.code == REPAIR_SERVICE_CODE)
    )
    assert (repair.kind, repair.category, repair.status) == ("service", "repair", "available")
    assert repair.name_fr == "Diagnostic et réparation d'un appareil"
    assert repair.estimate and repair.source  # an estimate, said so, as every demo service
    auth.sign_in("employee@demo.empreinte.fr", "demo")
    laptop = db.session.scalar(select(CatalogueItem.id).where(CatalogueItem.code == "EQ-LAP-02"))
    page = _page(client, f"/catalogue/items/{laptop}")
    assert f'<a href="/catalogue/items/{repair.id}">' in page
    repair_page = _page(client, f"/catalogue/items/{repair.id}")
    assert "Réparation et maintenance" in repair_page
