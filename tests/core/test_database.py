"""Views that only read run without a transaction; the pool replaces dead connections."""

import pytest
from sqlalchemy import event, text

from app.auth.models import User
from app.core.database import WriteInReadOnlyView, reads_only
from app.extensions import db
from tests.conftest import csrf_token


def _signed_in(app, user):
    session_id = user.get_id()  # read before the client's request expires the test's rows
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    return client


def test_a_read_only_page_reads_outside_any_transaction(app, make):
    """The inbox's statements run outside a transaction: in autocommit on PostgreSQL (no
    BEGIN, no ROLLBACK); on SQLite, where Python's sqlite3 begins none before a SELECT,
    without touching the isolation level, whose reset would expire every prepared
    statement of the connection."""
    user = make.user()
    db.session.commit()
    client = _signed_in(app, user)
    seen = []

    def record(connection, _cursor, statement, *_args):
        dbapi = connection.connection.dbapi_connection
        in_transaction = (
            dbapi.info.transaction_status.name != "IDLE"
            if connection.dialect.name == "postgresql"
            else dbapi.in_transaction
        )
        seen.append((connection.get_execution_options().get("isolation_level"), in_transaction))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        answer = client.get("/messaging/")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert answer.status_code == 200
    assert seen, "the inbox read nothing"
    level = "AUTOCOMMIT" if db.engine.dialect.name == "postgresql" else None
    assert seen == [(level, False)] * len(seen)


def test_a_page_that_writes_keeps_its_transaction(app, make):
    """A write (here the language switch) still commits its changes as one transaction."""
    user = make.user(locale="fr")
    db.session.commit()
    user_id = user.id
    client = _signed_in(app, user)
    token = csrf_token(client)
    levels = []

    def record(connection, *_args):
        levels.append(connection.get_execution_options().get("isolation_level"))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        answer = client.post("/language", data={"lang": "en", "csrf_token": token})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert answer.status_code == 302
    assert levels and "AUTOCOMMIT" not in levels
    assert db.session.get(User, user_id).locale == "en"


_GUARD_INSERT = "INSERT INTO core_cache_version (name, version) SELECT 'guard', 'x'"


@pytest.mark.parametrize(
    "write", [_GUARD_INSERT, f"WITH updated_at AS (SELECT 1 AS n) {_GUARD_INSERT}"]
)
def test_a_read_only_view_that_writes_fails_the_tests(make_app, caplog, write):
    """The guard that keeps @reads_only honest: a write in such a view is refused (a 500
    that any test of the view sees), and nothing is written; a write behind a WITH too."""
    other = make_app()

    @other.get("/writes-while-reading")
    @reads_only
    def writes_while_reading():
        db.session.execute(text(write))
        return "written"

    with other.app_context():
        answer = other.test_client().get("/writes-while-reading")
        written = db.session.scalar(
            text("SELECT count(*) FROM core_cache_version WHERE name = 'guard'")
        )
    assert answer.status_code == 500
    assert written == 0
    assert any(
        isinstance(r.exc_info and r.exc_info[1], WriteInReadOnlyView) for r in caplog.records
    )


def test_a_connection_that_cannot_answer_is_replaced_at_checkout(app, make_app, make):
    """A pooled connection that died unseen is pinged after idling, and replaced."""
    user = make.user()
    db.session.commit()
    client = _signed_in(app, user)
    other = make_app(DATABASE_PING_AFTER_IDLE=0)
    with other.app_context():

        def close_behind_the_pools_back(dbapi_connection, _record):
            dbapi_connection.close()  # as a socket a firewall dropped

        event.listen(db.engine, "checkin", close_behind_the_pools_back, once=True)
        db.engine.raw_connection().close()  # pooled, then closed
        client.application = other
        answer = client.get("/auth/profile")
    assert answer.status_code == 200


def test_a_visitor_reads_the_privacy_notice_while_the_database_is_away(make_app):
    """A read-only page that needs no data takes no connection for a visitor."""
    away = make_app(SQLALCHEMY_DATABASE_URI="sqlite:////no-such-folder/empreinte.db")
    answer = away.test_client().get("/privacy")
    assert answer.status_code == 200
    assert "<h1>" in answer.get_data(as_text=True)


def test_default_rows_created_by_two_first_visits_at_once_are_created_once(app):
    """Both requests found the defaults missing; the second insert skips what the first
    wrote instead of failing on the unique key (a 500 on a fresh install)."""
    from sqlalchemy import func, select

    from app.cleanup.catalogue import DEFAULT_ACTION_TYPES
    from app.cleanup.models import CleanupActionType
    from app.core.database import insert_missing

    rows = [{"position": n, **values} for n, values in enumerate(DEFAULT_ACTION_TYPES)]
    insert_missing(CleanupActionType, rows, "key")
    db.session.commit()
    insert_missing(CleanupActionType, rows, "key")  # the later of the two requests
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(CleanupActionType))
    assert count == len(DEFAULT_ACTION_TYPES)


def test_a_connection_pinged_after_idling_can_still_read_in_autocommit(make_app):
    """The ping began a transaction on PostgreSQL: a view reading without one (and the
    seed's VACUUM) then failed with "can't change 'autocommit' now"."""
    other = make_app(DATABASE_PING_AFTER_IDLE=0)
    with other.app_context():
        db.engine.raw_connection().close()  # pooled: the next checkout pings it
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
