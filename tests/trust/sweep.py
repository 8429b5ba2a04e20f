"""Helpers of the systematic sweeps: the personas' world, calling any rule, DB fingerprint."""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from app.auth import services as auth_services
from app.core.privacy_services import request_erasure
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.trust.access_matrix import DERIVED, SAMPLES, SIGNED_IN, Access, roles

DENIED_ANONYMOUS = (302, 401)
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class World:
    """Employee A (who owns things), employee B, an organiser, an agent and an admin."""

    app: object
    users: dict
    a_token_id: int
    a_erasure_id: int
    make: object
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


def build_world(make) -> World:
    """The personas and A's objects (a token, a pending erasure request)."""
    from flask import current_app

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
    return World(current_app._get_current_object(), users, token.id, erasure.id, make)


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


def url_for_rule(rule, world: World) -> str:
    """The rule's URL with sample values pointing at A's objects."""
    values = {}
    for name in rule.arguments:
        sample = SAMPLES.get(name)
        if sample is not None:
            values[name] = sample(world)
        elif rule._converters[name].__class__.__name__ in ("IntegerConverter", "NumberConverter"):
            values[name] = world.a.id
        else:
            values[name] = "x"
    _domain, path = rule.build(values, append_unknown=False)
    return path


def call(client, rule, method: str, world: World, *, with_csrf=True, persona=None, data=None):
    """Send `method` to the rule; state-changing calls carry the client's CSRF token."""
    url = url_for_rule(rule, world)
    if method not in STATE_CHANGING:
        return _buffered(client.open(url, method=method))
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


def database_fingerprint() -> str:
    """A digest of every row of every table: equal digests, nothing changed."""
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
        digest.update(b"|")
    return digest.hexdigest()
