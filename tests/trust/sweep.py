"""Helpers of the systematic sweeps: the personas' world, calling any rule, DB fingerprint."""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from werkzeug.routing.converters import NumberConverter

from app.auth import services as auth_services
from app.auth.models import User
from app.core.privacy_services import request_erasure
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.snapshots import restore, take
from tests.trust.access_matrix import DERIVED, INPUTS, SAMPLES, SIGNED_IN, Access, roles

DENIED_ANONYMOUS = (302, 401)
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class World:
    """Employee A (who owns things), employee B, an organiser, an agent and an admin,
    and one object of each kind the URLs name (see `build_world`)."""

    app: object
    users: dict
    a_token_id: int
    a_erasure_id: int
    make: object
    ids: dict = field(default_factory=dict)
    _clients: dict = field(default_factory=dict)

    @property
    def a(self):
        return self.users["employee_a"]

    def client(self, persona: str):
        """(test client signed in as the persona, user) — cached for the test."""
        if persona not in self._clients:
            client = self.app.test_client()
            user = self.users.get(persona)
            if user is not None:
                login(client, user)
            self._clients[persona] = (client, user, csrf_token(client))
        client, user, _token = self._clients[persona]
        return client, user

    def token(self, persona: str) -> str:
        self.client(persona)
        return self._clients[persona][2]


# The world is built once per database through the services, then its rows are
# copied back before each test that asks for it (a few ms instead of ~0.5 s each).
_SNAPSHOTS: dict[str, tuple] = {}


def build_world(make) -> World:
    """The personas and A's objects (a token, a pending erasure request), and the
    domains' objects built through their own services (see `tests/trust/matrix_world.py`).

    The first call builds them; later calls on an empty database restore the same rows."""
    from flask import current_app

    app = current_app._get_current_object()
    key = str(db.engine.url)
    if key in _SNAPSHOTS and db.session.scalar(select(func.count(User.id))) == 0:
        rows, user_ids, token_id, erasure_id, ids = _SNAPSHOTS[key]
        restore(rows)
        users = {persona: db.session.get(User, user_id) for persona, user_id in user_ids.items()}
        return World(app, users, token_id, erasure_id, make, dict(ids))
    world = _build(app, make)
    _SNAPSHOTS[key] = (
        take(),
        {persona: user.id for persona, user in world.users.items()},
        world.a_token_id,
        world.a_erasure_id,
        dict(world.ids),
    )
    return world


def _build(app, make) -> World:
    from tests.trust.matrix_world import build_domain_objects

    users = {
        "employee_a": make.user(display_name="Alice Owner"),
        "employee_b": make.user(display_name="Bruno Other"),
        "organiser": make.user(roles=("organiser",)),
        "agent": make.user(roles=("agent",)),
        "admin": make.user(roles=("admin",)),
    }
    token, _raw = auth_services.create_api_token(users["employee_a"], "a-token")
    erasure = request_erasure(users["employee_a"], datetime(2026, 1, 1, tzinfo=UTC))
    db.session.commit()
    world = World(app, users, token.id, erasure.id, make)
    world.ids = build_domain_objects(users, make)
    return world


def resolve(endpoint: str, access: Access, app) -> Access:
    """DERIVED becomes the roles of @role_required, or 'signed in' without it."""
    if access != DERIVED:
        return access
    required = getattr(app.view_functions[endpoint], "required_roles", None)
    return roles(*required) if required else SIGNED_IN


def rules_for(app, endpoint: str):
    """(rule, method) pairs of an endpoint, HEAD and OPTIONS left out."""
    for rule in app.url_map.iter_rules(endpoint):
        for method in sorted(rule.methods - SKIPPED_METHODS):
            yield rule, method


def url_for_rule(rule, world: World, given: dict | None = None) -> str:
    """The rule's URL with sample values pointing at A's objects (`given` ones first).

    A SAMPLES key "endpoint:parameter" wins over the bare parameter name."""
    values = dict(given or {})
    for name in rule.arguments - values.keys():
        sample = SAMPLES.get(f"{rule.endpoint}:{name}") or SAMPLES.get(name)
        if sample is not None:
            values[name] = sample(world)
        elif isinstance(rule._converters[name], NumberConverter):
            values[name] = world.a.id
        else:
            values[name] = "x"
    _domain, path = rule.build(values, append_unknown=False)
    return path


def sample_input(endpoint: str, world: World) -> dict | None:
    """The valid input declared for the endpoint (form or query), None when none is."""
    build = INPUTS.get(endpoint)
    return build(world) if build else None


def call(
    client, rule, method: str, world: World, *, with_csrf=True, persona=None, data=None, values=None
):
    """Send `method` to the rule; state-changing calls carry the client's CSRF token.
    `data` is the query string of a GET and the form of the other methods; `values` URL
    parameters instead of the samples."""
    url = url_for_rule(rule, world, values)
    if method not in STATE_CHANGING:
        return _buffered(client.open(url, method=method, query_string=data or None))
    form = dict(data or {})
    if with_csrf:
        owner = persona or next(p for p, c in world._clients.items() if c[0] is client)
        form["csrf_token"] = world.token(owner)
    return _buffered(client.open(url, method=method, data=form))


def _buffered(response):
    """Read the body and close the response (static files hold an open file)."""
    response.get_data()
    response.close()
    return response


_FINGERPRINT_SQL: dict[str, list[tuple[str, str]]] = {}


def database_fingerprint(skip: tuple[str, ...] = ()) -> str:
    """A digest of every row of every table (but the `skip` ones): equal digests, nothing
    changed."""
    db.session.expire_all()
    if db.engine.dialect.name == "postgresql":
        return _fingerprint_in_one_statement(skip)
    if "sqlite" not in _FINGERPRINT_SQL:
        _FINGERPRINT_SQL["sqlite"] = [
            (table.name, str(select(table).order_by(*_row_order(table)).compile(db.engine)))
            for table in db.metadata.sorted_tables
        ]
    digest = hashlib.sha256()
    connection = db.session.connection()
    for name, sql in _FINGERPRINT_SQL["sqlite"]:
        if name in skip:
            continue
        for row in connection.exec_driver_sql(sql):
            digest.update(repr(tuple(row)).encode())
        digest.update(b"|")
    return digest.hexdigest()


def _row_order(table) -> list:
    return list(table.primary_key.columns) or list(table.columns)


def _fingerprint_in_one_statement(skip: tuple[str, ...]) -> str:
    """PostgreSQL digests each table's rows itself, every table in one statement: a
    round trip per table was most of the time of the sweeps that call this before and
    after each request."""
    tables = [table for table in db.metadata.sorted_tables if table.name not in skip]
    quote = db.engine.dialect.identifier_preparer.quote
    parts = []
    for table in tables:
        order = ", ".join(f"t.{quote(column.name)}" for column in _row_order(table))
        parts.append(
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY {order}), '')) "
            f"FROM {quote(table.name)} AS t)"
        )
    digests = db.session.connection().exec_driver_sql("SELECT " + ", ".join(parts)).one()
    return hashlib.sha256("|".join(digests).encode()).hexdigest()
