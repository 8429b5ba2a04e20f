"""Two admins revoking (or deactivating) each other at once leave one admin; the admin's
downloads are named in the page's language; `flask users create` refuses an address
the portal's e-mails cannot reach."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.auth.services import AccountError
from app.core import admin_services, privacy_services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.core.test_security_sweep import at_once, pause_after


def _two_admins_at_once(app, make, path, data):
    """Each of two admins sends `data` to `path` about the other, at the same moment;
    their answers' status codes."""
    first = make.user(roles=("admin",), locale="en")
    second = make.user(roles=("admin",), locale="en")
    clients = {first.id: app.test_client(), second.id: app.test_client()}
    for person in (first, second):
        login(clients[person.id], person)
    tokens = {person_id: csrf_token(client) for person_id, client in clients.items()}
    calls = [
        lambda actor=actor, target=target: clients[actor.id].post(
            path.format(id=target.id), data={**data, "csrf_token": tokens[actor.id]}
        )
        for actor, target in ((first, second), (second, first))
    ]
    # A busy server's time between reading the roles and writing: the other runs then.
    with pause_after(lambda sql: "user_role" in sql and sql.lstrip().startswith("SELECT")):
        answers = [answer.status_code for answer in at_once(app, calls)]
    db.session.expire_all()
    return answers


def test_two_admins_revoking_each_others_admin_role_at_once_leave_one_admin(app, make):
    answers = _two_admins_at_once(app, make, "/admin/roles/{id}", {"change": "revoke:admin"})

    assert len(answers) == 2
    assert len(privacy_services.active_admin_ids()) == 1
    assert sorted(answers) in ([302, 409], [200, 409], [302, 302])  # one refused or signed out


def test_revoking_the_last_active_admins_role_is_refused_whoever_asks(make):
    """What the second of the two meets once the first has committed: the rule itself."""
    first, second = make.user(roles=("admin",)), make.user(roles=("admin",))
    admin_services.set_role(second, first, "admin", False, utcnow())
    db.session.commit()

    with pytest.raises(AccountError, match="last-admin"):
        admin_services.set_role(first, second, "admin", False, utcnow())
    db.session.rollback()
    assert privacy_services.active_admin_ids() == [second.id]


def test_two_admins_deactivating_each_other_at_once_leave_one_active_admin(app, make):
    answers = _two_admins_at_once(app, make, "/admin/people/{id}/status", {"change": "deactivate"})

    assert len(answers) == 2
    assert len(privacy_services.active_admin_ids()) == 1


def test_the_audit_log_and_departments_download_with_french_names(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))

    audit = client.get("/admin/audit.csv").headers["Content-Disposition"]
    departments = client.get("/admin/departments.csv").headers["Content-Disposition"]

    assert audit.startswith('attachment; filename="journal-audit-') and audit.endswith('.csv"')
    assert departments == 'attachment; filename="directions.csv"'


def test_the_downloads_keep_english_names_in_english(client, make):
    login(client, make.user(roles=("admin",), locale="en"))

    departments = client.get("/admin/departments.csv").headers["Content-Disposition"]

    assert departments == 'attachment; filename="departments.csv"'
    assert 'filename="audit-log-' in client.get("/admin/audit.csv").headers["Content-Disposition"]


def test_users_create_refuses_an_address_with_accented_letters(runner):
    result = runner.invoke(args=["users", "create", "élodie.françois@example.org"])

    assert result.exit_code == 1
    assert "non-ASCII letters, which the portal's e-mails cannot reach" in result.output
    assert "Nothing was created." in result.output
    assert db.session.scalar(select(User.id)) is None


def test_users_create_still_names_a_malformed_address(runner):
    result = runner.invoke(args=["users", "create", "élodie@@example.org"])

    assert result.exit_code == 1
    assert "'élodie@@example.org' is not a valid e-mail address" in result.output
