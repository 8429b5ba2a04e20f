"""A new item's audit entry lists the values it starts with, each named with its unit and
without a "from" side: « Étiquette : - → C » beside « Statut : – → Disponible », empty
quotes « «  » → … » and two unnamed « Utilisation » said nothing more."""

import html
import re

from sqlalchemy import select

from app.catalogue.audit import audit_changes, changes_summary
from app.core.audit import AuditEvent
from app.extensions import db
from tests.catalogue.conftest import item_edit_form
from tests.conftest import login


def _creation_line(client, auth, make, make_item) -> str:
    login(client, make.user(roles=("admin",), locale="fr"))
    template = make_item(category="printer")
    form = item_edit_form(template, code="NEW-START-1", name_fr="Imprimante neuve",
                          embodied_kgco2e="255.5", use_kwh_per_year="120",
                          use_kgco2e_per_year="", source="Étude 2026")  # fmt: skip
    assert auth.post("/catalogue/admin/items/new", form).status_code == 302
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "create").order_by(AuditEvent.id.desc())
    ).first()
    log = html.unescape(client.get("/admin/audit").text).replace("\u00a0", " ")
    line = next(row for row in log.split("<tr") if "NEW-START-1" in row and "Étude" in row)
    assert event.summary.startswith("NEW-START-1: ")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line))


def test_a_creation_lists_its_starting_values_with_their_units(client, auth, make, make_item):
    line = _creation_line(client, auth, make, make_item)
    assert "Nom en français : Imprimante neuve" in line
    assert "Consommation électrique (kWh par an) : 120" in line
    assert "Utilisation (kg CO₂e par an) : 6,24" in line
    assert "Statut : Disponible" in line
    assert "→" not in line and "«  »" not in line


def test_an_edit_writes_an_empty_label_with_the_log_s_dash(request_context):
    summary = changes_summary({"code": "EQ-1"}, {"code": "EQ-1", "grade": "C"})
    assert audit_changes(summary) == "EQ-1 · Label: – → C"
