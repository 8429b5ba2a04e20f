"""The admin audit log: who changed which object, and when. Append-only."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.i18n import labeller
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


# What the audit log shows for the stored keys (the CSV export keeps the keys). Actions
# are nouns in French (« Publication »), which agree with no object.
ACTION_LABELS = {
    "accept": lazy_pgettext("audit", "Accepted"),
    "approved": lazy_pgettext("audit", "Approved"),
    "cancel": lazy_pgettext("audit", "Cancelled"),
    "close": lazy_pgettext("audit", "Closed"),
    "create": lazy_pgettext("audit", "Created"),
    "deactivate": lazy_pgettext("audit", "Stopped"),
    "discontinue": lazy_pgettext("audit", "Withdrawn from the catalogue"),
    "erase": lazy_pgettext("audit", "Erased"),
    "extend": lazy_pgettext("audit", "Extended"),
    "grant_role": lazy_pgettext("audit", "Role granted"),
    "import": lazy_pgettext("audit", "Imported"),
    "outcome": lazy_pgettext("audit", "Outcome recorded"),
    "publish": lazy_pgettext("audit", "Published"),
    "receive": lazy_pgettext("audit", "Receipt confirmed"),
    "refused": lazy_pgettext("audit", "Refused"),
    "reject": lazy_pgettext("audit", "Rejected"),
    "reopen": lazy_pgettext("audit", "Reopened"),
    "restore": lazy_pgettext("audit", "Built-in text restored"),
    "revoke_role": lazy_pgettext("audit", "Role revoked"),
    "set_alternatives": lazy_pgettext("audit", "Alternatives set"),
    "set_budget": lazy_pgettext("audit", "Budget set"),
    "update": lazy_pgettext("audit", "Updated"),
    "wipe": lazy_pgettext("audit", "Data wipe recorded"),
}
OBJECT_LABELS = {
    "catalogue_budget": _l("Carbon budget"),
    "catalogue_item": _l("Catalogue item"),
    "catalogue_request": _l("Equipment request"),
    "cleanup_action": _l("Clean-up entry"),
    "cleanup_campaign": _l("Clean-up campaign"),
    "collection_point": _l("Collection point"),
    "device_return": _l("Device return"),
    "messaging_dispatch": _l("Dispatch"),
    "messaging_schedule": _l("Recurring message"),
    "messaging_template": _l("Message template"),
    "user": _l("Person"),
}

action_label = labeller(ACTION_LABELS)
object_label = labeller(OBJECT_LABELS)
