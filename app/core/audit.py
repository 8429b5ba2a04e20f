"""The admin audit log: who changed which object, and when. Append-only."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime
from app.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))  # e.g. "create", "update", "publish"
    object_type: Mapped[str] = mapped_column(String(40))  # e.g. "catalogue_item", "campaign"
    object_id: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(500), default="")


def record_audit(
    actor, action: str, object_type: str, object_id: object, now: datetime, summary: str = ""
) -> AuditEvent:
    """Append an audit event for a change made by an organiser, agent or admin (flushes)."""
    event = AuditEvent(
        at=now,
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
    )
    db.session.add(event)
    db.session.flush()
    return event
