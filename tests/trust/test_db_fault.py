"""Faults: PostgreSQL kills the portal's connections under load; the next requests
succeed without restarting the portal (the pool replaces the connections the server closed). A database
that cannot be reached gets a translated 503, not a 500 (the real restart is in
`test_db_restart.py`)."""

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from app.extensions import db


def _signed_in_client(app, session_id):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    return client


def test_portal_recovers_after_its_database_connections_are_killed(app, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: pg_terminate_backend has no SQLite equivalent")
    session_id = make.user().get_id()
    db.session.remove()  # the test's own connection goes back to the pool too
    statuses: list[int] = []
    stop = threading.Event()

    def load():
        with app.app_context():  # the test client expires this context's session after a call
            client = _signed_in_client(app, session_id)
            for _ in range(200):  # bounded: stops by itself
                if stop.is_set():
                    return
                _one_request(client)

    def _one_request(client):
        try:
            statuses.append(client.get("/auth/profile").status_code)
        except OperationalError:  # in flight at the kill (TESTING propagates errors)
            statuses.append(-1)

    workers = [threading.Thread(target=load) for _ in range(3)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 20
    while len(statuses) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)  # kill once the load is running
    killer = create_engine(db.engine.url, poolclass=None)
    with killer.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    killer.dispose()
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    assert killed >= 1
    # Requests in flight at the kill may fail; the portal itself must recover at once.
    client = _signed_in_client(app, session_id)
    assert [client.get("/auth/profile").status_code for _ in range(5)] == [200] * 5
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert statuses.count(200) >= 6, "the load did not run before the kill"


def test_an_unreachable_database_gets_a_translated_503_and_other_errors_a_500(make_app):
    broken = make_app()
    refused = OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    @broken.get("/database-away")
    @broken.get("/api/v1/database-away")
    def database_away():
        raise refused

    @broken.get("/constraint")
    def constraint():
        raise IntegrityError("INSERT", {}, ValueError("duplicate key"))

    client = broken.test_client()
    page = client.get("/database-away", headers={"Accept-Language": "fr"})
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert "La base de données du portail est injoignable" in page.get_data(as_text=True)
    api = client.get("/api/v1/database-away")
    assert (api.status_code, api.json["error"]["code"]) == (503, "unavailable")
    assert client.get("/constraint").status_code == 500  # a bug stays a 500
