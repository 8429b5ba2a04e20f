"""Erasure requests: a person asks, an admin (or the delay job) executes."""

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.types import UTCDateTime
from app.extensions import db


class ErasureRequest(db.Model):
    """One request to erase a person's data. Kept after execution as proof it was done."""

    __tablename__ = "privacy_erasure_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    executed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def pending(self) -> bool:
        return self.executed_at is None and self.cancelled_at is None

    def due_at(self, delay_days: int) -> datetime:
        """When the hourly erasure job carries the request out (within the hour after),
        unless an admin does it sooner: `delay_days` after it was made."""
        return self.requested_at + timedelta(days=delay_days)
