"""Every state-changing endpoint refuses a cookie-session request without a valid
CSRF token (400, nothing changed); no GET changes anything."""

import pytest
from flask import current_app

from tests.trust.access_matrix import EXPECTATIONS
from tests.trust.sweep import STATE_CHANGING, build_world, call, database_fingerprint, rules_for


def _persona(endpoint: str) -> str:
    """Someone allowed to call the endpoint: A for A's own objects, else the admin."""
    return "employee_a" if EXPECTATIONS[endpoint].kind == "own" else "admin"


def _endpoints_with(_methods: set[str]) -> list[str]:
    return sorted(EXPECTATIONS)  # filtered per rule at run time: the app is not built yet


@pytest.mark.parametrize("endpoint", _endpoints_with(STATE_CHANGING))
def test_state_changing_request_without_csrf_token_is_refused(app, make, endpoint):
    world = build_world(make)
    persona = _persona(endpoint)
    client, _user = world.client(persona)
    for rule, method in rules_for(current_app, endpoint):
        if method not in STATE_CHANGING:
            continue
        for bad in (None, "not-a-valid-token"):
            before = database_fingerprint()
            data = {"csrf_token": bad} if bad else {}
            response = call(client, rule, method, world, with_csrf=False, data=data)
            assert response.status_code == 400, f"{method} {rule.rule}: {response.status_code}"
            assert database_fingerprint() == before, f"{method} {rule.rule} changed the database"


@pytest.mark.parametrize("endpoint", sorted(EXPECTATIONS))
def test_get_changes_nothing(app, make, endpoint):
    world = build_world(make)
    for persona in ("employee_a", "admin"):
        client, _user = world.client(persona)
        for rule, method in rules_for(current_app, endpoint):
            if method != "GET":
                continue
            before = database_fingerprint()
            response = call(client, rule, method, world)
            assert response.status_code < 500
            assert database_fingerprint() == before, f"GET {rule.rule} as {persona} changed data"


def test_bearer_token_calls_need_no_csrf_but_a_valid_token(client, make, token_for):
    """A bearer request is exempt from CSRF; a wrong token is refused before anything runs."""
    user = make.user()
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
    good = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token_for(user)}"})
    assert good.status_code == 200
