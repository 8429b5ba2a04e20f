"""The scheduler's job store has an engine of its own on the app's database: like the
app's (`hide_parameters`, app/config.py), a failed statement's error, which is logged,
names the statement and never the values sent with it (an address, a token)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.messaging import scheduler as messaging_scheduler


def test_a_failed_statement_of_the_job_store_names_no_value(app):
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False)
    engine = scheduler._jobstores["default"].engine
    try:
        with pytest.raises(DBAPIError) as failed, engine.connect() as connection:
            connection.execute(
                text("SELECT id FROM no_such_table WHERE owner = :owner"),
                {"owner": "chloe.martin@example.org"},
            )
    finally:
        engine.dispose()
    assert "no_such_table" in str(failed.value)
    assert "chloe.martin@example.org" not in str(failed.value)
