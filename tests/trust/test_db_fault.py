"""Fault: PostgreSQL kills the portal's connections under load; the next requests
succeed without restarting the portal (pool_pre_ping replaces dead connections)."""

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

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
