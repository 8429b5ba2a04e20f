"""Per-connection database settings."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from app.auth import services as auth_services
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
    """Set SQLite pragmas on every connection, wire Flask-Login's loader, end sessions safely."""
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(
            engine, "connect", _configure_sqlite
        ):
            event.listen(engine, "connect", _configure_sqlite)

    login_manager.user_loader(auth_services.load_session_user)
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
