"""Migration 20261225_core_erasure_traces puts right what erasures left before it: a token's
name and a staff number in the audit log, the erased person's tokens, the erasure's moment
on their detached participations and on a request it withdrew."""

from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import select, update

from app import create_app
from app.auth.models import ApiToken, User
from app.catalogue.models import CatalogueRequest
from app.cleanup import services as cleanup
from app.cleanup.models import CleanupParticipant
from app.config import TestConfig
from app.core.audit import ERASED_TEXT, AuditEvent
from app.extensions import db
from tests.cleanup.conftest import NOW, build_campaign
from tests.factories import Factories

BEFORE = "20261224_messaging_tpl_version"
ERASED_AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _event(action: str, person: User, summary: str) -> None:
    db.session.add(
        AuditEvent(
            at=ERASED_AT - timedelta(days=30), action=action, object_type="user",
            object_id=str(person.id), summary=summary,
        )
    )  # fmt: skip


def _token(person: User, name: str, revoked_at=None) -> None:
    db.session.add(
        ApiToken(
            user_id=person.id, name=name, token_digest=name.ljust(64, "x")[:64],
            prefix="emp_abcdef", created_at=ERASED_AT - timedelta(days=60), revoked_at=revoked_at,
        )
    )  # fmt: skip


def _left_by_an_earlier_erasure(make: Factories) -> dict:
    """Raphaël erased as erasures did before the revision; Oscar not erased; a
    participation detached by retention long before."""
    gone, kept, retired = make.user(), make.user(), make.user()
    campaign = build_campaign(make)
    for person in (gone, retired):
        cleanup.log_action(person, campaign, "delete-mail", 2, NOW)
    _event("create_token", gone, "Raphael perso laptop")
    _event("change_staff_number", gone, "S13 -> N3001")
    _event("create_token", kept, "nightly")
    _token(gone, "-", revoked_at=ERASED_AT)
    _token(kept, "nightly")
    db.session.add(
        CatalogueRequest(
            user_id=None, status="withdrawn", decided_at=ERASED_AT, withdrawn_on_erasure=True
        )
    )
    db.session.flush()
    ids = {
        person: db.session.scalar(
            select(CleanupParticipant.id).where(CleanupParticipant.user_id == person.id)
        )
        for person in (gone, retired)
    }
    stamps = {gone: ERASED_AT + timedelta(milliseconds=3), retired: ERASED_AT - timedelta(days=2)}
    for person, stamp in stamps.items():
        db.session.execute(
            update(CleanupParticipant)
            .where(CleanupParticipant.id == ids[person])
            .values(user_id=None, last_logged_at=stamp)
        )
    gone.anonymised_at, gone.active = ERASED_AT, False
    db.session.commit()
    return {"gone": gone.id, "kept": kept.id, "participations": ids, "by": (gone, retired)}


def test_the_migration_takes_out_what_earlier_erasures_left(empty_database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision=BEFORE)
        left = _left_by_an_earlier_erasure(Factories())
        gone, retired = left["by"]
        upgrade(revision="heads")
        db.session.expire_all()
        events = db.session.execute(
            select(AuditEvent.object_id, AuditEvent.summary, AuditEvent.subject_user_id)
            .where(AuditEvent.object_type == "user", AuditEvent.summary != "")
            .order_by(AuditEvent.id)
        ).all()
        tokens = db.session.scalars(select(ApiToken.user_id)).all()
        withdrawn = db.session.scalar(select(CatalogueRequest.decided_at))
        stamps = {
            person: db.session.scalar(
                select(CleanupParticipant.last_logged_at).where(CleanupParticipant.id == row)
            )
            for person, row in left["participations"].items()
        }
        db.session.remove()
        db.engine.dispose()
    assert events == [
        (str(left["gone"]), ERASED_TEXT, None),
        (str(left["gone"]), ERASED_TEXT, None),
        (str(left["kept"]), "nightly", left["kept"]),
    ]
    assert tokens == [left["kept"]]
    assert withdrawn is None
    assert stamps[gone] is None
    assert stamps[retired] == ERASED_AT - timedelta(days=2)
