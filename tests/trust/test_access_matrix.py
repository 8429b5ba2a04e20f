"""The access matrix: every endpoint × every persona, expectations declared once in
`access_matrix.py`. No unexpected 200, no 5xx, a refused request changes nothing."""

import pytest
from flask import current_app

from tests.trust.access_matrix import EXPECTATIONS, PERSONAS, Access
from tests.trust.sweep import (
    build_world,
    call,
    database_fingerprint,
    resolve,
    rules_for,
)


def test_every_endpoint_has_a_declared_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(EXPECTATIONS))
    assert not missing, (
        "These endpoints have no line in tests/trust/access_matrix.py EXPECTATIONS "
        f"(add e.g. '\"{missing[0]}\": DERIVED,'): {missing}"
    )
    stale = sorted(set(EXPECTATIONS) - endpoints)
    assert not stale, f"EXPECTATIONS names endpoints that no longer exist: {stale}"


def test_declared_expectations_agree_with_role_decorators(app):
    """A view guarded by @role_required must not be declared public or open to all."""
    wrong = []
    for endpoint, access in EXPECTATIONS.items():
        view = app.view_functions.get(endpoint)
        required = getattr(view, "required_roles", None)
        if required and access.kind in ("public", "signed_in"):
            wrong.append(endpoint)
        if required and access.kind == "roles" and set(access.roles) != set(required):
            wrong.append(endpoint)
    assert not wrong, f"declared access contradicts @role_required on: {wrong}"


def _allowed(access: Access, persona: str, user) -> bool:
    if access.kind == "public":
        return True
    if persona == "anonymous":
        return False
    if access.kind == "signed_in":
        return True
    if access.kind == "own":
        return persona == "employee_a"
    return user.has_role(*access.roles)


@pytest.mark.parametrize("endpoint", sorted(EXPECTATIONS))
def test_access_matrix(app, make, endpoint):
    world = build_world(make)
    access = resolve(endpoint, EXPECTATIONS[endpoint], current_app)
    problems = []
    for rule, method in rules_for(current_app, endpoint):
        for persona in PERSONAS:
            client, user = world.client(persona)
            before = database_fingerprint()
            response = call(client, rule, method, world)
            status = response.status_code
            where = f"{method} {rule.rule} as {persona}: {status}"
            if status >= 500:
                problems.append(f"server error on {where}")
            elif _allowed(access, persona, user):
                if status in (401, 403):
                    problems.append(f"refused although allowed: {where}")
            elif persona == "anonymous":
                location = response.headers.get("Location", "")
                if not (status == 401 or (status == 302 and "/auth/sign-in" in location)):
                    problems.append(f"anonymous got through: {where}")
            elif status not in (403, 404):
                problems.append(f"unexpected answer {where} (expected 403 or 404)")
            if not _allowed(access, persona, user) and database_fingerprint() != before:
                problems.append(f"refused request changed the database: {where}")
    assert not problems, "\n".join(problems)
