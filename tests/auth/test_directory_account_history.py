"""Review of 6 December: a staff directory import that deactivates (or reactivates) an
account leaves an event in that account's own history, its admin page and its export,
written for thousands of accounts in one INSERT."""

import html
import io
import re

import pytest
from sqlalchemy import event, func, select

from app.auth.directory import sync_directory
from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.privacy_services import export_personal_data
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

NOTHING_RECORDED = "Aucune modification n'est enregistrée pour ce compte."


@pytest.fixture(autouse=True)
def _pending_uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PENDING_UPLOADS_DIR", str(tmp_path / "uploads"))


def _text(page: str) -> str:
    words = html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", words)


def _staff(make, count: int) -> list[User]:
    return [
        make.user(email=f"agent{n}@example.org", display_name=f"Agent {n}", password=None,
                  with_department=False)
        for n in range(count)
    ]  # fmt: skip


def _file(*people: User) -> str:
    return "email,display_name\n" + "".join(f"{p.email},{p.display_name}\n" for p in people)


def _import_confirmed(auth, text: str):
    """Upload a full file with "deactivate those missing", then confirm its count."""
    data = {"file": (io.BytesIO(text.encode()), "staff.csv"), "deactivate_missing": "y"}
    asked = auth.post("/admin/directory", data, content_type="multipart/form-data").text
    fields = dict(re.findall(r'name="(token|deactivating)"[^>]*value="([^"]*)"', asked))
    return auth.post("/admin/directory/confirm", fields)


def test_the_page_of_an_account_the_directory_deactivated_shows_the_deactivation(
    client, auth, make
):
    admin = make.user(roles=("admin",), locale="fr", email="rh.admin@example.org")
    kept, leaving = _staff(make, 2)
    login(client, admin)
    assert _import_confirmed(auth, _file(kept)).status_code == 302
    page = _text(client.get(f"/admin/people/{leaving.id}").text)
    assert "ne figure plus dans l'annuaire" in page
    assert (
        "Désactivation du compte (Ne figure plus dans l'annuaire du personnel) · "
        "rh.admin@example.org"
    ) in page
    assert NOTHING_RECORDED not in page
    assert NOTHING_RECORDED in _text(client.get(f"/admin/people/{kept.id}").text)


def test_the_deactivation_is_in_the_persons_export(make):
    kept, leaving = _staff(make, 2)
    sync_directory(_file(kept), utcnow(), deactivate_missing=True)
    db.session.commit()
    events = export_personal_data(leaving, utcnow())["audit_events"]
    assert [(e["action"], e["actor"]) for e in events] == [("deactivate_account", "system")]
    assert events[0]["details"] == "Ne figure plus dans l'annuaire du personnel"


def test_a_reactivation_by_the_directory_is_in_the_accounts_history(client, make):
    kept, back = _staff(make, 2)
    sync_directory(_file(kept), utcnow(), deactivate_missing=True)
    sync_directory(_file(kept, back), utcnow(), deactivate_missing=True)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    page = _text(client.get(f"/admin/people/{back.id}").text)
    assert "Account reactivated (Listed in the staff directory again) · System" in page
    assert "Account deactivated (No longer in the staff directory) · System" in page


def test_the_audit_log_finds_the_directory_deactivations_by_their_french_words(client, make):
    kept, leaving = _staff(make, 2)
    sync_directory(_file(kept), utcnow(), deactivate_missing=True)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="fr"))
    page = client.get("/admin/audit", query_string={"text": "ne figure plus"}).text
    assert f'href="/admin/people/{leaving.id}"' in page
    assert f'href="/admin/people/{kept.id}"' not in page


def test_many_deactivations_are_written_in_one_insert(make):
    """A first full file deactivates thousands: one event each, not one INSERT each."""
    kept, *leaving = _staff(make, 41)
    inserts = []

    def count(_conn, _cursor, statement, _params, _context, _many):
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT"):
            inserts.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        sync_directory(_file(kept), utcnow(), deactivate_missing=True, allow_mass_deactivation=True)
        db.session.flush()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    db.session.commit()
    recorded = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "deactivate_account")
    )
    assert recorded == len(leaving)
    assert len(inserts) <= 2  # the run's summary, then every account's event
