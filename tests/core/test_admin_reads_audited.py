"""An administrator's reads of personal data leave a trace in the audit log: a person's
account page (once a day per administrator and person) and each download of the log as
CSV, worded in the reader's language; the privacy notice says so."""

import html

from sqlalchemy import select

from app.core.audit import AuditEvent
from app.extensions import db
from tests.conftest import login


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_opening_a_persons_account_page_is_logged_once_a_day(client, make):
    admin = make.user(roles=("admin",), locale="en")
    person = make.user(display_name="Yasmine Petit")
    login(client, admin)
    assert client.get(f"/admin/people/{person.id}").status_code == 200
    assert client.get(f"/admin/people/{person.id}").status_code == 200
    [event] = _events("view_person")
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin.id,
        "user",
        str(person.id),
    )


def test_each_download_of_the_audit_log_is_logged(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    client.get("/admin/audit.csv")
    client.get("/admin/audit.csv?action=create")
    assert len(_events("download_audit_log")) == 2


def test_the_log_words_the_reads_in_english(client, make):
    admin = make.user(roles=("admin",), locale="en")
    person = make.user(display_name="Yasmine Petit")
    login(client, admin)
    client.get(f"/admin/people/{person.id}")
    client.get("/admin/audit.csv")
    page = html.unescape(client.get("/admin/audit?lang=en").get_data(as_text=True))
    assert "Account page viewed" in page and "Audit log downloaded as CSV" in page
    assert "Audit log CSV file" in page


def test_the_log_words_the_reads_in_french(client, make):
    admin = make.user(roles=("admin",), locale="fr")
    person = make.user(display_name="Yasmine Petit")
    login(client, admin)
    client.get(f"/admin/people/{person.id}")
    client.get("/admin/audit.csv")
    page = html.unescape(client.get("/admin/audit?lang=fr").get_data(as_text=True))
    assert "Consultation de la page du compte" in page
    assert "Téléchargement du journal d'audit en CSV" in page


def test_the_privacy_notice_says_administrators_reads_are_logged(client):
    en = html.unescape(client.get("/privacy?lang=en").get_data(as_text=True))
    fr = html.unescape(client.get("/privacy?lang=fr").get_data(as_text=True))
    assert "When an administrator opens your account page" in en
    assert "Lorsqu'un administrateur ouvre la page de votre compte" in fr
