"""Role checks enforced on the server by the role_required decorator."""

import pytest
from flask import Flask

from app.auth.decorators import role_required
from tests.conftest import login


@pytest.fixture
def guarded_app(make_app) -> Flask:
    """A second app on the same database with one organiser-only and one agent-only view."""
    guarded = make_app()

    @guarded.get("/organisers-only")
    @role_required("organiser")
    def organisers_only():
        return "campaign tools"

    @guarded.get("/agents-only")
    @role_required("agent")
    def agents_only():
        return "custody tools"

    return guarded


@pytest.mark.parametrize(
    ("roles", "path", "status"),
    [
        (("employee",), "/organisers-only", 403),
        (("organiser",), "/organisers-only", 200),
        (("agent",), "/organisers-only", 403),
        (("admin",), "/organisers-only", 200),
        (("agent",), "/agents-only", 200),
        (("organiser",), "/agents-only", 403),
        (("admin",), "/agents-only", 200),
    ],
)
def test_role_required(guarded_app, make, roles, path, status):
    client = guarded_app.test_client()
    login(client, make.user(roles=roles))
    assert client.get(path).status_code == status


def test_role_required_sends_anonymous_visitors_to_sign_in(guarded_app):
    response = guarded_app.test_client().get("/organisers-only")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


def test_forbidden_page_is_translated_and_shows_no_internals(guarded_app, make):
    client = guarded_app.test_client()
    login(client, make.user())
    body = client.get("/organisers-only").get_data(as_text=True)
    assert "Vous n&#39;avez pas accès à cette page." in body


def test_server_error_page_leaks_no_traceback(make_app):
    broken = make_app()

    @broken.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    @broken.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("secret internal detail")

    client = broken.test_client()
    page = client.get("/boom")
    assert page.status_code == 500
    assert "secret internal detail" not in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.json["error"]["code"] == "server_error"


def test_the_signed_in_persons_roles_follow_a_change_in_the_same_request(make_app, make):
    """The loader reads the roles as one text with the person; a role granted or revoked
    during the request (an admin changing their own roles) shows in `roles` at once."""
    from app.core.admin_services import set_role
    from app.core.time import utcnow

    other = make_app()

    @other.get("/grant-then-revoke")
    def grant_then_revoke():
        from flask_login import current_user

        person = current_user._get_current_object()
        seen = [sorted(person.roles)]
        set_role(person, person, "organiser", True, utcnow())
        seen.append(sorted(person.roles))
        set_role(person, person, "agent", True, utcnow())
        set_role(person, person, "organiser", False, utcnow())
        seen.append(sorted(person.roles))
        return {"seen": seen}

    client = other.test_client()
    login(client, make.user(roles=("admin",)))
    assert client.get("/grant-then-revoke").get_json()["seen"] == [
        ["admin", "employee"],
        ["admin", "employee", "organiser"],
        ["admin", "agent", "employee"],
    ]
