"""Small things of the item form: two alternative errors are two sentences; a withdrawn
item's edit form says so; a creation's audit event records the figures and source the item
started with, not its code alone."""

import html
import re

from sqlalchemy import select

from app.catalogue import services
from app.core.audit import AuditEvent
from app.extensions import db
from tests.catalogue.conftest import item_edit_form
from tests.conftest import login


def test_two_alternative_errors_are_two_sentences(make_item, request_context):
    item = make_item(code="SV-EN-1", kind="service")
    problems = services.item_problems(
        {"code": "SV-EN-1", "kind": "service", "category": "email", "use_kgco2e_per_year": 3.0,
         "source": "Study"},
        ["SV-EN-1", "NOPE-1"],
        item,
    )  # fmt: skip
    assert problems["alternatives"] == (
        "An item cannot be its own alternative: remove SV-EN-1. Unknown alternative code: NOPE-1."
    )


def test_a_withdrawn_items_edit_form_says_it_is_withdrawn(client, make, make_item):
    item = make_item(status="discontinued")
    login(client, make.user(roles=("admin",), locale="en"))
    page = html.unescape(client.get(f"/catalogue/admin/items/{item.id}/edit").text)
    assert "This item is withdrawn from the catalogue: nobody can request it." in page


def test_an_available_items_edit_form_does_not(client, make, make_item):
    item = make_item()
    login(client, make.user(roles=("admin",), locale="en"))
    page = html.unescape(client.get(f"/catalogue/admin/items/{item.id}/edit").text)
    assert "withdrawn from the catalogue" not in page


def test_a_creation_records_its_figures_and_source(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    template = make_item(category="printer")
    form = item_edit_form(template, code="NEW-AUDIT-1", embodied_kgco2e="255.5",
                          use_kgco2e_per_year="", source="Study 2026")  # fmt: skip
    answer = auth.post("/catalogue/admin/items/new", form)
    assert answer.status_code == 302, re.findall(r"error\".{0,200}", html.unescape(answer.text))
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "create").order_by(AuditEvent.id.desc())
    ).first()
    assert event.summary.startswith("NEW-AUDIT-1: ")
    assert "embodied_kgco2e - -> 255.5" in event.summary
    assert 'source "" -> "Study 2026"' in event.summary
    log = html.unescape(client.get("/admin/audit").text)
    assert "Study 2026" in log
