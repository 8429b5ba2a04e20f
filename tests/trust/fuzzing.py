"""What the form fuzz tests share: the budget, strategies for hostile input, the registry of
fuzzed forms (checked by `test_every_form_is_fuzzed.py`) and a fresh world per example."""

from collections import defaultdict

from flask import current_app
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from app.extensions import db, limiter
from tests.conftest import empty_all_tables
from tests.trust.sweep import World, build_world, database_fingerprint


def budget(examples: int) -> settings:
    """A fixed, reproducible budget: derandomised, no example database, no deadline."""
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


text = st.text(max_size=200)
maybe_text = st.one_of(st.none(), text)
number = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True).map(str),
)
numeric_text = st.one_of(st.none(), number, text)
date_text = st.one_of(
    st.none(),
    text,
    st.dates().map(str),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
)
checkbox = st.one_of(st.none(), st.sampled_from(["y", ""]), text)
# Field names a form does not declare, with anything in them: forms must ignore them.
extra_fields = st.dictionaries(
    st.text(min_size=1, max_size=20).filter(lambda name: name != "csrf_token"), text, max_size=3
)


def form(**fields) -> dict:
    """The form to POST, without the fields the example leaves out (None)."""
    return {name: value for name, value in fields.items() if value is not None}


# form class -> the tests that fuzz it through a real route
FUZZED_FORMS: dict[type, list[str]] = defaultdict(list)


def fuzzes(*form_classes):
    """Declare that the decorated test fuzzes these forms through their routes."""

    def register(test):
        for form_class in form_classes:
            FUZZED_FORMS[form_class].append(f"{test.__module__}.{test.__name__}")
        return test

    return register


def fresh_world(make) -> World:
    """The sweeps' world as it was built (personas, A's objects), for one example."""
    db.session.rollback()
    empty_all_tables()
    # Caches keyed by ids must not outlive rows that come back with the same ids.
    current_app.extensions.pop("cleanup.boards", None)
    limiter.reset()
    return build_world(make)


def flashed_errors(client) -> list[str]:
    """The error messages flashed to the client and not shown yet."""
    with client.session_transaction() as session:
        return [message for kind, message in session.get("_flashes", []) if kind == "error"]


def refused_or_flashed(response, client) -> bool:
    """Refused outright (400, e.g. a NUL character) or with an error flashed on the redirect."""
    return response.status_code == 400 or bool(flashed_errors(client))


def refusal_changed_nothing(response, before: str, refused: bool) -> None:
    """No 5xx; when the server refused the input, every row is as it was."""
    assert response.status_code < 500, response.status_code
    if refused:
        assert database_fingerprint() == before
