"""A refused closure or reopening comes back on the point's page, said where it happened."""

import re

from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.extensions import db
from app.recycling.models import CollectionPoint
from tests.conftest import login


def _autofocused(page: str) -> list[str]:
    return re.findall(r"<(?:input|button)[^>]*\bautofocus\b[^>]*>", page)


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_a_note_too_long_is_refused_at_the_note_with_the_focus_there(client, auth, make, rec):
    point = rec.point(name="Mairie de Floirac", agents=[make.user(roles=("agent",))])
    login(client, make.user(roles=("admin",), locale="en"))
    before = _audit_count()
    refused = auth.post(f"/recycling/admin/points/{point.id}/close", {"closure_note": "x" * 251})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    focused = _autofocused(page)
    assert len(focused) == 1 and 'id="closure-note"' in focused[0]
    assert 'aria-describedby="closure-note-error"' in focused[0]
    assert re.search(r'<p class="error" id="closure-note-error">[^<]*250', page)
    assert 'value="' + "x" * 251 + '"' in focused[0]  # what was typed, to shorten
    assert '<p class="flash' not in page
    assert re.search(r'<input[^>]*name="name"[^>]*value="Mairie de Floirac"', page)
    assert db.session.get(CollectionPoint, point.id).active and _audit_count() == before


def test_reopening_without_an_agent_is_refused_by_the_reopen_button(client, auth, make, rec):
    point = rec.point(active=False, closure_note="Travaux")
    login(client, make.user(roles=("admin",), locale="en"))
    before = _audit_count()
    refused = auth.post(f"/recycling/admin/points/{point.id}/reopen")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    focused = _autofocused(page)
    assert len(focused) == 1 and 'aria-describedby="reopen-error"' in focused[0]
    assert "Reopen" in page[page.index(focused[0]) :].split("</button>")[0]
    assert re.search(
        r'<p class="error" id="reopen-error">An open collection point needs at least one agent',
        page,
    )
    assert '<p class="flash' not in page
    saved = db.session.get(CollectionPoint, point.id)
    assert not saved.active and saved.closure_note == "Travaux" and _audit_count() == before


def test_closing_and_reopening_still_redirect_with_a_message(client, auth, make, rec):
    point = rec.point(name="Mairie de Cenon", agents=[make.user(roles=("agent",))])
    login(client, make.user(roles=("admin",), locale="en"))
    closed = auth.post(f"/recycling/admin/points/{point.id}/close", {"closure_note": "Works"})
    assert closed.status_code == 302 and closed.headers["Location"].endswith("/admin/points")
    assert not db.session.get(CollectionPoint, point.id).active
    reopened = auth.post(f"/recycling/admin/points/{point.id}/reopen")
    assert reopened.status_code == 302
    listing = client.get("/recycling/admin/points").get_data(as_text=True)
    assert "The collection point “Mairie de Cenon” is open again." in listing
