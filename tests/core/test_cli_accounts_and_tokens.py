"""Operators' account and token commands: the addresses the import would take, the audit
log, and tokens listed and revoked at the command line."""

import html

import pytest
from sqlalchemy import func, select

from app.auth.models import ApiToken, User
from app.extensions import db
from tests.conftest import login


def _accounts() -> int:
    return db.session.scalar(select(func.count(User.id)))


@pytest.mark.parametrize("address", ["notanemail", "a@b", "two@@example.org", "x@example..org"])
def test_users_create_refuses_an_address_the_staff_import_refuses(runner, address):
    result = runner.invoke(args=["users", "create", address, "--role", "admin"])
    assert result.exit_code == 1
    assert f"{address!r} is not a valid e-mail address" in result.output
    assert "Nothing was created." in result.output
    assert _accounts() == 0


def test_users_create_stores_the_address_as_the_import_does(runner):
    result = runner.invoke(args=["users", "create", "  Claire.Martin@Example.org "])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(User.email)).all() == ["claire.martin@example.org"]


def _audit_page(client, make) -> str:
    login(client, make.user(email="reader@example.org", roles=("admin",), locale="en"))
    return html.unescape(client.get("/admin/audit").get_data(as_text=True))


def test_an_admin_made_at_the_command_line_is_in_the_audit_log(runner, client, make):
    """Roles granted at /admin/roles are audited; an admin made by `users create` was not."""
    result = runner.invoke(
        args=["users", "create", "first.admin@example.org", "--role", "admin", "--name", "Ana Roy"]
    )
    assert result.exit_code == 0, result.output
    page = _audit_page(client, make)
    assert "Role granted" in page and "Administrator" in page
    assert "Created" in page and "Ana Roy" in page
    assert "System" in page


def test_a_token_made_and_revoked_at_the_command_line_is_in_the_audit_log(runner, client, make):
    owner = make.user(email="owner@example.org", display_name="Oscar Owner")
    assert runner.invoke(args=["tokens", "create", owner.email, "--name", "nightly"]).exit_code == 0
    token_id = db.session.scalar(select(ApiToken.id))
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code == 0
    page = _audit_page(client, make)
    assert "API token created" in page and "API token revoked" in page
    assert "nightly" in page and "Oscar Owner" in page
    assert "emp_" not in page


def test_tokens_list_shows_each_token_without_the_token(runner, make):
    ana = make.user(email="ana@example.org")
    bob = make.user(email="bob@example.org")
    made = runner.invoke(args=["tokens", "create", ana.email, "--name", "reports"])
    raw = made.output.strip().splitlines()[-1]
    runner.invoke(args=["tokens", "create", bob.email, "--name", "sync", "--scope", "read_write"])
    listed = runner.invoke(args=["tokens", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["id", "owner", "name", "scope", "created", "last", "used"]
    assert "ana@example.org" in lines[1] and "reports" in lines[1] and "read" in lines[1]
    assert "bob@example.org" in lines[2] and "sync" in lines[2] and "read_write" in lines[2]
    assert lines[1].rstrip().endswith("never")
    assert raw not in listed.output and raw[:10] not in listed.output
    only_bob = runner.invoke(args=["tokens", "list", "bob@example.org"])
    assert "sync" in only_bob.output and "reports" not in only_bob.output


def test_tokens_revoke_stops_the_token_at_once(runner, client, make):
    user = make.user(email="ana@example.org")
    raw = runner.invoke(args=["tokens", "create", user.email]).output.strip().splitlines()[-1]
    token_id = db.session.scalar(select(ApiToken.id))
    revoked = runner.invoke(args=["tokens", "revoke", str(token_id)])
    assert revoked.exit_code == 0, revoked.output
    assert f"Token {token_id} “cli” of ana@example.org revoked." in revoked.output
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert "No active token." in runner.invoke(args=["tokens", "list"]).output
    listed = runner.invoke(args=["tokens", "list", "--all"]).output
    assert "revoked" in listed and "ana@example.org" in listed
    again = runner.invoke(args=["tokens", "revoke", str(token_id)])
    assert again.exit_code == 0 and "already revoked" in again.output
    unknown = runner.invoke(args=["tokens", "revoke", "999999"])
    assert unknown.exit_code == 1 and "No token with id 999999." in unknown.output


def test_flask_help_describes_the_privacy_group(runner):
    result = runner.invoke(args=["--help"])
    line = next(line for line in result.output.splitlines() if line.strip().startswith("privacy"))
    assert "Personal data" in line
