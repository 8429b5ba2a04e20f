"""Clean-up campaigns: campaigns, action types, participants and logged actions.

Scores are never stored as counters: every total, rank and badge is derived
from `CleanupAction` rows. Each action keeps the points it was awarded when it
was logged, and the department and commune of its author at that time, so
later changes (a person moving, an erasure) leave totals untouched.
"""

from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import UTCDateTime
from app.extensions import IDS_NEVER_REUSED, db

DRAFT, SCHEDULED, RUNNING, CLOSED = "draft", "scheduled", "running", "closed"
ACCEPTED, FLAGGED, REJECTED = "accepted", "flagged", "rejected"
# A device return declared but not yet in an agent's hands: it counts toward the daily
# cap (the declaration stands) but scores nothing until an agent confirms receipt.
PENDING = "pending"
# A device return's entry its owner withdrew from the campaign (« My entries »): it
# scores nothing, and is kept so that the receipt can say why it does not count.
WITHDRAWN = "withdrawn"
UNITS = ("GB", "items", "devices")
GOAL_UNITS = ("GB", "items", "devices", "participants", "points")


class CleanupActionType(db.Model):
    """Something a participant can do, with its guide, unit, defaults and CO2 factor."""

    __tablename__ = "cleanup_action_type"
    __cache_namespace__ = "cleanup_rules"  # cached log forms follow its changes

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name_fr: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    guide_fr: Mapped[str] = mapped_column(Text, default="")
    guide_en: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(10))  # one of UNITS
    points_per_unit: Mapped[float] = mapped_column(Float)
    daily_cap: Mapped[float] = mapped_column(Float)
    # A single entry above this is flagged for review; above max_quantity it is refused.
    flag_above: Mapped[float] = mapped_column(Float)
    max_quantity: Mapped[float] = mapped_column(Float)
    kg_co2e_per_unit: Mapped[float | None] = mapped_column(Float)
    kg_co2e_low: Mapped[float | None] = mapped_column(Float)
    kg_co2e_high: Mapped[float | None] = mapped_column(Float)
    factor_source: Mapped[str] = mapped_column(String(300), default="")
    caveat_fr: Mapped[str] = mapped_column(Text, default="")
    caveat_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Moved by one at every save of its guide form, which carries it: a save from a form
    # opened before another change (an older tab) is refused, not silently undoing it.
    # Deferred and set by the database: the defaults are written and read without it,
    # as on a database not yet migrated to it (a migration test seeds one).
    edit_version: Mapped[int] = mapped_column(Integer, server_default="1", deferred=True)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fr

    def guide(self, locale: str) -> str:
        return self.guide_en if locale == "en" else self.guide_fr

    def caveat(self, locale: str) -> str:
        return self.caveat_en if locale == "en" else self.caveat_fr


class CleanupCampaign(db.Model):
    """A time-boxed campaign; its state is derived from the clock and publication."""

    __tablename__ = "cleanup_campaign"
    # The new-campaign form sent twice (Back then Create, a double click) creates one.
    __table_args__ = (
        UniqueConstraint("created_by_id", "form_token"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_fr: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    all_departments: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # JSON snapshot of the results written once at freeze time (17 KB at the demo's
    # scale): loaded only by the results page, not by every page that shows a campaign.
    results_json: Mapped[str | None] = mapped_column(Text, deferred=True)
    # Cache key of the derived scoreboard: replaced by every write that changes
    # scores, so every process sees at once that its cached board is stale.
    scores_version: Mapped[str] = mapped_column(String(32), default=lambda: uuid4().hex)
    # When an organiser last changed it (None before these were kept), and how many
    # times its dates changed: the calendar file's LAST-MODIFIED and SEQUENCE, without
    # which calendar apps keep an event's old end after an extension.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dates_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The token of the new-campaign form that created it (None before these were kept).
    form_token: Mapped[str | None] = mapped_column(String(64))
    # Moved by one at every change an organiser makes (see services.campaign_version):
    # the edit form carries it, and a save from a form shown before another change is
    # refused instead of silently undoing that change.
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Why an organiser ended it before its planned end (None: it ran its course; `ends_at`
    # is then when they ended it), and the language it was written in (their interface's):
    # its page tells participants why, marked with `lang` on a page in the other language.
    # Loaded together when first read (its page, its results), not by every list of
    # campaigns nor by the writes that load one (logging an entry).
    early_end_reason: Mapped[str | None] = mapped_column(
        String(500), deferred=True, deferred_group="early_end"
    )
    early_end_reason_lang: Mapped[str | None] = mapped_column(
        String(8), deferred=True, deferred_group="early_end"
    )

    goals: Mapped[list["CleanupGoal"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CleanupGoal.id"
    )
    action_rules: Mapped[list["CleanupCampaignActionType"]] = relationship(
        back_populates="campaign",
        cascade="all, delete-orphan",
        order_by="CleanupCampaignActionType.id",
    )
    scope_rows: Mapped[list["CleanupCampaignDepartment"]] = relationship(
        cascade="all, delete-orphan"
    )

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fr

    def description(self, locale: str) -> str:
        """In the reader's language, else in the other one: the English description is
        optional, and an English reader was shown none when only the French was written."""
        own, other = (
            (self.description_en, self.description_fr)
            if locale == "en"
            else (self.description_fr, self.description_en)
        )
        return (own or "").strip() or (other or "").strip()

    def description_language(self, locale: str) -> str:
        """The language `description(locale)` is written in (its `lang`)."""
        own = self.description_en if locale == "en" else self.description_fr
        return locale if (own or "").strip() else ("fr" if locale == "en" else "en")

    def state(self, now: datetime) -> str:
        """draft until published, then scheduled, running and closed by the clock."""
        if self.published_at is None:
            return DRAFT
        if now < self.starts_at:
            return SCHEDULED
        if now < self.ends_at:
            return RUNNING
        return CLOSED

    @property
    def department_ids(self) -> set[int]:
        return {row.department_id for row in self.scope_rows}

    def in_scope(self, user) -> bool:
        return self.all_departments or user.department_id in self.department_ids


class CleanupCampaignDepartment(db.Model):
    __tablename__ = "cleanup_campaign_department"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("cleanup_campaign.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)


_GOAL_KEYS = {"GB": "storage-freed", "items": "items-cleaned", "devices": "devices-returned"}


def goal_key(unit: str) -> str:
    """A goal's key (its name in texts and badges) from its unit."""
    return _GOAL_KEYS.get(unit, unit)


class CleanupGoal(db.Model):
    """A collective goal, e.g. 50,000 GB freed or 2,000 devices returned."""

    __tablename__ = "cleanup_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("cleanup_campaign.id", ondelete="CASCADE"), index=True
    )
    unit: Mapped[str] = mapped_column(String(20))  # one of GOAL_UNITS; also the goal key
    target: Mapped[float] = mapped_column(Float)

    campaign: Mapped[CleanupCampaign] = relationship(back_populates="goals")

    @property
    def key(self) -> str:
        return goal_key(self.unit)


class CleanupCampaignActionType(db.Model):
    """An action type that counts in a campaign, with the campaign's points and cap."""

    __tablename__ = "cleanup_campaign_action_type"
    __cache_namespace__ = "cleanup_rules"  # cached log forms follow its changes
    __table_args__ = (UniqueConstraint("campaign_id", "action_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("cleanup_campaign.id", ondelete="CASCADE"))
    action_type_id: Mapped[int] = mapped_column(ForeignKey("cleanup_action_type.id"))
    points_per_unit: Mapped[float] = mapped_column(Float)
    daily_cap: Mapped[float] = mapped_column(Float)

    campaign: Mapped[CleanupCampaign] = relationship(back_populates="action_rules")
    action_type: Mapped[CleanupActionType] = relationship(lazy="joined")


class CleanupParticipant(db.Model):
    """A person taking part in a campaign. Its row is the lock that serialises cap checks.

    Erasure sets user_id to NULL: the row (and its actions) keep counting in totals.
    """

    __tablename__ = "cleanup_participant"
    __table_args__ = (
        UniqueConstraint("campaign_id", "user_id"),
        # A scoreboard refresh reads the few stamped since its last one, not every row.
        Index("ix_cleanup_participant_refresh", "campaign_id", "last_logged_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("cleanup_campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When this participant's counted actions last changed (a log, a correction, a
    # deletion, a review), by the wall clock: scoreboards refresh these participants.
    last_logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How the person was shown on the individual leaderboard when the campaign's results
    # froze ("name", "pseudonym" or "hidden") and the label shown then; NULL while it
    # runs. A closed board shows this label, never a later name or pseudonym: seen twice,
    # it would tie the old label to the new one (queries.individual_leaderboard).
    board_shown_as: Mapped[str | None] = mapped_column(String(10))
    board_label: Mapped[str | None] = mapped_column(String(120))


class CleanupAction(db.Model):
    """One logged action with the points awarded when it was logged (never rewritten)."""

    __tablename__ = "cleanup_action"
    __table_args__ = (
        UniqueConstraint("campaign_id", "source_key"),
        # Covering indexes: leaderboards aggregate from the index alone.
        Index(
            "ix_cleanup_action_board",
            "campaign_id",
            "status",
            "participant_id",
            "action_type_id",
            "day",
            "quantity",
            "points",
        ),
        Index(
            "ix_cleanup_action_team",
            "campaign_id",
            "status",
            "department_id",
            "participant_id",
            "points",
        ),
        Index(
            "ix_cleanup_action_commune",
            "campaign_id",
            "status",
            "commune_id",
            "participant_id",
            "points",
        ),
        Index("ix_cleanup_action_cap", "participant_id", "action_type_id", "day"),
        # The review page's latest decisions: the few entries reviewed, not every one.
        Index(
            "ix_cleanup_action_reviewed",
            "campaign_id",
            "reviewed_at",
            sqlite_where=text("reviewed_at IS NOT NULL"),
            postgresql_where=text("reviewed_at IS NOT NULL"),
        ),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("cleanup_campaign.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("cleanup_participant.id", ondelete="CASCADE")
    )
    action_type_id: Mapped[int] = mapped_column(ForeignKey("cleanup_action_type.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("commune.id"))
    quantity: Mapped[float] = mapped_column(Float)
    points: Mapped[int] = mapped_column(Integer)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    day: Mapped[date] = mapped_column(Date)  # Europe/Paris day, for daily caps
    status: Mapped[str] = mapped_column(String(10), default=ACCEPTED)
    flag_reason: Mapped[str] = mapped_column(String(300), default="")
    review_reason: Mapped[str] = mapped_column(String(500), default="")
    # The language the reason was written in (its reviewer's interface language then):
    # a page in the other language marks it with `lang`, read out in its own language.
    review_reason_lang: Mapped[str | None] = mapped_column(String(8))
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The quantity and status before its author's last correction, and when: the review
    # queue shows an organiser what changed ("corrected from 30 GB (accepted)").
    corrected_from: Mapped[float | None] = mapped_column(Float)
    corrected_from_status: Mapped[str | None] = mapped_column(String(10))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Idempotency key for actions logged by other modules, e.g. "device-return:42".
    source_key: Mapped[str | None] = mapped_column(String(80))

    action_type: Mapped[CleanupActionType] = relationship(lazy="joined")
    participant: Mapped[CleanupParticipant] = relationship()
