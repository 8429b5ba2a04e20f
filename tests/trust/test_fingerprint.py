"""The sweeps' "nothing changed" rests on `database_fingerprint`: it must see every kind
of change, on SQLite and on PostgreSQL (where the database computes it)."""

from app.auth.models import User
from app.extensions import db
from tests.trust.sweep import database_fingerprint

# A person's change also bumps the cached pages' version of people (core_cache_version).
VERSIONS = ("core_cache_version",)


def test_the_fingerprint_sees_an_edit_an_added_row_and_a_deleted_row(make):
    department = make.department()
    kept = make.user(department=department)
    first = database_fingerprint(skip=VERSIONS)
    assert database_fingerprint(skip=VERSIONS) == first  # reading changes nothing

    db.session.get(User, kept.id).display_name = "Someone else"
    db.session.commit()
    edited = database_fingerprint(skip=VERSIONS)

    added = make.user(department=department, roles=())
    with_a_row_more = database_fingerprint(skip=VERSIONS)

    db.session.delete(db.session.get(User, added.id))
    db.session.commit()
    assert len({first, edited, with_a_row_more}) == 3
    assert database_fingerprint(skip=VERSIONS) == edited


def test_a_skipped_table_s_changes_are_not_seen(make):
    kept = make.user()
    skipped = ("user_account", *VERSIONS)
    before, before_skipped = database_fingerprint(VERSIONS), database_fingerprint(skipped)
    db.session.get(User, kept.id).display_name = "Someone else"
    db.session.commit()
    assert database_fingerprint(skip=skipped) == before_skipped
    assert database_fingerprint(skip=VERSIONS) != before
