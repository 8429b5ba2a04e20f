"""A person hired again under a new staff number looped: the import said to reactivate
their account, then refused the same file because the address "belongs to the account
with staff number S13", and no screen changed a staff number. The person's page does
(unique, checked, audited), and the import's advice says so."""

import html
import io

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

HEADER = "email,display_name,staff_number\n"
LINE = "anne.roy@example.org,Anne Roy,N3001\n"


def _page(answer) -> str:
    return html.unescape(answer.get_data(as_text=True))


def _upload(auth, text):
    data = {"file": (io.BytesIO(text.encode()), "staff.csv")}
    return auth.post("/admin/directory", data, content_type="multipart/form-data")


def _anne(make, active=True) -> User:
    anne = make.user(email="anne.roy@example.org", display_name="Anne Roy", staff_number="S13")
    if not active:
        anne.active, anne.deactivated_by, anne.deactivated_at = False, "admin", utcnow()
    db.session.commit()
    return anne


def test_a_rehire_under_a_new_number_is_imported_once_her_account_has_it(client, auth, make):
    anne = _anne(make, active=False)
    login(client, make.user(roles=("admin",), locale="en"))
    refused = _page(_upload(auth, HEADER + LINE))
    assert (
        "reactivate their account and give it the staff number N3001, both on its page "
        "(Administration, Roles: search for them, then open their name)" in refused
    )
    auth.post(f"/admin/people/{anne.id}/status", {"change": "reactivate"})
    changed = auth.post(f"/admin/people/{anne.id}/staff-number", {"staff_number": "N3001"})
    assert changed.status_code == 302
    assert _upload(auth, HEADER + LINE).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, anne.id).staff_number == "N3001"
    assert db.session.query(User).filter_by(email="anne.roy@example.org").count() == 1


def test_an_active_accounts_other_number_points_to_the_page_that_changes_it(client, auth, make):
    _anne(make)
    login(client, make.user(roles=("admin",), locale="en"))
    refused = _page(_upload(auth, HEADER + LINE))
    assert "give their account the staff number N3001 on its page (Administration, Roles" in refused


def test_the_staff_number_change_is_audited_and_shown(client, auth, make):
    anne = _anne(make)
    login(client, make.user(roles=("admin",), locale="fr"))
    answer = auth.post(
        f"/admin/people/{anne.id}/staff-number", {"staff_number": "N3001"}, follow_redirects=True
    )
    page = _page(answer)
    assert "Anne Roy a désormais le matricule N3001." in page
    assert "Changement de matricule (S13 → N3001)" in page
    event = db.session.query(AuditEvent).filter_by(action="change_staff_number").one()
    assert (event.object_id, event.summary) == (str(anne.id), "S13 -> N3001")


def test_a_staff_number_another_account_has_is_refused_at_the_field(client, auth, make):
    anne = _anne(make)
    make.user(email="paul@example.org", display_name="Paul Roy", staff_number="N3001")
    login(client, make.user(roles=("admin",), locale="fr"))
    answer = auth.post(f"/admin/people/{anne.id}/staff-number", {"staff_number": "N3001"})
    assert answer.status_code == 409
    assert "Ce matricule est déjà celui d'un autre compte, Paul Roy (paul@example.org)" in _page(
        answer
    )
    db.session.expire_all()
    assert db.session.get(User, anne.id).staff_number == "S13"


def test_a_staff_number_too_long_is_refused_at_the_field(client, auth, make):
    anne = _anne(make)
    login(client, make.user(roles=("admin",), locale="en"))
    answer = auth.post(f"/admin/people/{anne.id}/staff-number", {"staff_number": "N" * 33})
    assert answer.status_code == 422
    assert "A staff number has at most 32 printable characters." in _page(answer)


def test_a_staff_number_change_without_its_token_is_refused(client, make):
    anne = _anne(make)
    login(client, make.user(roles=("admin",), locale="en"))
    answer = client.post(f"/admin/people/{anne.id}/staff-number", data={"staff_number": "X1"})
    assert answer.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, anne.id).staff_number == "S13"


def test_only_an_admin_changes_a_staff_number(client, auth, make):
    anne = _anne(make)
    login(client, make.user(roles=("organiser",)))
    answer = auth.post(f"/admin/people/{anne.id}/staff-number", {"staff_number": "X1"})
    assert answer.status_code == 403
