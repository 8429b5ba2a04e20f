"""An admin finds an object's history in the audit log by what it is called."""

import csv
import io
from datetime import UTC, datetime

from app.core.audit import record_audit
from app.extensions import db
from tests.conftest import login

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def test_the_audit_log_finds_events_containing_a_code_or_a_receipt_number(client, make):
    admin = make.user(roles=("admin",), locale="en")
    record_audit(admin, "update", "catalogue_item", 14, NOW, "LAPTOP-14: lifetime_years 4 -> 5")
    record_audit(admin, "update", "catalogue_item", 15, NOW, "LAPTOP-15: lifetime_years 4 -> 6")
    record_audit(admin, "wipe", "device_return", "RC-7K2P-QX4M", NOW, "CERT-9")
    record_audit(admin, "update", "template", 3, NOW, "100% sure")
    db.session.commit()
    login(client, admin)

    page = client.get("/admin/audit?text=laptop-14").get_data(as_text=True)
    assert "LAPTOP-14" in page and "LAPTOP-15" not in page
    by_receipt = client.get("/admin/audit?text=RC-7K2P").get_data(as_text=True)
    assert "CERT-9" in by_receipt and "LAPTOP" not in by_receipt
    # The percent sign is a character to find, not a wildcard that finds everything.
    assert "LAPTOP" not in client.get("/admin/audit?text=%25").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get("/admin/audit.csv?text=LAPTOP-14").text)))
    assert [row[9] for row in rows[1:]] == ["LAPTOP-14: lifetime_years 4 -> 5"]  # as stored


def test_the_audit_log_finds_every_event_about_an_object_by_its_name(client, make):
    """Events about a person or a point store no name (a deactivation, a closure's reason
    alone): searching their name found nothing, though the log names them."""
    from app.messaging.models import Dispatch, MessageTemplate
    from app.recycling.models import CollectionPoint

    admin = make.user(roles=("admin",), locale="en")
    person = make.user(display_name="Chloé Martin", email="chloe.martin@example.org")
    point = CollectionPoint(
        name="Hôtel de ville – Talence", address="1 place", latitude=44.8, longitude=-0.59,
        opening_hours="Mo-Fr 09:00-17:00", accepted_types="laptop",
        commune_id=make.commune().id,
    )  # fmt: skip
    template = MessageTemplate(key="winter-news", name="Nouvelles d'hiver")
    db.session.add_all([point, template])
    db.session.flush()
    dispatch = Dispatch(template_id=template.id, audience_key="everyone", due_at=NOW)
    db.session.add(dispatch)
    db.session.flush()
    record_audit(admin, "deactivate", "user", person.id, NOW, "")
    record_audit(admin, "close", "collection_point", point.id, NOW, "Travaux jusqu'au 15")
    record_audit(admin, "cancel", "messaging_dispatch", dispatch.id, NOW, "")
    record_audit(admin, "update", "catalogue_item", 99, NOW, "LAPTOP-99: lifetime 4 -> 5")
    db.session.commit()
    login(client, admin)

    def found(text: str) -> list[str]:
        rows = csv.reader(io.StringIO(client.get(f"/admin/audit.csv?text={text}").text))
        return sorted(row[8] for row in list(rows)[1:])  # the object type's code

    assert found("chloé martin") == ["user"]
    assert found("martin@example") == ["user"]
    assert found("talence") == ["collection_point"]
    assert found("winter-news") == found("nouvelles d'hiver") == ["messaging_dispatch"]
