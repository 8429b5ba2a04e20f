"""schemathesis over /api/v1/openapi.json, in-process through the WSGI app, with a
bearer token: no 5xx, and every response matches the documented schema.

The budget is fixed and derandomised so that `make test` is deterministic and bounded.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.auth import services as auth_services
from app.extensions import db


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def admin_bearer(make):
    """One admin token per operation: a user per example exhausted the factories'
    commune codes (hundreds of examples per operation) and broke the session."""
    user = make.user(roles=("admin",))
    _token, raw = auth_services.create_api_token(user, "fuzz")
    db.session.commit()
    return raw


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, admin_bearer):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_bearer}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
