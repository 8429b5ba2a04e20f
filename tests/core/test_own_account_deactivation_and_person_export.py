"""Administration: one's own account offers no deactivation, a
deactivated account is marked on the roles page and a role granted to it says so, the log's
"Containing" finds « Personne anonymisée », and an admin downloads a person's data export."""

import html
import json
from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from app.auth.models import User
from app.core import admin_services
from app.core.audit import AuditEvent
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_ones_own_account_page_offers_no_deactivation_and_says_why(client, make):
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    page = _page(client.get(f"/admin/people/{admin.id}"))
    assert "Deactivate this account" not in page
    assert 'value="deactivate"' not in page
    assert "This is your own account: you cannot deactivate it. Another administrator can." in page


def test_another_persons_account_page_still_offers_deactivation(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    other = make.user()
    assert "Deactivate this account" in _page(client.get(f"/admin/people/{other.id}"))


def test_the_roles_page_marks_a_deactivated_account(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    make.user(display_name="Active Person", email="active@example.org")
    make.user(display_name="Gone Person", email="gone@example.org", active=False,
              deactivated_by="admin", deactivated_at=utcnow())  # fmt: skip
    gone = db.session.scalar(select(User).where(User.email == "gone@example.org"))
    active = db.session.scalar(select(User).where(User.email == "active@example.org"))
    page = _page(client.get("/admin/roles?q=person"))

    def row(user):
        return page.split(f'id="person-{user.id}"')[1].split("</tr>")[0]

    assert "(compte désactivé)" in row(gone)
    assert "compte désactivé" not in row(active)


def test_granting_a_role_to_a_deactivated_account_says_it_waits_for_reactivation(
    client, auth, make
):
    login(client, make.user(roles=("admin",), locale="en"))
    gone = make.user(email="gone@example.org", active=False, deactivated_by="admin",
                     deactivated_at=utcnow())  # fmt: skip
    answer = auth.post(f"/admin/roles/{gone.id}", {"change": "grant:organiser"},
                       headers={"HX-Request": "true"})  # fmt: skip
    assert answer.status_code == 200
    assert (
        "Organiser role granted to gone@example.org, whose account is deactivated: the role "
        "takes effect if the account is reactivated." in _page(answer)
    )
    assert "organiser" in db.session.get(User, gone.id).roles
    revoked = auth.post(f"/admin/roles/{gone.id}", {"change": "revoke:organiser"},
                        headers={"HX-Request": "true"})  # fmt: skip
    assert revoked.status_code == 200
    db.session.expire_all()
    assert "organiser" not in db.session.get(User, gone.id).roles


def _erased_with_events(make):
    """An erased person who had granted a role (actor) and whose own role was changed (object)."""
    now = utcnow() - timedelta(hours=1)
    admin = make.user(roles=("admin",), locale="en")
    person = make.user(roles=("admin",))
    other = make.user(email="other@example.org")

    admin_services.set_role(person, other, "organiser", True, now)
    admin_services.set_role(admin, person, "agent", True, now)
    admin_services.set_role(admin, other, "agent", True, now)  # nothing erased about it
    db.session.commit()
    erase_user(person, now + timedelta(minutes=1), actor=admin)
    db.session.commit()
    return admin, person


def _found_rows(client, text: str) -> list[str]:
    page = _page(client.get("/admin/audit", query_string={"text": text}))
    assert "No event matches these filters." not in page
    return page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]


def _events_by_or_about(person) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            or_(
                AuditEvent.actor_id == person.id,
                and_(AuditEvent.object_type == "user", AuditEvent.object_id == str(person.id)),
            )
        )
    )


def test_the_audit_search_finds_anonymised_person_in_english(client, make):
    admin, person = _erased_with_events(make)
    login(client, admin)
    rows = _found_rows(client, "Anonymised person")
    # By the erased person (a role granted), about them (a role, the erasure); not the
    # role granted to someone else by another admin.
    assert len(rows) == _events_by_or_about(person) >= 3
    assert all("Anonymised person" in row for row in rows)


def test_the_audit_search_finds_personne_anonymisee_in_french(client, make):
    admin, person = _erased_with_events(make)
    admin.locale = "fr"
    db.session.commit()
    login(client, admin)
    rows = _found_rows(client, "personne anonymisee")
    assert len(rows) == _events_by_or_about(person) >= 3
    assert all("Personne anonymisée" in row for row in rows)


def test_an_admin_downloads_a_deactivated_persons_export_as_their_profile_gives_it(
    client, auth, make
):
    admin = make.user(roles=("admin",), locale="en")
    person = make.user(email="gone@example.org", active=False, deactivated_by="admin",
                       deactivated_at=utcnow())  # fmt: skip
    login(client, admin)
    page = _page(client.get(f"/admin/people/{person.id}"))
    assert "Download this person's data" in page
    answer = auth.post(f"/admin/people/{person.id}/export")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert "attachment" in answer.headers["Content-Disposition"]
    document = json.loads(answer.get_data(as_text=True))
    assert document["format"] == "empreinte-export/1"
    assert document["profile"]["email"] == "gone@example.org"
    assert document["profile"]["active"] is False


def test_the_download_is_audited_and_listed_in_the_persons_own_export(client, auth, make):
    admin = make.user(roles=("admin",), locale="en")
    person = make.user(email="asker@example.org")
    login(client, admin)
    auth.post(f"/admin/people/{person.id}/export")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export_data"))
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin.id, "user", str(person.id)
    )  # fmt: skip
    log = _page(client.get("/admin/audit", query_string={"text": "asker"}))
    assert "Personal data export downloaded" in log
    login(client, person)
    own = json.loads(client.get("/auth/profile/export").get_data(as_text=True))
    downloads = [e for e in own["audit_events"] if e["action"] == "export_data"]
    assert len(downloads) == 1 and downloads[0]["actor"] == "admin"


def test_the_download_refuses_a_request_without_csrf_and_records_nothing(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    person = make.user()
    assert client.post(f"/admin/people/{person.id}/export").status_code == 400
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export_data")) is None


def test_the_download_is_for_admins_only(client, auth, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    person = make.user()
    assert auth.post(f"/admin/people/{person.id}/export").status_code == 403
