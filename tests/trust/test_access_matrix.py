"""The access matrix: every endpoint × every persona, expectations declared once in
`access_matrix.py`. No unexpected 200, no 5xx, a refused request changes nothing."""

import pytest
from flask import current_app

from app.auth.models import User
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.trust.access_matrix import ALSO, EXPECTATIONS, PERSONAS, Access
from tests.trust.sweep import (
    SKIPPED_METHODS,
    build_world,
    call,
    database_fingerprint,
    resolve,
    rules_for,
    sample_input,
    url_for_rule,
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
    if access.kind == "only":
        return persona in access.personas
    if access.kind == "signed_in":
        return True
    if access.kind == "own":
        return persona == "employee_a"
    return user.has_role(*access.roles)


@pytest.mark.parametrize("endpoint", sorted(EXPECTATIONS))
def test_access_matrix(app, make, endpoint):
    """Each persona calls each method of the endpoint with empty input, then (when
    INPUTS declares one) with a valid form or query naming A's objects; then the ALSO
    objects, each with its own input."""
    world = build_world(make)
    access = resolve(endpoint, EXPECTATIONS[endpoint], current_app)
    inputs = [(None, None)] + [(None, d) for d in [sample_input(endpoint, world)] if d is not None]
    inputs += ALSO[endpoint](world) if endpoint in ALSO else []
    problems = []
    for rule, method in rules_for(current_app, endpoint):
        for values, data in inputs:
            for persona in PERSONAS:
                client, user = world.client(persona)
                refused = not _allowed(access, persona, user)
                before = database_fingerprint() if refused else None
                response = call(client, rule, method, world, data=data, values=values)
                status = response.status_code
                given = (f" at {values}" if values else "") + (" with sample input" if data else "")
                where = f"{method} {rule.rule}{given} as {persona}: {status}"
                if status >= 500:
                    problems.append(f"server error on {where}")
                elif not refused:
                    if status in (401, 403):
                        problems.append(f"refused although allowed: {where}")
                elif persona == "anonymous":
                    location = response.headers.get("Location", "")
                    if not (status == 401 or (status == 302 and "/auth/sign-in" in location)):
                        problems.append(f"anonymous got through: {where}")
                elif status not in (403, 404):
                    problems.append(f"unexpected answer {where} (expected 403 or 404)")
                if refused and database_fingerprint() != before:
                    problems.append(f"refused request changed the database: {where}")
    assert not problems, "\n".join(problems)


def _outsider(world):
    """A test client signed in as the agent of another collection point."""
    outsider = db.session.get(User, world.ids["outsider_agent"])
    client = current_app.test_client()
    login(client, outsider)
    world._clients["outsider"] = (client, outsider, csrf_token(client))
    return client


def test_agents_see_only_their_points_returns(app, make):
    """An agent of another point gets 404 on every URL naming A's return, and changes
    nothing, even with a valid form."""
    world = build_world(make)
    client = _outsider(world)
    checked = []
    for rule in current_app.url_map.iter_rules():
        if not {"receipt", "receipt_number"} & set(rule.arguments):
            continue
        data = sample_input(rule.endpoint, world)
        for method in sorted(rule.methods - SKIPPED_METHODS):
            before = database_fingerprint()
            response = call(client, rule, method, world, persona="outsider", data=data)
            assert response.status_code == 404, f"{method} {rule.rule}: {response.status_code}"
            assert database_fingerprint() == before, f"{method} {rule.rule} changed the database"
            checked.append(rule.endpoint)
    assert len(set(checked)) >= 6, checked


def test_no_page_shows_a_records_to_b_or_to_another_points_agent(app, make):
    """Every GET (empty and sample query) as B and as an agent of another point: A's
    e-mail, name, request note, asset tag and receipt numbers appear nowhere (A is
    listed under a pseudonym by default)."""
    world = build_world(make)
    markers = [
        world.a.email,
        world.a.display_name,
        "A-PRIVATE-NOTE",
        "TRUST-A-",
        world.ids["receipt"],
        world.ids["received_receipt"],
        world.ids["unwiped_receipt"],
    ]
    clients = {"employee_b": world.client("employee_b")[0], "outsider": _outsider(world)}
    leaks = []
    for endpoint in sorted(EXPECTATIONS):
        query = sample_input(endpoint, world)
        for rule, method in rules_for(current_app, endpoint):
            if method != "GET":
                continue
            for persona, client in clients.items():
                for data in (None, query) if query else (None,):
                    body = call(client, rule, method, world, data=data).get_data(as_text=True)
                    asked = url_for_rule(rule, world) + repr(data)  # echoing the URL is no leak
                    found = [m for m in markers if m in body and m not in asked]
                    if found:
                        leaks.append(f"GET {rule.rule} as {persona} shows {found}")
    assert not leaks, "\n".join(leaks)
