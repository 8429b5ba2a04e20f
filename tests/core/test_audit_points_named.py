"""The audit log names a collection point as it names a person (« Point de collecte #3 »
told the admin nothing), and a detail with no spaces wraps inside the table at 640 px
instead of making it ~2,900 px wide."""

import html
from datetime import UTC, datetime

import pytest

from app.core.audit import record_audit
from app.extensions import db
from app.recycling.models import CollectionPoint
from tests.conftest import browser_sign_in, login

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _point(make, name: str) -> CollectionPoint:
    point = CollectionPoint(
        commune=make.commune(), name=name, address="1 rue du Port", latitude=44.84,
        longitude=-0.58, opening_hours="Mo-Fr 09:00-17:00", accepted_types="laptop",
    )  # fmt: skip
    db.session.add(point)
    db.session.flush()
    return point


def _closed_point_page(client, make, locale: str) -> tuple[str, CollectionPoint]:
    admin = make.user(roles=("admin",), locale=locale)
    point = _point(make, "Déchetterie Nord")
    record_audit(admin, "close", "collection_point", point.id, NOW, "Travaux")
    db.session.commit()
    login(client, admin)
    return html.unescape(client.get("/admin/audit").get_data(as_text=True)), point


@pytest.mark.parametrize(
    ("locale", "label"), [("fr", "Point de collecte"), ("en", "Collection point")]
)
def test_a_collection_point_is_named_in_the_audit_log(client, make, locale, label):
    page, point = _closed_point_page(client, make, locale)

    link = f'<a href="/recycling/admin/points/{point.id}/edit">Déchetterie Nord</a>'
    assert f"<td>{label} {link}</td>" in page
    assert f"#{point.id}<" not in page


def test_a_point_unknown_to_the_portal_keeps_its_number(client, make):
    admin = make.user(roles=("admin",))  # French
    record_audit(admin, "close", "collection_point", "9999", NOW, "Travaux")
    db.session.commit()
    login(client, admin)

    page = html.unescape(client.get("/admin/audit").get_data(as_text=True))

    assert "<td>Point de collecte #9999</td>" in page


@pytest.mark.browser
def test_a_detail_without_spaces_wraps_inside_the_table_at_640_px(page, make):
    admin = make.user(roles=("admin",))
    point = _point(make, "Déchetterie Nord")
    record_audit(admin, "close", "collection_point", point.id, NOW, "x" * 250)
    record_audit(admin, "update", "campaign", 7, NOW, "https://example.org/" + "a" * 230)
    db.session.commit()
    page.set_viewport_size({"width": 640, "height": 900})
    browser_sign_in(page, admin)

    page.goto("/admin/audit")

    width = page.locator("table").first.evaluate("table => table.getBoundingClientRect().width")
    assert width <= 640
