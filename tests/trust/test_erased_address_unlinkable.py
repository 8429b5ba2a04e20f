"""What an erasure keeps of the person's address: a keyed digest in a table of its own,
joined to nothing. The anonymised account and every row about it hold nothing derived
from the address (the unkeyed SHA-256 once kept on the account put a name back on each
« Anonyme N » row for whoever hashed the staff directory), yet the staff directory still
recognises the address and opens no new account."""

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select, text

from app.auth.models import ErasedAddress, User
from app.auth.services import erased_address_digest, update_preferences
from app.core.audit import AuditEvent
from app.core.privacy_services import request_erasure
from app.extensions import db
from tests.databases import runs_on_postgresql
from tests.trust.world import add_activity, build_world

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ADDRESS = "ines.roux@bordeaux-metropole.fr"


def unkeyed_from(address: str) -> set[str]:
    """The address and what anyone could compute from it alone: its local part, and its
    SHA-256 with and without the prefix erasures used before."""
    return {
        address,
        address.split("@")[0],
        hashlib.sha256(f"erased:{address}".encode()).hexdigest(),
        hashlib.sha256(address.encode()).hexdigest(),
    }


def derived_from(address: str) -> set[str]:
    """All that, and the digest made with the portal's key."""
    return unkeyed_from(address) | {erased_address_digest(address)}


def texts(row) -> list[str]:
    """Every value of a row as text (JSON columns included)."""
    return [
        value if isinstance(value, str) else json.dumps(value, default=str)
        for value in row
        if value is not None
    ]


def rows_about(user_id: int) -> dict[str, list]:
    """The account's own row and every row joined to it: by a foreign key to the
    account, or an audit event naming it as its object."""
    found: dict[str, list] = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(key.column.table.name == "user_account" for key in column.foreign_keys):
                rows = db.session.execute(select(table).where(column == user_id)).all()
                found.setdefault(table.name, []).extend(rows)
    account = User.__table__
    found["user_account"] = db.session.execute(select(account).where(account.c.id == user_id)).all()
    events = AuditEvent.__table__
    found["audit_event"] += db.session.execute(
        select(events).where(events.c.object_type == "user", events.c.object_id == str(user_id))
    ).all()
    return found


def every_row() -> dict[str, list]:
    return {
        table.name: db.session.execute(select(table)).all() for table in db.metadata.sorted_tables
    }


def holding(found: dict[str, list], values: set[str]) -> list[tuple[str, str]]:
    return [
        (table, value)
        for table, rows in found.items()
        for row in rows
        for value in texts(row)
        if any(derived in value.lower() for derived in values)
    ]


@pytest.fixture
def erased_with_history(make, runner):
    """Someone with a history in every domain, their consents given then withdrawn, an
    erasure request, then erased by `flask privacy erase EMAIL --yes`."""
    world = build_world(make, NOW)
    person = make.user(email=ADDRESS, display_name="Inès Roux")
    add_activity(world, person, "IR")
    update_preferences(person, locale="fr", visibility="name", email_opt_in=True, now=NOW)
    update_preferences(person, locale="fr", visibility="name", email_opt_in=False, now=NOW)
    request_erasure(person, NOW)
    db.session.commit()
    result = runner.invoke(args=["privacy", "erase", ADDRESS, "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return person.id


def test_nothing_on_the_account_or_joined_to_it_comes_from_the_address(erased_with_history):
    found = rows_about(erased_with_history)

    assert found["user_account"] and found["audit_event"]  # the rows are there, and read
    assert holding(found, derived_from(ADDRESS)) == []


def test_a_list_of_addresses_finds_no_digest_anywhere_without_the_key(erased_with_history):
    assert holding(every_row(), unkeyed_from(ADDRESS)) == []


def test_the_keyed_digest_is_kept_alone_in_its_own_table(erased_with_history):
    kept = {erased_address_digest(ADDRESS)}

    assert set(db.session.scalars(select(ErasedAddress.digest))) == kept
    assert [table for table, _ in holding(every_row(), kept)] == ["erased_address"]


def test_the_digests_table_has_no_person_date_or_serial_id():
    inspector = inspect(db.engine)

    assert [column["name"] for column in inspector.get_columns("erased_address")] == ["digest"]
    assert inspector.get_pk_constraint("erased_address")["constrained_columns"] == ["digest"]
    assert inspector.get_foreign_keys("erased_address") == []
    if not runs_on_postgresql():  # no hidden rowid numbering the erasures in their order
        with pytest.raises(Exception, match="rowid"):
            db.session.execute(text("SELECT rowid FROM erased_address"))
        db.session.rollback()


def test_the_digest_depends_on_the_portals_key(make_app):
    ours = erased_address_digest(ADDRESS)
    with make_app(SECRET_KEY="another-key-of-32-characters-long").app_context():
        theirs = erased_address_digest(ADDRESS)

    assert ours != theirs and ours == erased_address_digest(ADDRESS.upper() + " ")
