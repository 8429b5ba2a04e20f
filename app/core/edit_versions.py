"""Saving from an edit form opened before another save of the same row (an older tab).

A row that editors may change from two tabs carries an `edit_version` counter, the
form a hidden copy of it; the save goes through only if the row is still at that
version. A counter rather than `updated_at`: two saves within one clock tick, or from
workers whose clocks differ by a little, would carry the same stamp.
"""

from sqlalchemy import update

from app.extensions import db


def hold_version(row, seen) -> bool:
    """Whether `row` is still at version `seen` (its `edit_version` when the form was
    shown), asked of the database in one conditional UPDATE that changes nothing and
    holds the row until the transaction ends: of two saves sent from the same version,
    the second waits for the first's row lock (PostgreSQL) or write lock (SQLite), then
    finds the version moved on, instead of both passing a check made before either
    wrote and the second silently undoing the first. False for an unreadable `seen`."""
    try:
        expected = int(seen)
    except (TypeError, ValueError):
        return False
    if not 0 < expected < 2**31:  # beyond the column's integers (SQLite refuses to bind it)
        return False
    model = type(row)
    held = db.session.execute(
        update(model)
        .where(model.id == row.id, model.edit_version == expected)
        .values(edit_version=model.edit_version)
        .execution_options(synchronize_session=False)
    ).rowcount
    return held == 1
