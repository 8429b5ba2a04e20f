"""Accounts of people who left (deactivated by an administrator or the staff directory)
are erased DEACTIVATED_ACCOUNT_RETENTION_MONTHS after their deactivation, by the retention
job, as an erasure request is; never sooner, never an active one."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.privacy_services import apply_retention, export_personal_data
from app.extensions import db
from tests.trust.world import add_activity, aggregates, build_world

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
YEAR_AGO = datetime(2025, 11, 25, 10, 0, tzinfo=UTC)


def _totals(world):
    """`aggregates`: the results' headcount in scope included. It leaves out deactivated
    accounts, and still leaves them out once erased by the retention period (unlike an
    erasure request of an employee still there, which keeps counting)."""
    return aggregates(world)


def _left(make, by, at, name):
    return make.user(display_name=name, active=False, deactivated_by=by, deactivated_at=at)


def test_the_default_period_is_twelve_months(app):
    from app.core.privacy_services import deactivated_account_retention_months

    assert deactivated_account_retention_months() == 12


def test_accounts_deactivated_over_the_period_ago_are_erased_the_others_kept(app, make):
    world = build_world(make, NOW)
    by_directory = _left(make, "directory", YEAR_AGO, "Marc Départ")
    by_admin = _left(make, "admin", YEAR_AGO - timedelta(days=40), "Léa Partie")
    recent = _left(make, "directory", YEAR_AGO + timedelta(minutes=1), "Jo Récent")
    active = make.user(display_name="Ana Présente")
    add_activity(world, by_directory, "marc")
    before = _totals(world)

    apply_retention(NOW)
    db.session.commit()

    erased = {u.id for u in (by_directory, by_admin)}
    for user in db.session.scalars(select(User).where(User.id.in_(erased))):
        assert user.anonymised_at is not None
        assert user.display_name == f"Anonyme {user.id}"
        assert user.email == f"erased-{user.id}@invalid"
    for user in (recent, active):
        kept = db.session.get(User, user.id)
        assert kept.anonymised_at is None and kept.display_name == user.display_name
    assert export_personal_data(db.session.get(User, by_directory.id), NOW)["actions"] == []
    assert _totals(world) == before
    assert (
        db.session.scalar(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "user", AuditEvent.object_id == str(by_admin.id)
            )
        )
        == "erase"
    )


def test_the_period_comes_from_the_settings(app, make):
    person = _left(make, "directory", NOW - timedelta(days=100), "Tom Court")
    app.config["DEACTIVATED_ACCOUNT_RETENTION_MONTHS"] = 3
    try:
        apply_retention(NOW)
        db.session.commit()
    finally:
        del app.config["DEACTIVATED_ACCOUNT_RETENTION_MONTHS"]
    assert db.session.get(User, person.id).anonymised_at is not None


def test_a_reactivated_account_is_never_erased_by_retention(app, make):
    person = make.user(display_name="Eva Revenue")  # reactivated: deactivated_at cleared
    apply_retention(NOW + timedelta(days=3650))
    db.session.commit()
    assert db.session.get(User, person.id).anonymised_at is None


def test_the_notice_states_the_period(client):
    page = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert (
        "An account deactivated by an administrator or by the staff directory (when you "
        "leave) is erased 12 months after its deactivation"
    ) in page
