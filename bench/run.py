"""`make bench`: the portal under gunicorn, measured with wrk, page by page.

1. A fresh database: a SQLite file in a temporary folder, or, when DATABASE_URL
   is set, a scratch PostgreSQL database `<name>_bench` on the same server.
2. The Bordeaux-scale demo (`flask demo seed`), timed.
3. gunicorn (one worker per core plus one) on a port of its own (BENCH_PORT, 5077).
4. A demo account signs in through the real form (CSRF token included).
5. wrk, 32 connections, BENCH_SECONDS each: the baseline, then every page of
   bench/pages.py; then the workers' peak memory, the mixed load scenario of
   bench/load.py (BENCH_LOAD=0 skips it), then bench/messaging.py if present.
   BENCH_PAGES=log_action,inbox measures those pages only (no load, no dispatch).

Prints one JSON object per line; `"name": "targets"` comes first.
"""

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import BASELINE, Page, bench_pages  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "5077"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
# The baseline again, this long, just before each page (0: not at all); see nearby_baseline_rps.
NEARBY_SECONDS = int(os.environ.get("BENCH_NEARBY_SECONDS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str((os.cpu_count() or 1) + 1)))
# The people who send the writes marked `many_people` (bench/pages.py), one request each in turn.
WRITERS = int(os.environ.get("BENCH_WRITERS", str(CONNECTIONS)))
TARGETS = {
    "name": "targets",
    "min_ratio_to_baseline": 0.2,
    "max_p95_ms": 30,
    "max_errors": 0,
    "connections": CONNECTIONS,
    "max_seed_seconds": 30,
    "max_dispatch_seconds": 60,
}
CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
BIN = Path(sys.executable).parent


EMITTED: list[dict] = []


def emit(record: dict) -> None:
    """One JSON line on stdout, flushed at once so progress shows."""
    EMITTED.append(record)
    print(json.dumps(record, ensure_ascii=False), flush=True)


def verdict(records: list[dict]) -> dict:
    """The last line: each target, met or missed, and by which measures.

    The throughput and p95 targets are judged on the key pages and actions; the other
    pages measured (home, profile, the campaign page…) are listed apart when below.
    """
    measured = [r for r in records if "ratio_to_baseline" in r and r["name"] != "baseline"]
    pages = [r for r in measured if r.get("key")]
    found = {r["name"]: r for r in records}
    missed = {
        "min_ratio_to_baseline": [
            r["name"] for r in pages if r["ratio_to_baseline"] < TARGETS["min_ratio_to_baseline"]
        ],
        "max_p95_ms": [r["name"] for r in pages if r["p95_ms"] > TARGETS["max_p95_ms"]],
        "max_errors": [r["name"] for r in records if r.get("errors")],
        "max_seed_seconds": [
            "seed" for r in [found.get("seed")] if r and r["seconds"] > TARGETS["max_seed_seconds"]
        ],
        "max_dispatch_seconds": [
            "dispatch"
            for r in [found.get("dispatch")]
            if r and r["seconds"] > TARGETS["max_dispatch_seconds"]
        ],
    }
    return {
        "name": "verdict",
        "met": [target for target, names in missed.items() if not names],
        "missed": {target: names for target, names in missed.items() if names},
        "other_pages_below_ratio": [
            r["name"]
            for r in measured
            if not r.get("key") and r["ratio_to_baseline"] < TARGETS["min_ratio_to_baseline"]
        ],
        # What the framework alone reaches at the same concurrency, for the p95 target.
        "baseline_p95_ms": found.get("baseline", {}).get("p95_ms"),
    }


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


# -- the database -----------------------------------------------------------------------


def scratch_postgres(url: str) -> tuple[str, Callable]:
    """Create `<db>_bench` next to the database in `url`; return its URL and a dropper."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = (parts.path.lstrip("/") or "empreinte") + "_bench"
    admin = urllib.parse.urlunsplit(
        (parts.scheme.replace("+psycopg", ""), parts.netloc, "/postgres", "", "")
    )

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    scratch = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    return scratch, lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_database(workdir: Path) -> tuple[str, Callable]:
    """A fresh empty database URL and a function that removes it afterwards."""
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith(("postgres://", "postgresql")):
        return scratch_postgres(url)
    return f"sqlite:///{workdir / 'bench.db'}", lambda: None


def flask(env: dict, *args: str) -> None:
    subprocess.run(
        [str(BIN / "flask"), "--app", "app:create_app", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


# -- the server ----------------------------------------------------------------------------


def start_gunicorn(env: dict) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2).read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited before answering") from None
            time.sleep(0.3)
    stop(server)
    raise SystemExit(f"gunicorn did not answer on port {PORT} within 30 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the peak resident memory of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- a signed-in client ------------------------------------------------------------------------


class Session:
    """A cookie jar signed in as one demo account, with a CSRF token of its session."""

    def __init__(self, base: str, email: str | None, password: str = "demo"):  # noqa: S107
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        self.csrf = ""
        if email:
            token = self.token_from("/auth/sign-in")
            status, _ = self.request(
                "POST",
                "/auth/sign-in",
                {"email": email, "password": password, "csrf_token": token},
            )
            if status != 302:
                raise SystemExit(f"signing in as {email} failed with HTTP {status}")
        self.csrf = self.token_from("/privacy")

    def token_from(self, path: str) -> str:
        _status, body = self.request("GET", path)
        match = CSRF_RE.search(body)
        if not match:
            raise SystemExit(f"no CSRF token on {path}")
        return match.group(1)

    def request(self, method, path, form=None, headers=None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(  # noqa: S310 - always http://127.0.0.1
            self.base + path, data=data, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# -- wrk ------------------------------------------------------------------------------------

LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d, \\"errors\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


LUA_PEOPLE = """
local turn = 0
request = function()
  turn = turn % #PEOPLE + 1
  wrk.headers["Cookie"] = PEOPLE[turn][1]
  wrk.headers["X-CSRFToken"] = PEOPLE[turn][2]
  return wrk.format()
end
"""


def wrk_script(method: str, headers: dict, body: str | None, people=()) -> str:
    """The Lua script of one page; with `people` (sessions), each request is the next one's."""
    lines = [f"wrk.method = {lua_string(method)}"]
    lines += [f"wrk.headers[ {lua_string(k)} ] = {lua_string(v)}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"wrk.body = {lua_string(body)}")
    if people:
        pairs = ", ".join(
            f"{{{lua_string(p.cookie_header())}, {lua_string(p.csrf)}}}" for p in people
        )
        lines += [f"PEOPLE = {{{pairs}}}", LUA_PEOPLE]
    return "\n".join(lines) + "\n" + LUA_DONE


def run_wrk(url: str, script: Path, seconds: int) -> dict:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("WRK "))
    return json.loads(line[4:])


def nearby_baseline_rps(workdir: Path) -> float:
    """The baseline's throughput measured again just before a page.

    This machine's speed drifts over the minutes a run takes (a shared VM): a page's
    ratio to the first baseline moves with that drift, its ratio to the baseline
    measured seconds before it much less. `ratio_to_baseline` stays the measure the
    targets judge; `ratio_to_nearby_baseline` tells a change from the machine's mood.
    """
    script = workdir / f"{BASELINE.name}.lua"  # written when the first baseline ran
    result = run_wrk(f"http://127.0.0.1:{PORT}{BASELINE.path}", script, NEARBY_SECONDS)
    return result["requests"] / (result["duration_us"] / 1e6)


def measure(
    page: Page, session: Session, params: dict, workdir: Path, baseline_rps, people=()
) -> dict:
    """Check one correct answer, warm up, then measure with wrk; return the JSON line.

    With `people` (signed-in sessions) each request is sent as the next of them, its
    CSRF token in the X-CSRFToken header; else every request as `session`.
    """
    path = page.path.format(**params)
    form = {k: str(v).format(**params) for k, v in (page.form or {}).items()}
    headers = dict(page.headers)
    body = None
    if people:
        session = people[0]
    if page.account:
        headers["Cookie"] = session.cookie_header()
    if page.method != "GET":
        headers["X-CSRFToken"] = session.csrf
        body = urllib.parse.urlencode(form if people else form | {"csrf_token": session.csrf})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    check_headers = {k: v for k, v in headers.items() if k != "Cookie"}
    status, _ = session.request(page.method, path, form if body else None, check_headers)
    script = workdir / f"{page.name}.lua"
    script.write_text(wrk_script(page.method, headers, body, people))
    url = f"http://127.0.0.1:{PORT}{path}"
    run_wrk(url, script, 1)  # warm-up: templates compiled, connections pooled
    result = run_wrk(url, script, SECONDS)
    rps = result["requests"] / (result["duration_us"] / 1e6)
    errors = result["errors"] + (0 if status == page.status else 1)
    return {
        "name": page.name,
        "key": page.key,
        "requests_per_s": round(rps, 1),
        "p50_ms": round(result["p50_us"] / 1000, 2),
        "p95_ms": round(result["p95_us"] / 1000, 2),
        "ratio_to_baseline": round(rps / baseline_rps, 3) if baseline_rps else 1.0,
        "errors": errors,
        "path": path,
        "status": status,
    }


def page_params(pages: list[Page], env: dict) -> dict[str, dict]:
    """Fill each page's {placeholders} from the seeded database."""
    wanted = [p for p in pages if p.params]
    if not wanted:
        return {}
    os.environ.update(env)
    from app import create_app
    from app.extensions import db

    app = create_app()
    with app.app_context():
        return {p.name: p.params(db.session) for p in wanted}


def seeded_employees(session, limit: int) -> list:
    """The first `limit` seeded employees: active, not erased, no other role."""
    from sqlalchemy import select

    from app.auth.models import User, UserRole

    return session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            User.anonymised_at.is_(None),
            User.email.not_like("%@demo.empreinte.fr"),
            User.id.not_in(select(UserRole.user_id).where(UserRole.role != "employee")),
        )
        .order_by(User.id)
        .limit(limit)
    ).all()


def bench_people(env: dict, count: int) -> tuple[list[str], str]:
    """Give `count` seeded employees a password of this run: their e-mails and it.

    Seeded employees have none (they sign in with a link sent by e-mail); the bench
    signs them in through the password form, as the demo accounts do.
    """
    os.environ.update(env)
    from app import create_app
    from app.extensions import db

    password = secrets.token_urlsafe(12)
    app = create_app()
    emails = give_password(app, count, password)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return emails, password


def give_password(app, count: int, password: str) -> list[str]:
    """Give the first `count` seeded employees this password: their e-mails."""
    from app.auth.services import hash_password
    from app.extensions import db

    with app.app_context():
        people = seeded_employees(db.session, count)
        password_hash = hash_password(password)
        for person in people:
            person.password_hash = password_hash
        emails = [p.email for p in people]
        db.session.commit()
    return emails


def run_domain_bench(name: str, env: dict) -> None:
    """Pass through the JSON lines of bench/<name>.py when that domain provides it."""
    script = ROOT / "bench" / f"{name}.py"
    if not script.exists():
        return
    own_env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    output = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, env=own_env, capture_output=True, text=True
    )
    for line in output.stdout.splitlines():
        if line.startswith("{"):
            EMITTED.append(json.loads(line))
            print(line, flush=True)
    if output.returncode:
        emit({"name": name, "errors": 1, "exit_code": output.returncode})


def server_env(database_url: str) -> dict:
    """The environment of the measured server: a scratch database and roomy rate limits."""
    return os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "EMPREINTE_ENV": "development",
        # The limiter still runs on every request; its budget must not turn a
        # load test into 429s (one client address sends everything).
        "API_RATE_LIMIT": "100000000 per minute",
        "WRITE_RATE_LIMIT": "100000000 per minute",
        "SIGN_IN_RATE_LIMIT": "1000 per minute",
        # wrk sends the cookie of one sign-in for the whole run and never takes the one
        # answered: the session's "last seen" would be rewritten at every request after
        # the first minute (a browser takes it once a minute), and the session would end
        # after SESSION_IDLE_MINUTES. The idle limit is off for the bench.
        "SESSION_IDLE_MINUTES": "0",
    }


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run 'make bench' (installs it) or apt-get install wrk")
    emit(TARGETS | {"workers": WORKERS, "seconds_per_page": SECONDS})
    workdir = Path(tempfile.mkdtemp(prefix="empreinte-bench-"))
    database_url, drop_database = prepare_database(workdir)
    env = server_env(database_url)
    server = None
    try:
        log(f"database {database_url.split('@')[-1]}: migrating")
        flask(env, "db", "upgrade", "heads")
        started = time.perf_counter()
        flask(env, "demo", "seed")
        emit({"name": "seed", "seconds": round(time.perf_counter() - started, 2)})
        pages = bench_pages()
        if os.environ.get("BENCH_PAGES"):  # e.g. BENCH_PAGES=log_action,inbox: those only
            wanted = os.environ["BENCH_PAGES"].split(",")
            pages = [p for p in pages if p.name in wanted]
        params = page_params(pages, env)
        wanted_people = any(p.many_people for p in pages)
        emails, password = bench_people(env, WRITERS) if wanted_people else ([], "")
        server = start_gunicorn(env)
        base = f"http://127.0.0.1:{PORT}"
        sessions: dict[str | None, Session] = {}
        people: list[Session] = []

        def session_for(account):
            if account not in sessions:
                sessions[account] = Session(base, account)
            return sessions[account]

        baseline = measure(BASELINE, session_for(None), {}, workdir, None)
        emit(baseline)
        for page in pages:
            if page.many_people and not people:
                people = [Session(base, email, password) for email in emails]
            nearby = nearby_baseline_rps(workdir) if NEARBY_SECONDS else None
            record = measure(
                page,
                session_for(page.account),
                params.get(page.name, {}),
                workdir,
                baseline["requests_per_s"],
                people if page.many_people else (),
            )
            if nearby:
                record["nearby_baseline_rps"] = round(nearby, 1)
                record["ratio_to_nearby_baseline"] = round(record["requests_per_s"] / nearby, 3)
            emit(record | ({"people": len(people)} if page.many_people else {}))
        peaks = [peak_rss_mb(pid) for pid in worker_pids(server.pid)]
        emit(
            {
                "name": "memory",
                "peak_mb_per_worker": round(max(peaks), 1) if peaks else None,
                "workers": len(peaks),
            }
        )
        if os.environ.get("BENCH_LOAD", "1") != "0" and not os.environ.get("BENCH_PAGES"):
            from bench.load import run_load

            emit(run_load(base, env, database_url, workdir))
    finally:
        if server is not None:
            stop(server)
        drop_database()
        shutil.rmtree(workdir, ignore_errors=True)
    if not os.environ.get("BENCH_PAGES"):
        run_domain_bench("messaging", env)
    emit(verdict(EMITTED))


if __name__ == "__main__":
    main()
