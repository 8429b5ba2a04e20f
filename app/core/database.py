"""Per-connection database settings, and views that only read.

On PostgreSQL a page that sends one query would make four round trips: the pool's
liveness ping, `BEGIN`, the query, `ROLLBACK`. A view marked `@reads_only` runs its
statements in autocommit, which drops `BEGIN` and `ROLLBACK`; under READ COMMITTED
each statement sees its own snapshot anyway, so a read sees nothing different. The
pool checks a connection without a round trip (has the server closed its socket?)
and pings it only after it sat unused for DATABASE_PING_AFTER_IDLE seconds, which
is when a silent drop (a firewall's idle timeout) may have happened.
"""

import re
import select
import time
from collections.abc import Callable

from flask import Flask, current_app, g, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError

from app.auth import services as auth_services
from app.core.sql import upsert_insert
from app.extensions import db, login_manager


def _configure_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers work while one writer commits; the busy timeout makes
    # concurrent writers wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def reads_only(view: Callable) -> Callable:
    """Mark a GET view that never writes: its statements run without a transaction.

    Only for views that write nothing, even on a first visit: in autocommit a
    second write would no longer be atomic with the first. Tests fail a marked
    view that sends anything but a read (`_refuse_writes_in_read_only_views`).
    """
    view.reads_only = True
    return view


def _read_without_transaction() -> None:
    if request.method not in ("GET", "HEAD"):
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "reads_only", False):
        g.reads_only = True
        # The connection is taken now, before the first statement, for a signed-in
        # person (the loader reads the database anyway); a visitor's static page (the
        # privacy notice) keeps answering without one, even while the database is away.
        # SQLite is left as it is: Python's sqlite3 sends no BEGIN before a SELECT, and
        # switching the isolation level back when the connection returns to the pool
        # sends a PRAGMA that expires every prepared statement of the connection, so
        # each request would compile its statements again (a quarter of a millisecond
        # for the person's query alone).
        if "_user_id" in session and db.engine.dialect.name != "sqlite":
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


_READ_PREFIXES = ("SELECT", "WITH", "SHOW")
# A WITH may hide a write: WITH moved AS (UPDATE … RETURNING …) SELECT …
_WRITE_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


class WriteInReadOnlyView(RuntimeError):
    """A view marked @reads_only sent a write (raised in tests only)."""


def _refuse_writes_in_read_only_views(_conn, _cursor, statement, *_args) -> None:
    if not has_app_context() or not g.get("reads_only"):
        return
    text = statement.lstrip().upper()
    if not text.startswith(_READ_PREFIXES) or (
        text.startswith("WITH") and _WRITE_IN_WITH.search(text)
    ):
        raise WriteInReadOnlyView(f"{request.endpoint} is @reads_only but sent: {statement}")


def _server_closed(dbapi_connection) -> bool:
    """Whether the server has spoken on an idle connection: to close it, since we
    never LISTEN. A poll of the socket, no round trip (SQLite has no socket)."""
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:
        return False
    poll = select.poll()  # not select.select: it refuses descriptors past 1023
    poll.register(fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poll.poll(0))


def _ping_after_idle(idle_seconds: float):
    """Pool listeners: a connection the server closed, or one idle for a while, is checked.

    A restart or `pg_terminate_backend` tells the client: its socket turns readable,
    which a poll sees at no cost. A connection dropped silently (a firewall's idle
    timeout) only shows when used, so one idle longer than `idle_seconds` is pinged.
    Raising DisconnectionError makes the pool open a fresh connection instead.
    """

    def checkin(_dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    def checkout(dbapi_connection, record, _proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None:
            return  # just opened
        try:
            if _server_closed(dbapi_connection):
                raise DisconnectionError("the server closed this connection")
            if time.monotonic() - checked_in_at >= idle_seconds:
                cursor = dbapi_connection.cursor()
                cursor.execute("SELECT 1")
                cursor.close()
                # The ping began a transaction (psycopg): ended, or a view reading in
                # autocommit (`reads_only`) could not switch and failed ("can't change
                # 'autocommit' now"), as could `VACUUM` after a seed.
                dbapi_connection.rollback()
        except DisconnectionError:
            raise
        except Exception as error:  # any failure: the pool opens a fresh connection
            raise DisconnectionError(str(error)) from error

    return checkin, checkout


def _release_session(_error) -> None:
    """End the request's session; a connection that died meanwhile is dropped, not reused.

    Flask-SQLAlchemy's own teardown rolls back first, and a connection the server closed
    (restart, failover) makes that rollback raise, which would turn an answered request
    into a 500. This teardown runs before it and leaves it nothing to do."""
    try:
        db.session.remove()
    except DBAPIError:
        db.session().invalidate()  # no ROLLBACK on a dead connection; the pool replaces it
        db.session.remove()


def init_app(app: Flask) -> None:
    """Set SQLite pragmas, ping idle connections, wire Flask-Login's loader and read-only views."""
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(
            engine, "connect", _configure_sqlite
        ):
            event.listen(engine, "connect", _configure_sqlite)
        if "empreinte.ping_after_idle" not in app.extensions:
            checkin, checkout = _ping_after_idle(app.config["DATABASE_PING_AFTER_IDLE"])
            event.listen(engine, "checkin", checkin)
            event.listen(engine, "checkout", checkout)
            app.extensions["empreinte.ping_after_idle"] = True
        if app.testing and not event.contains(
            engine, "before_cursor_execute", _refuse_writes_in_read_only_views
        ):
            event.listen(engine, "before_cursor_execute", _refuse_writes_in_read_only_views)

    app.before_request(_read_without_transaction)

    login_manager.user_loader(auth_services.load_browser_session_user)
    login_manager.session_protection = None  # session_token rotation does this job
    app.teardown_appcontext(_release_session)


def commit_keeping_loaded_rows() -> None:
    """Commit without expiring what the session holds.

    For a write answered by rendering what was just written (an htmx fragment):
    the rows hold the values this transaction stored, so reloading each of them
    (the person, the campaign, their participation) costs queries and shows
    nothing new.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def savepoint():
    """`db.session.begin_nested()`, inside the request's transaction on SQLite too.

    Python's sqlite3 opens a transaction only before a write: a SAVEPOINT sent first
    opened one of its own, which its RELEASE committed, so what the savepoint wrote was
    stored at once, whatever became of the rest. A BEGIN is sent first when none is open.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        driver = db.session.connection().connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN")
    return db.session.begin_nested()


def insert_missing(model, rows: list[dict], key: str) -> None:
    """Insert the rows whose `key` is not in the table yet; the others are left as they are.

    For default rows created on first use: two first requests at once would otherwise
    both insert them, and the second would fail on the unique key."""
    if not rows:
        return
    insert = upsert_insert(db.engine.dialect.name)
    db.session.execute(insert(model).on_conflict_do_nothing(index_elements=[key]), rows)
