"""Admin pages: the audit log (filters, pages, CSV) and audited role changes."""

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.audit import AuditEvent, record_audit
from app.core.csv_safety import safe_cell, write_csv
from app.extensions import db
from tests.conftest import login

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _audit_rows(response) -> list[list[str]]:
    """The audit CSV's rows as a French spreadsheet reads them (BOM, semicolons)."""
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _events(actor, count, action="update", object_type="campaign", at=NOW, summary="changed"):
    for n in range(count):
        record_audit(actor, action, object_type, n, at - timedelta(minutes=n), summary)
    db.session.commit()


def test_audit_log_lists_who_changed_what_newest_first(client, make):
    admin = make.user(roles=("admin",), email="chief@example.org")
    organiser = make.user(roles=("organiser",), email="nora@example.org")
    record_audit(organiser, "publish", "campaign", 7, NOW - timedelta(hours=1), "Spring clean")
    record_audit(admin, "update", "catalogue_item", 3, NOW, "new footprint")
    db.session.commit()
    login(client, admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert html.index("Article du catalogue #3") < html.index("campaign #7")
    assert "nora@example.org" in html and "Spring clean" in html


def test_the_audit_log_names_actions_and_objects_in_the_admins_language(client, make):
    """The page and its filters show labels; the CSV export keeps the stored keys too, in
    its last columns."""
    admin = make.user(roles=("admin",))
    record_audit(admin, "grant_role", "user", 5, NOW, "role=organiser")
    record_audit(admin, "publish", "cleanup_campaign", 7, NOW)
    db.session.commit()
    login(client, admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "<td>Attribution de rôle</td>" in html
    assert '<td>Personne <a href="/admin/people/5">#5</a></td>' in html
    assert "<td>Publication</td>" in html and "<td>Campagne de nettoyage #7</td>" in html
    assert '<option value="grant_role">Attribution de rôle</option>' in html
    assert '<option value="cleanup_campaign">Campagne de nettoyage</option>' in html
    rows = _audit_rows(client.get("/admin/audit.csv"))
    assert {(row[7], row[8]) for row in rows[1:]} == {
        ("grant_role", "user"),
        ("publish", "cleanup_campaign"),
    }


def test_the_details_services_write_in_a_fixed_form_are_read_in_the_admins_language(client, make):
    """What the portal itself writes is translated; what people typed is shown as is."""
    admin = make.user(roles=("admin",))
    written = {
        ("grant_role", "user"): "role=organiser",
        ("import", "catalogue_item"): "3 created, 1 updated, 1639 unchanged",
        ("extend", "cleanup_campaign"): "ends_at 2026-12-18T08:00:00+00:00 -> "
        "2026-12-20T17:30:00+00:00",
        ("set_budget", "catalogue_budget"): "2026: 1500.0",
        ("erase", "user"): "personal data erased",
        ("outcome", "device_return"): "donated",
        ("reject", "cleanup_action"): "role=organiser, 3 created",  # an organiser's words
    }
    for (action, object_type), summary in written.items():
        record_audit(admin, action, object_type, 1, NOW, summary)
    db.session.commit()
    login(client, admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "<td>Organisateur</td>" in html
    assert "<td>3 articles créés · 1 article modifié · 1\u202f639 articles inchangés</td>" in html
    assert (
        "<td>Nouvelle fin\u00a0: 20 déc. 2026, 18\u00a0h\u00a030 (au lieu du 18 déc. 2026, 9\u00a0h)</td>"
        in html
    )
    assert "<td>2026\u00a0: 1\u202f500\u00a0kg\u00a0CO₂e</td>" in html
    assert "<td>Données personnelles effacées</td>" in html
    assert "<td>Donné</td>" in html  # a domain's own details (recycling)
    assert "<td>role=organiser, 3 created</td>" in html
    rows = _audit_rows(client.get("/admin/audit.csv"))
    assert {row[9] for row in rows[1:]} == set(written.values())  # as stored


def test_audit_log_filters_by_object_actor_and_dates(client, make):
    admin = make.user(roles=("admin",), email="chief@example.org")
    organiser = make.user(roles=("organiser",), email="nora@example.org")
    record_audit(organiser, "publish", "campaign", 7, datetime(2026, 3, 1, 12, tzinfo=UTC))
    record_audit(organiser, "update", "template", 8, datetime(2026, 6, 1, 12, tzinfo=UTC))
    record_audit(admin, "update", "template", 9, datetime(2026, 6, 2, 12, tzinfo=UTC))
    db.session.commit()
    login(client, admin)
    html = client.get("/admin/audit?object_type=template&actor=nora").get_data(as_text=True)
    assert "template #8" in html and "template #9" not in html and "campaign #7" not in html
    html = client.get("/admin/audit?since=2026-02-01&until=2026-03-01").get_data(as_text=True)
    assert "campaign #7" in html and "template #8" not in html


def test_audit_log_rejects_a_bad_date_with_a_message(client, make):
    """The log is shown unfiltered, the error at the date field (it was a 400 page)."""
    login(client, make.user(roles=("admin",)))
    response = client.get("/admin/audit?since=yesterday")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_audit_log_is_paginated(client, make):
    admin = make.user(roles=("admin",))
    _events(admin, 55)
    login(client, admin)
    first = client.get("/admin/audit").get_data(as_text=True)
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert first.count("campaign #") == 50 and second.count("campaign #") == 5


def test_audit_log_partial_for_htmx(client, make):
    admin = make.user(roles=("admin",))
    _events(admin, 1)
    login(client, admin)
    fragment = client.get("/admin/audit", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "campaign #0" in fragment and "<html" not in fragment
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<html" in page


def test_audit_csv_neutralises_formulas(client, make):
    admin = make.user(roles=("admin",))
    attacker = make.user(roles=("organiser",), email="x@example.org")
    record_audit(attacker, "update", "catalogue_item", 1, NOW, '=HYPERLINK("http://evil","x")')
    record_audit(attacker, "update", "catalogue_item", 2, NOW, "@SUM(A1)")
    db.session.commit()
    login(client, admin)
    response = client.get("/admin/audit.csv?object_type=catalogue_item")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _audit_rows(response)
    assert rows[0] == [  # in the reader's language, French here
        "Date et heure (Europe/Paris)",
        "Auteur",
        "Action",
        "Type d'objet",
        "Numéro de l'objet",
        "Détails",
        "Nom de l'objet",
        "Code de l'action",
        "Code du type d'objet",
        "Détails tels qu'enregistrés",
    ]
    neutralised = {'\'=HYPERLINK("http://evil","x")', "'@SUM(A1)"}
    assert {row[5] for row in rows[1:]} == neutralised  # as shown
    assert {row[9] for row in rows[1:]} == neutralised  # as stored


def test_safe_cell_prefixes_every_formula_start():
    for payload in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"):
        assert safe_cell(payload) == "'" + payload
    assert safe_cell("plain text") == "plain text"
    assert safe_cell(None) == ""
    assert safe_cell(42) == "42"


def test_write_csv_neutralises_header_and_rows():
    text = write_csv([["=cmd", "ok"]], header=["-h", "b"])
    assert text == "'-h,b\r\n'=cmd,ok\r\n"


def test_admin_grants_and_revokes_a_role_and_it_is_audited(client, auth, make):
    admin = make.user(roles=("admin",))
    person = make.user()
    login(client, admin)
    response = auth.post(f"/admin/roles/{person.id}", {"change": "grant:organiser"})
    assert response.status_code == 302
    assert "organiser" in db.session.get(User, person.id).roles
    auth.post(f"/admin/roles/{person.id}", {"change": "revoke:organiser"})
    assert "organiser" not in db.session.get(User, person.id).roles
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_id, e.summary, e.actor_id) for e in events] == [
        ("grant_role", str(person.id), "role=organiser", admin.id),
        ("revoke_role", str(person.id), "role=organiser", admin.id),
    ]


def test_roles_are_named_in_the_admins_language_never_by_their_key(client, auth, make):
    admin = make.user(roles=("admin",), display_name="Hélène Laborde")
    person = make.user(email="yasmine@example.org")
    login(client, admin)
    html = client.get("/admin/roles").get_data(as_text=True)
    assert '<th scope="col" role="columnheader">Agent de collecte</th>' in html
    # The button shows its verb and is named in full for a screen reader.
    assert (
        'aria-label="Attribuer le rôle «\u00a0Organisateur\u00a0» à Hélène Laborde">Attribuer<'
        in html
    )
    assert ">organiser<" not in html and "« employee »" not in html
    answer = auth.post(f"/admin/roles/{person.id}", {"change": "grant:organiser"})
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Rôle «\u00a0Organisateur\u00a0» attribué à yasmine@example.org." in page


def test_admin_cannot_remove_their_own_admin_role(client, auth, make):
    admin = make.user(roles=("admin",))
    login(client, admin)
    auth.post(f"/admin/roles/{admin.id}", {"change": "revoke:admin"})
    assert "admin" in db.session.get(User, admin.id).roles
    assert db.session.scalar(select(AuditEvent)) is None


def test_unknown_role_is_refused_and_nothing_changes(client, auth, make):
    admin = make.user(roles=("admin",))
    person = make.user()
    login(client, admin)
    assert auth.post(f"/admin/roles/{person.id}", {"change": "grant:king"}).status_code == 400
    assert db.session.get(User, person.id).roles == {"employee"}


def test_roles_page_lists_privileged_people_and_finds_others(client, make):
    admin = make.user(roles=("admin",), display_name="Hélène Laborde")
    make.user(display_name="Yasmine Petit", email="yasmine@example.org")
    login(client, admin)
    html = client.get("/admin/roles").get_data(as_text=True)
    assert "Hélène Laborde" in html and "Yasmine Petit" not in html
    assert "Yasmine Petit" in client.get("/admin/roles?q=yasmine").get_data(as_text=True)


def test_an_extension_to_midnight_is_read_as_the_day_before_at_2359(client, make):
    """A campaign extended "to 27 December, 23:59" is stored as the next midnight (the
    whole last day open): the log writes it as the campaign page does, not "28 déc., 0 h"."""
    admin = make.user(roles=("admin",))
    summary = "ends_at 2026-12-20T23:00:00+00:00 -> 2026-12-27T23:00:00+00:00"
    record_audit(admin, "extend", "cleanup_campaign", 1, NOW, summary)
    db.session.commit()
    login(client, admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert (
        "<td>Nouvelle fin\u00a0: 27 déc. 2026, 23\u00a0h\u00a059"
        " (au lieu du 20 déc. 2026, 23\u00a0h\u00a059)</td>" in html
    )
