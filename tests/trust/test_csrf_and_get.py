"""Every state-changing endpoint refuses a cookie-session request without a valid
CSRF token (400, nothing changed); no GET changes anything."""

import itertools

import pytest
from flask import current_app
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from app.core.audit import AuditEvent
from app.extensions import db
from tests.trust.access_matrix import EXPECTATIONS
from tests.trust.sweep import (
    STATE_CHANGING,
    build_world,
    call,
    database_fingerprint,
    rules_for,
    sample_input,
)


def _persona(endpoint: str) -> str:
    """Someone allowed to call the endpoint: A for A's own objects, else the admin."""
    access = EXPECTATIONS[endpoint]
    if access.kind == "only":
        return access.personas[0]
    return "employee_a" if access.kind == "own" else "admin"


def _endpoints_with(_methods: set[str]) -> list[str]:
    return sorted(EXPECTATIONS)  # filtered per rule at run time: the app is not built yet


@pytest.mark.parametrize("endpoint", _endpoints_with(STATE_CHANGING))
def test_state_changing_request_without_csrf_token_is_refused(app, make, endpoint):
    world = build_world(make)
    persona = _persona(endpoint)
    client, _user = world.client(persona)
    form = sample_input(endpoint, world) or {}
    for rule, method in rules_for(current_app, endpoint):
        if method not in STATE_CHANGING:
            continue
        for bad in (None, "not-a-valid-token"):
            before = database_fingerprint()
            # The valid form (when declared) without its token: refused all the same.
            data = {**form, "csrf_token": bad} if bad else dict(form)
            response = call(client, rule, method, world, with_csrf=False, data=data)
            assert response.status_code == 400, f"{method} {rule.rule}: {response.status_code}"
            assert database_fingerprint() == before, f"{method} {rule.rule} changed the database"


@pytest.mark.parametrize("endpoint", sorted(EXPECTATIONS))
def test_get_changes_nothing(app, make, endpoint):
    world = build_world(make)
    query = sample_input(endpoint, world)
    for persona in ("employee_a", "organiser", "agent", "admin"):
        client, _user = world.client(persona)
        for rule, method in rules_for(current_app, endpoint):
            if method != "GET":
                continue
            for data in (None, query) if query else (None,):
                skip = ("audit_event",) if endpoint in AUDITED_READS else ()
                before, events_before = database_fingerprint(skip), _other_events(endpoint)
                response = call(client, rule, method, world, data=data)
                assert response.status_code < 500
                assert database_fingerprint(skip) == before, (
                    f"GET {rule.rule} as {persona} changed data"
                )
                assert _other_events(endpoint) == events_before, (
                    f"GET {rule.rule} as {persona} audited more than its read"
                )


# Reads of personal data the audit log records (the privacy notice says so): their GET
# adds that event, and changes nothing else.
AUDITED_READS = {"admin.person": "view_person", "admin.audit_log_csv": "download_audit_log"}


def _other_events(endpoint: str) -> list:
    """The audit events but the endpoint's own read."""
    read = AUDITED_READS.get(endpoint)
    statement = select(AuditEvent.id).where(AuditEvent.action != read).order_by(AuditEvent.id)
    return list(db.session.scalars(statement))


def test_urls_naming_missing_objects_answer_404_not_500(app, make):
    """Every integer id in a URL replaced by one that does not (or cannot) exist: 404,
    nothing changed, on SQLite and on PostgreSQL."""
    world = build_world(make)
    problems, checked = [], set()
    for endpoint in sorted(EXPECTATIONS):
        for rule, method in rules_for(current_app, endpoint):
            names = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
            if not names:
                continue
            checked.add(endpoint)
            # The largest id an INTEGER column holds, and one PostgreSQL cannot even compare.
            urls = [rule.build(dict.fromkeys(names, n))[1] for n in (2**31 - 1, 2**40)]
            for url, persona in itertools.product(urls, ("employee_a", "admin")):
                client, _user = world.client(persona)
                before = database_fingerprint()
                data = {"csrf_token": world.token(persona)} if method in STATE_CHANGING else None
                response = client.open(url, method=method, data=data)
                response.close()
                if response.status_code != 404 and not (
                    persona == "employee_a" and response.status_code == 403
                ):
                    problems.append(f"{method} {url} as {persona}: {response.status_code}")
                if database_fingerprint() != before:
                    problems.append(f"{method} {url} as {persona} changed the database")
    assert not problems, "\n".join(problems)
    assert len(checked) > 40, checked


def test_bearer_token_calls_need_no_csrf_but_a_valid_token(client, make, token_for):
    """A bearer request is exempt from CSRF; a wrong token is refused before anything runs."""
    user = make.user()
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
    good = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token_for(user)}"})
    assert good.status_code == 200


OUT_OF_RANGE = str(2**40)


def _ids_in_queries_and_forms(world) -> list[tuple[str, str, dict]]:
    """Every query or form field that names a row by id, given one out of range."""
    template = str(world.ids["template"])
    return [
        ("GET", "/catalogue/compare", {"ids": [OUT_OF_RANGE, OUT_OF_RANGE]}),
        ("GET", "/recycling/returns/new", {"point": OUT_OF_RANGE}),
        ("GET", "/messaging/schedule", {"template": OUT_OF_RANGE}),
        (
            "GET",
            "/messaging/audience-size",
            {"audience": "department", "department_id": OUT_OF_RANGE},
        ),
        ("GET", "/messaging/audience-size", {"audience": "commune", "commune_id": OUT_OF_RANGE}),
        (
            "GET",
            "/messaging/audience-size",
            {"audience": "campaign-participants", "campaign_id": OUT_OF_RANGE},
        ),
        (
            "POST",
            "/recycling/returns/new",
            {"collection_point_id": OUT_OF_RANGE, "device_type": "monitor", "condition": "working"},
        ),
        (
            "POST",
            "/api/v1/device-returns",
            {"collection_point_id": OUT_OF_RANGE, "device_type": "monitor", "condition": "working"},
        ),
        (
            "POST",
            "/messaging/schedule",
            {
                "template": template,
                "audience": "department",
                "department_id": OUT_OF_RANGE,
                "kind": "now",
            },
        ),
        (
            "POST",
            "/messaging/schedule",
            {
                "template": template,
                "audience": "commune",
                "commune_id": OUT_OF_RANGE,
                "kind": "now",
            },
        ),
        (
            "POST",
            "/catalogue/admin/budgets",
            {"department_id": OUT_OF_RANGE, "year": "2026", "budget_kgco2e": "5"},
        ),
    ]


def test_ids_out_of_range_in_queries_and_forms_are_refused_not_500(app, make):
    """PostgreSQL cannot compare an INTEGER column with 2**40: such ids are refused
    (404, 400 or 422, or a page without the object), never a 500, nothing changed."""
    world = build_world(make)
    client, _user = world.client("admin")
    problems = []
    for method, url, data in _ids_in_queries_and_forms(world):
        before = database_fingerprint()
        if method == "GET":
            response = client.get(url, query_string=data)
        else:
            response = client.post(url, data={**data, "csrf_token": world.token("admin")})
        response.close()
        if response.status_code >= 500:
            problems.append(f"{method} {url} {data}: {response.status_code}")
        if database_fingerprint() != before:
            problems.append(f"{method} {url} {data} changed the database")
    assert not problems, "\n".join(problems)
