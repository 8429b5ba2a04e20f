"""Shared fixtures: one real database per test session (SQLite file or PostgreSQL),
emptied after every test; a test client; factories; a live server for the browser.

Set EMPREINTE_TEST_DB=postgresql (and TEST_DATABASE_URL) to run on PostgreSQL: the run
creates a database of its own on that server and drops it at the end.
"""

import gc
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import User
from app.config import TestConfig
from app.core.time import utcnow
from app.extensions import cache, db, limiter
from tests.databases import fresh_postgresql_database, runs_on_postgresql, stamp_heads
from tests.factories import Factories


@contextmanager
def session_database_url(tmp_path_factory) -> Iterator[str]:
    """A SQLite file, or on PostgreSQL a database created for this run only."""
    if not runs_on_postgresql():
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    if not os.environ.get("TEST_DATABASE_URL"):
        raise pytest.UsageError("EMPREINTE_TEST_DB=postgresql needs TEST_DATABASE_URL")
    with fresh_postgresql_database("empreinte_test") as url:
        yield url


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Without this, requests would share the test's app context: `g` (and so the
    signed-in user) and the database session would leak from one request to
    the next. After each request the test's own session is expired so that
    what the test reads next comes fresh from the database.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        assert_no_escaped_markup(response)
        return response


# Our own tags shown as text: a fragment rendered to a plain string (not Markup) and then
# escaped by the template around it. People's input never holds these in the tests.
ESCAPED_MARKUP = re.compile(
    r"&lt;/?(h[1-6]|ul|ol|li|p|div|section|form|label|input|select|span|table|tr|td|th|a)[ &]"
)


def assert_no_escaped_markup(response) -> None:
    """Every HTML answer of every test: no page or fragment shows our markup as text."""
    if response.mimetype != "text/html" or response.is_streamed:
        return
    body = response.get_data(as_text=True)
    found = ESCAPED_MARKUP.search(body)
    assert found is None, f"escaped markup in the answer: {body[found.start() - 80 :][:200]!r}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with session_database_url(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url):
    """The application on a fresh schema, shared by the whole session."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        stamp_heads(db.engine)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def empty_all_tables() -> None:
    """Delete every row, keeping the schema: much faster than recreating it.

    DELETE rather than TRUNCATE on PostgreSQL too: TRUNCATE rewrites every table's
    files even when empty, which costs about a second per test with 40 tables.
    """
    quoted = db.engine.dialect.identifier_preparer.quote
    deletes = [f"DELETE FROM {quoted(table.name)}" for table in reversed(db.metadata.sorted_tables)]
    connection = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        # One round trip for every table: statement by statement, the round trips cost
        # about 15 ms per test there (a minute over the suite).
        connection.exec_driver_sql("; ".join(deletes))
    else:
        # Plain SQL to the driver: through SQLAlchemy's statements, each table's DELETE
        # cost a cache-key lookup and a result set (a few milliseconds per test).
        cursor = connection.connection.dbapi_connection.cursor()
        for delete in deletes:
            cursor.execute(delete)
        cursor.close()
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Each test runs in an app context and leaves an empty database behind."""
    with app.app_context():
        yield
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
    limiter.reset()
    app.extensions.pop("empreinte.openapi", None)
    # Emptied tables give their ids again: a cached scoreboard must not outlive its rows.
    app.extensions.pop("cleanup.boards", None)
    cache.clear()  # rendered fragments, likewise


@pytest.fixture
def make_app(app):
    """Build another app on the same database (e.g. with test-only views); disposed after."""
    built = []

    def build(config_class=TestConfig, **overrides):
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", app.config["SQLALCHEMY_DATABASE_URI"])
        other = create_app(config_class, **overrides)
        other.test_client_class = IsolatedClient
        built.append(other)
        return other

    yield build
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app) -> Factories:
    """Factories: make.user(roles=("organiser",)), make.department(), …"""
    return Factories()


CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client) -> str:
    """A valid CSRF token for this client's session, read from a real page."""
    response = client.get("/privacy")
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "no CSRF token on /privacy"
    return match.group(1)


class Auth:
    """Sign a test client in and out through the real form."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, user_or_email, password="correct horse battery"):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post(
            "/auth/sign-in",
            data={"email": email, "password": password, "csrf_token": csrf_token(self.client)},
        )

    def sign_out(self):
        return self.client.post("/auth/sign-out", data={"csrf_token": csrf_token(self.client)})

    def post(self, url, data=None, **kwargs):
        """POST a form with a valid CSRF token."""
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(self.client))
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


def login(client, user) -> None:
    """Open a session for `user` directly (fast path for tests not about sign-in)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def pytest_configure(config):
    """The cyclic garbage collector at longer intervals, in the test process only: each
    test builds thousands of ORM and request objects, and the default thresholds ran a
    collection every 700 of them (a tenth to a sixth of the suite's time)."""
    gc.set_threshold(100_000, 50, 100)


def pytest_collection_modifyitems(items):
    """A test that drives the browser is a browser test, marked or not: the PostgreSQL
    run leaves those to SQLite but each domain's journey (`make test`)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "browser"
        ):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over HTTP on a free loopback port, for the browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright. A missing browser fails, it is not skipped."""
    import shutil

    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not executable:
        pytest.fail("Debian's chromium is missing: run 'make browser' (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# WCAG 1.4.12's text spacing, as a reader's bookmarklet or extension injects it.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


@pytest.fixture
def spaced_page(browser, live_server):
    """A French tab at 320 px that lets a style sheet be injected (`TEXT_SPACING`), as a
    reader's bookmarklet or extension does (the portal's CSP refuses an inline one
    otherwise)."""
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR",
        viewport={"width": 320, "height": 640},
        bypass_csp=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the live server."""
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Assertions wait as long as actions do: on a busy shared machine an htmx swap can take
    # more than expect()'s default 5 s, and a real failure still fails after 10 s.
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    # Whatever a test does, the portal's own pages and scripts break no rule of its
    # Content Security Policy (an inline style, an eval): the browser logs each one.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not refused, refused


def browser_sign_in(page, user_or_email) -> None:
    """Open a session for the person in chromium and land on home, as signing in does.

    The session cookie is the one the test client's `login` makes: the form itself is
    driven in `tests/auth/test_browser.py`, and going through it again cost half a second
    in each browser test.
    """
    user = user_or_email
    if isinstance(user, str):
        user = db.session.scalar(select(User).where(User.email == user.lower()))
    client = current_app.test_client()
    login(client, user)
    cookie = client.get_cookie(current_app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "domain": "127.0.0.1", "path": "/"}]
    )
    page.goto("/")


def confirm_receipt_in_a_browser(browser, live_server, agent, receipt: str) -> None:
    """The point's agent, in a browser of their own, confirms receipt of the return at the
    desk (the real button, in French), while the test's own page stays as it is."""
    agent_context = browser.new_context(base_url=live_server, locale="fr-FR")
    try:
        agent_page = agent_context.new_page()
        agent_page.set_default_timeout(10_000)
        browser_sign_in(agent_page, agent)
        agent_page.goto("/recycling/agent")
        agent_page.locator(f"#return-{receipt}").get_by_role(
            "button", name="Confirmer la réception"
        ).click()
        agent_page.wait_for_selector(f"#return-{receipt} [data-announce]")
    finally:
        agent_context.close()


def shown(page, text: str):
    """Where the page shows `text`, leaving out its copy in the #announcer live region.

    An htmx swap marked data-announce is copied into #announcer a moment later, so a bare
    get_by_text() may match one element or two depending on timing.
    """
    return page.locator("main").get_by_text(text).and_(page.locator(":not(#announcer)"))


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database of the kind the suite runs on."""
    if not runs_on_postgresql():
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    with fresh_postgresql_database("empreinte_migrations") as url:
        yield url


# The API's write limit (tests/core/test_api_write_limit.py, tests/trust/test_api_shared_limit.py).
@pytest.fixture
def limited(make_app):
    """A client of an app allowing two writes a minute per person and route."""
    return make_app(WRITE_RATE_LIMIT="2 per minute").test_client()


@pytest.fixture
def actions(make) -> str:
    """The API address to log actions in a campaign running since yesterday."""
    from tests.cleanup.conftest import build_campaign  # it imports this module

    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5)
    )
    return f"/api/v1/campaigns/{campaign.id}/actions"
