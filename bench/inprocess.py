"""Each key page rendered in one process, without a server: milliseconds and statements.

`make bench` measures throughput through gunicorn and wrk, which a busy machine
disturbs; this measures the work one request costs, which it barely does. It seeds
the Bordeaux-scale demo into a SQLite file (kept in INPROCESS_DB, default
`/tmp/empreinte-inprocess.db`, reused when it exists) or uses DATABASE_URL as it is,
signs each account in through the real form, warms each page, then times
INPROCESS_REPEAT requests, taking turns with the baseline (five requests each). One JSON
line per page: `ms` (median), `baseline_ms` (the baseline's median, measured alongside),
`times_baseline` (their quotient: compare this across runs on a machine whose speed
drifts), `statements` (SQL statements one request sends), `bytes` (its answer's body)
and `status`. Every timed
answer is checked against the page's expected status: `unexpected_statuses` counts the
others (a daily cap reached turns writes into refusals, which are not the page). A
write marked `many_people` is sent by `BENCH_WRITERS` seeded employees in turn, as in
`make bench`.

    .venv/bin/python bench/inprocess.py                    # every bench page
    .venv/bin/python bench/inprocess.py leaderboard inbox  # some pages
    INPROCESS_PROFILE=1 .venv/bin/python bench/inprocess.py log_action  # + cProfile
    INPROCESS_STATEMENTS=1 .venv/bin/python bench/inprocess.py inbox    # + its SQL
"""

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import BASELINE, Page, bench_pages  # noqa: E402
from bench.run import CSRF_RE, WRITERS, flask, give_password, server_env  # noqa: E402

REPEAT = int(os.environ.get("INPROCESS_REPEAT", "40"))
BLOCK = 5  # requests in a row before the page and the baseline swap


def database_url() -> str:
    """DATABASE_URL as given, or a seeded SQLite file kept between runs."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    path = Path(os.environ.get("INPROCESS_DB", "/tmp/empreinte-inprocess.db"))
    url = f"sqlite:///{path}"
    if not path.exists():
        env = server_env(url)
        flask(env, "db", "upgrade", "heads")
        flask(env, "demo", "seed")
    return url


DEMO_PASSWORD = "demo"  # the demo accounts' documented password


def signed_in_client(app, email: str | None, password: str = DEMO_PASSWORD):
    """A test client sending the session of a sign-in through the form, and a CSRF token.

    Like wrk, the client sends the same cookie with every request and ignores the ones
    it gets back: a flash left by each redirect would otherwise pile up in the session
    (the bench never follows the redirect that would show it) and be measured too.
    """
    client = app.test_client()
    if email:
        page = client.get("/auth/sign-in").get_data(as_text=True)
        token = CSRF_RE.search(page).group(1)
        answer = client.post(
            "/auth/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )
        assert answer.status_code == 302, f"signing in as {email}: {answer.status_code}"
    token = CSRF_RE.search(client.get("/privacy").get_data(as_text=True)).group(1)
    session = client.get_cookie("session")
    fixed = app.test_client(use_cookies=False)
    if session is not None:
        fixed.environ_base["HTTP_COOKIE"] = f"session={session.value}"
    return fixed, token


def writers(app, count: int) -> list[tuple]:
    """Clients of `count` seeded employees, signed in through the form, with their tokens.

    A write marked `many_people` is sent by each in turn, as `make bench` does: one
    person's writes pile up to the daily cap, after which every "write" measured would
    be a refusal.
    """
    password = "inprocess-writer"  # set here, on a scratch database
    emails = give_password(app, count, password)
    return [signed_in_client(app, email, password) for email in emails]


def page_request(page: Page, params: dict, token: str):
    """The keyword arguments of one test-client request for `page`."""
    path = page.path.format(**params)
    request = {"method": page.method, "path": path, "headers": dict(page.headers)}
    if page.method == "POST":
        form = {k: v.format(**params) for k, v in (page.form or {}).items()}
        request["data"] = urllib.parse.urlencode(form | {"csrf_token": token})
        request["content_type"] = "application/x-www-form-urlencoded"
        request["headers"]["X-CSRFToken"] = token
    return request


def count_statements(app, client, request: dict) -> tuple[int, int]:
    """The SQL statements one request sends, and the bytes of its answer's body."""
    from sqlalchemy import event

    from app.extensions import db

    counted = []
    with app.app_context():
        engine = db.engine
    show = bool(os.environ.get("INPROCESS_STATEMENTS"))

    def listener(_connection, _cursor, statement, *_args) -> None:
        counted.append(1)
        if show:
            print(f"-- statement {len(counted)}\n{statement}", file=sys.stderr)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        answer = client.open(**request)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(counted), len(answer.get_data())


def main() -> None:
    url = database_url()
    os.environ.update(server_env(url))
    from app import create_app
    from app.extensions import db

    app = create_app()
    wanted = set(sys.argv[1:])
    pages = [BASELINE, *bench_pages()]
    pages = [p for p in pages if not wanted or p.name in wanted]
    clients = {}
    baseline_client, _token = signed_in_client(app, BASELINE.account)
    baseline_request = page_request(BASELINE, {}, _token)
    for _ in range(5):
        baseline_client.open(**baseline_request)
    for page in pages:
        with app.app_context():
            params = page.params(db.session) if page.params else {}
        if page.account not in clients:
            clients[page.account] = signed_in_client(app, page.account)
        client, token = clients[page.account]
        if page.many_people:
            people = writers(app, WRITERS)
            senders = [(c, page_request(page, params, t)) for c, t in people]
        else:
            senders = [(client, page_request(page, params, token))]
        client, request = senders[0]
        turn = iter(range(1 << 62))

        def send(_senders=senders, _turn=turn):
            who, measured = _senders[next(_turn) % len(_senders)]
            return who.open(**measured).status_code

        for _ in range(5):
            status = send()
        # The page and the baseline take turns, a few requests each: a machine whose
        # speed drifts (a shared VM) slows both alike, and `times_baseline` stays put.
        # Every answer is checked: a refusal (a daily cap reached) is not the page.
        timings, baseline_timings, unexpected = [], [], {}
        for _ in range(-(-REPEAT // BLOCK)):
            for _ in range(BLOCK):
                started = time.perf_counter()
                answered = send()
                timings.append((time.perf_counter() - started) * 1000)
                if answered != page.status:
                    unexpected[answered] = unexpected.get(answered, 0) + 1
            for _ in range(BLOCK):
                started = time.perf_counter()
                baseline_client.open(**baseline_request)
                baseline_timings.append((time.perf_counter() - started) * 1000)
        ms, baseline_ms = statistics.median(timings), statistics.median(baseline_timings)
        statements, body_bytes = count_statements(app, client, request)
        record = {
            "name": page.name,
            "ms": round(ms, 2),
            "baseline_ms": round(baseline_ms, 2),
            "times_baseline": round(ms / baseline_ms, 2),
            "statements": statements,
            "bytes": body_bytes,
            "status": status,
        }
        if unexpected:
            record["unexpected_statuses"] = unexpected
        print(json.dumps(record), flush=True)
        if os.environ.get("INPROCESS_PROFILE"):
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(REPEAT):
                send()
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats(os.environ.get("INPROCESS_SORT", "cumulative")).print_stats(
                os.environ.get("INPROCESS_FILTER", r"app/|jinja|sqlalchemy"), 45
            )


if __name__ == "__main__":
    main()
