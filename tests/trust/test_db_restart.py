"""Fault: the PostgreSQL server stops and starts again while people use the portal.

A private PostgreSQL cluster (initdb in a temporary directory, its own port) serves a
portal running in a real HTTP server thread; signed-in clients read their profile and
create API tokens without pause while the server is stopped (`pg_ctl stop -m fast`) and
started again. The portal must answer the outage with its translated 503 page (never a
500), serve 200s again once the database is back without being restarted itself, and
keep every write it acknowledged.

It runs in the PostgreSQL run of the suite only (`EMPREINTE_TEST_DB=postgresql`): that is
the run whose claims are about PostgreSQL and which already needs a PostgreSQL
installation, while the SQLite run stays the quick loop that needs nothing installed.
Its own cluster keeps the run's test database out of the fault. Skipped when the
PostgreSQL server binaries are missing.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import ApiToken
from app.config import TestConfig
from app.extensions import db
from tests.conftest import CSRF_RE
from tests.databases import runs_on_postgresql, stamp_heads
from tests.factories import DEFAULT_PASSWORD, Factories

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
FRENCH_503 = "La base de données du portail est injoignable"

pytestmark = pytest.mark.skipif(
    not runs_on_postgresql(),
    reason="runs in the PostgreSQL run of the suite only (EMPREINTE_TEST_DB=postgresql)",
)


def _as_postgres(*command: str) -> list[str]:
    """The command run as the `postgres` user when the tests run as root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    """A throw-away PostgreSQL server: its data directory, port and pg_ctl wrapper."""

    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), *args),
            check=True,
            capture_output=True,
            timeout=30,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c fsync=off -c full_page_writes=off -c max_connections=30"
        )
        log = str(self.directory / "server.log")
        self.pg_ctl("-w", "-t", "20", "-o", options, "-l", log, "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-w", "-t", "20", "-m", mode, "stop")


@pytest.fixture
def cluster():
    """A private PostgreSQL cluster, always stopped and removed afterwards."""
    for binary in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / binary).exists():
            pytest.skip(f"PostgreSQL server binaries not found ({PG_BIN / binary}); set PG_BIN")
    directory = Path(tempfile.mkdtemp(prefix="empreinte-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, _free_port())
    try:
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "initdb"), "-D", str(directory / "data"), "-A", "trust",
                "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync",
            ),
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        cluster.start()
        yield cluster
    finally:
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "pg_ctl"), "-D", str(directory / "data"), "-m", "immediate", "stop"
            ),
            capture_output=True, timeout=30, check=False,
        )  # fmt: skip
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def portal(cluster):
    """The portal on the private cluster, served over HTTP in a thread; one signed-up person."""
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=cluster.url,
        WRITE_RATE_LIMIT="100000 per minute",  # the load is the point, not the limiter
    )
    with app.app_context():
        db.create_all()
        stamp_heads(db.engine)
        email = Factories().user().email
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}", email
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@dataclass
class Outcome:
    started: float
    ended: float
    kind: str  # "read" or "write"
    status: int  # -1: no HTTP answer at all
    token_name: str = ""
    body: str = ""


@dataclass
class Load:
    """Signed-in browsers that read the profile and create a token, over and over."""

    base: str
    email: str
    outcomes: list[Outcome] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def signed_in(self) -> tuple[requests.Session, str]:
        browser = requests.Session()
        browser.headers["Accept-Language"] = "fr"
        page = browser.get(f"{self.base}/auth/sign-in", timeout=10).text
        answer = browser.post(
            f"{self.base}/auth/sign-in",
            data={"email": self.email, "password": DEFAULT_PASSWORD, "csrf_token": _csrf(page)},
            timeout=10,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.status_code
        return browser, _csrf(browser.get(f"{self.base}/auth/profile", timeout=10).text)

    def run(self, worker: int, browser: requests.Session, csrf: str) -> None:
        for n in range(100_000):  # bounded; stops when told
            if self.stop.is_set():
                return
            self._one(browser, "read", f"{self.base}/auth/profile", None)
            name = f"load-{worker}-{n}"
            self._one(
                browser,
                "write",
                f"{self.base}/auth/profile/tokens",
                {"name": name, "csrf_token": csrf},
            )
            time.sleep(0.02)

    def _one(self, browser, kind: str, url: str, form: dict | None) -> None:
        started = time.monotonic()
        try:
            if form is None:
                answer = browser.get(url, timeout=10, allow_redirects=False)
            else:
                answer = browser.post(url, data=form, timeout=10, allow_redirects=False)
            status, body = answer.status_code, answer.text
        except requests.RequestException:
            status, body = -1, ""
        self.outcomes.append(
            Outcome(started, time.monotonic(), kind, status, (form or {}).get("name", ""), body)
        )

    def count(self, status: int, after: float = 0.0) -> int:
        return sum(1 for o in self.outcomes if o.status == status and o.started >= after)


def _csrf(page: str) -> str:
    return CSRF_RE.search(page).group(1)


def _wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_portal_answers_503_while_postgresql_restarts_then_recovers_losing_no_write(
    cluster, portal
):
    app, base, email = portal
    load = Load(base, email)
    browsers = [load.signed_in() for _ in range(3)]
    workers = [
        threading.Thread(target=load.run, args=(i, browser, csrf), daemon=True)
        for i, (browser, csrf) in enumerate(browsers)
    ]
    for worker in workers:
        worker.start()
    try:
        _wait_for(lambda: load.count(200) >= 20, 10)
        cluster.stop("fast")
        stopped = time.monotonic()
        time.sleep(2)  # the load keeps coming while the database is away
        restarting = time.monotonic()
        cluster.start()
        started = time.monotonic()
        _wait_for(lambda: load.count(200, after=started) >= 20, 10)
    finally:
        load.stop.set()
        for worker in workers:
            worker.join(timeout=15)

    statuses = {o.status for o in load.outcomes}
    # A page read answers 200; so does a token created (the page showing it once).
    assert statuses <= {200, 503}, f"unexpected answers: {sorted(statuses)}"
    during = [o for o in load.outcomes if o.started >= stopped and o.ended <= restarting]
    assert during and all(o.status == 503 for o in during)
    assert FRENCH_503 in during[0].body  # the 503 page, in the person's language
    recovered = [o for o in load.outcomes if o.started >= started]
    assert {o.kind for o in recovered if o.status == 200} == {"read", "write"}

    browser, _csrf = browsers[0]
    assert browser.get(f"{base}/auth/profile", timeout=10).status_code == 200
    assert requests.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
    acknowledged = {o.token_name for o in load.outcomes if o.kind == "write" and o.status == 200}
    with app.app_context():
        stored = set(db.session.scalars(select(ApiToken.name)))
        db.session.remove()
    assert acknowledged and acknowledged <= stored, sorted(acknowledged - stored)[:5]
