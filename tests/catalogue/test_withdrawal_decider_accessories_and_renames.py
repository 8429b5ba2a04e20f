"""The catalogue: a withdrawal is no staff decision; accessories
need cited figures as printers do; an erased person's request leaves the admins' queue;
a renamed item is traced in the audit log; the budgets page writes its figures to a
tenth; the lifetime slider says its years with their unit."""

import html
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import func, select

from app import create_app
from app.catalogue import services as catalogue
from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem, CatalogueRequest
from app.config import TestConfig
from app.core.audit import AuditEvent
from app.core.privacy_services import request_erasure
from app.core.time import utcnow
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW, item_edit_form
from tests.conftest import browser_sign_in, login
from tests.factories import Factories
from tests.snapshots import demo_seed_command_once

BEFORE_WITHDRAWALS = "20261206_cleanup_reviewed_index"


def _text(page: str) -> str:
    """A page's words as read: tags out, entities and spaces as one space each."""
    words = html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", words)


def _sent_request(auth, item) -> int:
    """The signed-in person adds `item` and sends their request; its id."""
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "1"})
    auth.post("/catalogue/requests/submit", {})
    return db.session.scalar(select(func.max(CatalogueRequest.id)))


def _request(request_id: int) -> CatalogueRequest:
    db.session.expire_all()
    return db.session.get(CatalogueRequest, request_id)


# 1. A withdrawal is no decision -------------------------------------------------------


def test_withdrawing_ones_own_request_is_not_listed_as_decided_in_the_export(
    client, auth, make, make_item
):
    employee = make.user(locale="en")
    login(client, employee)
    request_id = _sent_request(auth, make_item())
    auth.post(f"/catalogue/requests/{request_id}/withdraw", {})
    assert _request(request_id).status == "withdrawn"
    exported = client.get("/auth/profile/export").get_json(force=True)
    assert exported["staff_records"]["requests_decided"] == []
    (mine,) = exported["requests"]["requests"]
    assert (mine["status"], mine["decided_at"]) == ("withdrawn", None)
    assert mine["withdrawn_at"] is not None


def test_a_withdrawal_names_no_decider(client, auth, make, make_item):
    login(client, make.user())
    request_id = _sent_request(auth, make_item())
    auth.post(f"/catalogue/requests/{request_id}/withdraw", {})
    assert _request(request_id).decided_by_id is None


def test_an_admins_export_lists_the_requests_they_decided_not_their_own_withdrawal(
    make, make_item, request_context
):
    """Rows written before the fix held the requester as decider: only approvals and
    refusals are decisions."""
    admin, employee = make.user(roles=("admin",)), make.user()
    catalogue.add_to_basket(employee, make_item(), 1, NOW)
    decided = catalogue.submit_basket(employee, "", NOW)
    catalogue.decide_request(decided, admin, True, "", NOW)
    catalogue.add_to_basket(admin, make_item(), 1, NOW)
    withdrawn = catalogue.submit_basket(admin, "", NOW)
    catalogue.withdraw_request(admin, withdrawn.id, NOW)
    withdrawn.decided_by_id = admin.id  # as stored before 6 December
    db.session.commit()
    rows = catalogue.decided_requests(admin)
    assert [(row["request"], row["status"]) for row in rows] == [(decided.id, "approved")]


def test_the_migration_clears_the_decider_of_withdrawals_and_withdraws_erased_ones(
    empty_database_url,
):
    """Withdrawn requests lose the requester stored as their decider (an erased one's
    id too); a request still waiting whose sender was erased leaves the queue."""
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with portal.app_context():
        upgrade(revision=BEFORE_WITHDRAWALS)
        make = Factories()
        # Pseudonyms given: at this revision closed boards keep no label, which a draw reads.
        here = make.user(pseudonym="Ancien 1")
        admin = make.user(roles=("admin",), pseudonym="Ancien 2")
        erased = make.user(pseudonym="Ancien 3")
        admin_id = admin.id
        rows = (
            # withdrawn by its sender, since erased: their id stayed as its decider
            (None, "withdrawn", erased.id),
            (here.id, "withdrawn", here.id),  # withdrawn by a person still here
            (here.id, "approved", admin.id),  # an admin's decision stays theirs
            (None, "submitted", None),  # waiting when its sender was erased
            (here.id, "submitted", None),  # waiting, its sender here
        )
        db.session.execute(
            sa.insert(CatalogueRequest),
            [
                {"user_id": user_id, "status": status, "decided_by_id": decider}
                for user_id, status, decider in rows
            ],
        )
        db.session.commit()
        upgrade(revision="heads")
        stored = db.session.execute(
            select(
                CatalogueRequest.status,
                CatalogueRequest.decided_by_id,
            ).order_by(CatalogueRequest.id)
        ).all()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(row) for row in stored] == [
        ("withdrawn", None),
        ("withdrawn", None),
        ("approved", admin_id),
        ("withdrawn", None),
        ("submitted", None),
    ]


# 2. Accessories need cited figures, as printers do ------------------------------------

WEBCAM = {
    "code": "EQ-ACC-98",
    "kind": "equipment",
    "category": "accessory",
    "name_fr": "Webcam USB",
    "name_en": "USB webcam",
}
NO_REFERENCE_FR = (
    "Aucune donnée de référence n'existe pour cette catégorie\u00a0: saisissez les chiffres "
    "et leur source."
)


def _items() -> int:
    return db.session.scalar(select(func.count(CatalogueItem.id)))


def test_an_accessory_without_figures_is_refused_at_its_figure_in_french(client, auth, make):
    """It took an external hard disk's figures: 15,8 kg CO₂e, « hdd-default »."""
    login(client, make.user(roles=("admin",), locale="fr"))
    response = auth.post("/catalogue/admin/items/new", WEBCAM)
    page = html.unescape(response.text)
    assert response.status_code == 422 and _items() == 0
    error = re.search(r'<p class="error" id="embodied_kgco2e-error">(.*?)</p>', page, re.S)
    assert error.group(1) == NO_REFERENCE_FR
    assert "hdd-default" not in page


def test_an_accessory_with_its_cited_figures_is_created(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    figures = {"embodied_kgco2e": "6", "lifetime_years": "5", "source": "Fabricant, 2025"}
    assert auth.post("/catalogue/admin/items/new", {**WEBCAM, **figures}).status_code == 302
    item = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "EQ-ACC-98"))
    assert (item.embodied_kgco2e, item.source) == (6.0, "Fabricant, 2025")


def test_an_accessory_imported_without_figures_is_refused_on_its_line(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    text = (
        "code;kind;category;name_fr;name_en\n"
        "EQ-ACC-99;equipment;accessory;Tapis de souris;Mouse mat\n"
    )
    response = auth.post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )
    page = _text(response.text)
    assert _items() == 0
    assert NO_REFERENCE_FR.replace("\u00a0", " ") in page
    assert "hdd-default" not in page


def test_the_demo_accessories_keep_their_figures(runner):
    """The demo's accessories name their own archetypes or are marked estimates."""
    demo_seed_command_once(runner, 150)
    accessories = db.session.scalars(
        select(CatalogueItem).where(CatalogueItem.category == "accessory")
    ).all()
    assert len(accessories) == 8
    assert all(item.embodied_kgco2e for item in accessories)
    keyboard = next(item for item in accessories if item.code == "EQ-ACC-05")
    assert keyboard.estimate and "hdd-default" not in keyboard.source


# 3. An erased person's waiting request leaves the admins' queue ---------------------------


@pytest.fixture
def erased_requester(client, auth, make, make_item):
    """An employee sent a request, asked for their erasure, and an admin carried it out:
    the admin is signed in; the request's id."""
    employee = make.user(locale="fr")
    login(client, employee)
    request_id = _sent_request(auth, make_item(name_fr="Écran 27 pouces"))
    erasure = request_erasure(employee, utcnow() - timedelta(days=1))
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="fr"))
    assert auth.post(f"/admin/erasures/{erasure.id}/execute").status_code == 302
    return request_id


def test_an_erased_persons_request_leaves_the_queue(client, erased_requester):
    page = client.get("/catalogue/admin/requests").text
    assert f"/catalogue/admin/requests/{erased_requester}/decide" not in page
    assert _request(erased_requester).status == "withdrawn"


@pytest.mark.parametrize("decision", ["approve", "refuse"])
def test_an_erased_persons_request_can_no_longer_be_decided(
    client, auth, erased_requester, decision
):
    sent = {"decision": decision, "note": "Pas de budget pour Camille", "confirmed": "y"}
    response = auth.post(f"/catalogue/admin/requests/{erased_requester}/decide", sent)
    page = _text(client.get(response.location).text)
    assert (
        "Cette demande a été retirée parce que les données personnelles de la personne "
        "qui l'a envoyée ont été effacées." in page
    )
    assert _request(erased_requester).status == "withdrawn"
    events = select(AuditEvent).where(AuditEvent.object_type == "catalogue_request")
    assert db.session.scalars(events).all() == []


def test_an_erased_persons_withdrawn_request_names_no_decider(erased_requester):
    request = _request(erased_requester)
    assert (request.user_id, request.decided_by_id, request.comment) == (None, None, "")


# 4. A renamed item is traced in the audit log ---------------------------------------------


def _audit_details(client) -> str:
    return _text(client.get("/admin/audit").text)


def test_a_renamed_item_shows_its_names_before_and_after_in_the_audit_log(
    client, auth, make, make_item
):
    login(client, make.user(roles=("admin",), locale="fr"))
    item = make_item(code="EQ-MSE", name_fr="Souris", name_en="Mouse")
    form = item_edit_form(item, name_fr="Souris filaire", name_en="Wired mouse")
    assert auth.post(f"/catalogue/admin/items/{item.id}/edit", form).status_code == 302
    log = _audit_details(client)
    assert "EQ-MSE · Nom en français : « Souris » → « Souris filaire »" in log
    assert "Nom en anglais : « Mouse » → « Wired mouse »" in log


def test_a_changed_description_is_recorded_as_changed(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    item = make_item(code="EQ-DSC", description_en="Old words")
    form = item_edit_form(item, description_en="New words about this item")
    auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    log = _audit_details(client)
    assert "EQ-DSC · Description in English changed" in log
    assert "Description in French changed" not in log


def test_an_import_that_renames_an_item_records_its_names(client, make, make_item):
    admin = make.user(roles=("admin",), locale="en")
    make_item(code="EQ-IMP", name_fr="Clavier", name_en="Keyboard")
    text = (
        "code,kind,category,name_fr,name_en,description_fr\n"
        "EQ-IMP,equipment,laptop,Clavier filaire,Keyboard,Un clavier\n"
    )
    result = import_catalogue_csv(text, admin, NOW, GRID)
    assert not result.problems
    db.session.commit()
    login(client, admin)
    log = _audit_details(client)
    assert "EQ-IMP · Name in French: “Clavier” → “Clavier filaire” · " in log
    assert "Description in French changed" in log
    assert "Name in English" not in log  # unchanged: not said


def test_long_names_and_sources_still_fit_a_readable_summary(client, make, make_item):
    admin = make.user(roles=("admin",), locale="en")
    item = make_item(code="EQ-LNG", name_fr="A" * 200, name_en="B" * 200, source="C" * 400)
    catalogue.update_item(
        item,
        {**item_edit_form(item), "name_fr": "D" * 200, "name_en": "E" * 200, "source": "F" * 400}
        | {"embodied_kgco2e": 201.0, "use_kwh_per_year": 101.0, "lifetime_years": 5.0}
        | {"estimate": True, "status": "available", "description_fr": "x", "description_en": "y"},
        admin,
        NOW,
        GRID,
    )
    db.session.commit()
    login(client, admin)
    log = _audit_details(client)
    assert "EQ-LNG · Name in French: “AAAA" in log and "Description in English changed" in log


# 6. The budgets page writes footprints to a tenth, as the requests' pages do ----------------


def test_the_budgets_page_writes_what_was_used_as_the_requests_page_does(
    client, auth, make, make_item
):
    """« 419 kg CO₂e » on the budgets page beside « 419,2 » on the requests to decide."""
    admin = make.user(roles=("admin",), locale="fr")
    department = make.department()
    employee = make.user(department=department)
    heavy = make_item(embodied_kgco2e=1676.8, lifetime_years=4, use_kwh_per_year=0)  # 419.2
    catalogue.add_to_basket(employee, heavy, 1, utcnow())
    approved = catalogue.submit_basket(employee, "", utcnow())
    catalogue.decide_request(approved, admin, True, "", utcnow())
    catalogue.add_to_basket(employee, make_item(), 1, utcnow())
    catalogue.submit_basket(employee, "", utcnow())
    db.session.commit()
    login(client, admin)
    budgets = _text(client.get("/catalogue/budgets").text)
    queue = _text(client.get("/catalogue/admin/requests").text)
    assert "Déjà utilisé cette année 419,2 kg CO₂e par an" in queue
    assert "419,2 kg CO₂e" in budgets and "419 kg CO₂e" not in budgets


# 8. The lifetime's years are said with their unit --------------------------------------------
# (a slider once, whose number only JavaScript showed: now a list of years, each written
# and said with its unit)


def test_the_slider_says_its_years_in_french_with_their_unit(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(embodied_kgco2e=200, lifetime_years=6.6)
    page = client.get(f"/catalogue/items/{item.id}").text
    assert '<option selected value="6.6">6,6 ans</option>' in page


def test_the_slider_says_the_years_chosen_without_javascript(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(lifetime_years=4)
    page = client.get(f"/catalogue/items/{item.id}?years=7.5").text
    assert '<option selected value="7.5">7.5 years</option>' in page


@pytest.mark.browser
def test_the_slider_keeps_saying_its_years_as_it_moves(page, make, make_item):
    employee = make.user(locale="fr")
    item = make_item(lifetime_years=4)
    browser_sign_in(page, employee)
    page.goto(f"/catalogue/items/{item.id}", wait_until="load")
    years = page.get_by_label("Durée d'utilisation (ans)")
    expect(years).to_have_value("4")
    years.select_option("5")
    expect(page.locator("#lifetime-result")).to_contain_text("Gardé 5 ans")


def test_the_usefulness_page_writes_all_users_footprint_as_the_item_page_does(
    client, make, make_item
):
    login(client, make.user(roles=("admin",), locale="fr"))
    service = make_item(kind="service", use_kgco2e_per_year=4.17, user_count=10)
    item_page = _text(client.get(f"/catalogue/items/{service.id}").text)
    assert "41,7 kg CO₂e par an au total" in item_page
    assert "41,7 kg CO₂e" in _text(client.get("/catalogue/admin/usefulness").text)
