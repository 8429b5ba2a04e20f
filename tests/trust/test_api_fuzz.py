"""schemathesis over /api/v1/openapi.json, in-process through the WSGI app, with a
bearer token: no 5xx, every response (errors included) matches the documented
schema, invalid input is refused with a 4xx, and a refused request changes nothing.

The budget is fixed and derandomised so that `make test` is deterministic and bounded.
Positive and negative cases are both generated (schemathesis' default modes).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from app.auth import services as auth_services
from app.auth.models import TokenScope
from app.core.time import utcnow
from app.extensions import db
from tests.trust.world import add_activity, build_world, send_message


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def bearer(make):
    """Data in every domain (so ids 1, 2, … exist) and one admin token, built once per
    operation: hypothesis runs the body once per example, and rows built per example
    would pile up (and collide) inside a single test."""
    world = build_world(make, utcnow())
    add_activity(world, world.admin, "fuzz")
    send_message(world)
    _token, raw = auth_services.create_api_token(world.admin, "fuzz", scope=TokenScope.READ_WRITE)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def row_counts() -> dict[str, int]:
    """Rows per table, in one statement (two per example, a query per table was most of
    the fuzz's time on PostgreSQL)."""
    tables = db.metadata.sorted_tables
    counts = db.session.execute(
        select(*(select(func.count()).select_from(t).scalar_subquery() for t in tables))
    ).one()
    return dict(zip((table.name for table in tables), counts, strict=True))


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, bearer):
    before = row_counts()
    response = case.call_and_validate(
        headers=bearer,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ],
    )
    db.session.expire_all()
    if response.status_code >= 400:
        assert row_counts() == before, f"{case.method} {case.path} refused but changed rows"
