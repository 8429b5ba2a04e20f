"""Messaging tables: templates, schedules, dispatches and the delivery outbox."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.time import utcnow
from app.core.types import UTCDateTime
from app.extensions import IDS_NEVER_REUSED, db

LOCALES = ("fr", "en")
# The language of a person's messages when they saved none; their unsubscribe page speaks
# it too, so the page reads as the e-mail it came from.
DEFAULT_LOCALE = "fr"
CHANNELS = ("inbox", "email")
# pending = waiting (not yet sent, or retrying, or held until working hours)
STATUSES = ("pending", "delivered", "skipped", "failed")
# Why a row was skipped, kept as a code in its `error` column (the dispatch's page says it
# in words): no e-mail consent; the person deactivated or erased; the inbox copy deleted
# by its reader before its e-mail (held for the working hours, or retried) went.
SKIP_NO_CONSENT, SKIP_INACTIVE, SKIP_DELETED = "no_consent", "inactive", "deleted"
# The person asked for their account to be erased: no more e-mails during the grace period.
SKIP_ERASURE_PENDING = "erasure_pending"
# An e-mail that waited (for the working hours, or to be tried again) whose message no
# longer held when it could go: its campaign a draft or gone, or its audience gone (as a
# dispatch is skipped for them when due); the campaign it counted down to ended meanwhile.
SKIP_NOT_SENDABLE, SKIP_CAMPAIGN_ENDED = "not_sendable", "campaign_ended"
# A variable it uses has no value for anyone (`results_url` before its campaign's end):
# as a dispatch's reason not to go, and as an e-mail's that waited past its inbox copy.
SKIP_NO_VALUE = "no_value"
# A built-in written for one audience planned for another before that was refused (« Pas
# encore participé » to a campaign's whole scope): as a dispatch's reason not to go, and
# as an e-mail's that waited past its inbox copy.
SKIP_WRONG_AUDIENCE = "wrong_audience"
SKIP_REASONS = (
    SKIP_NO_CONSENT,
    SKIP_INACTIVE,
    SKIP_ERASURE_PENDING,
    SKIP_DELETED,
    SKIP_NOT_SENDABLE,
    SKIP_CAMPAIGN_ENDED,
    SKIP_NO_VALUE,
    SKIP_WRONG_AUDIENCE,
)
SCHEDULE_KINDS = ("now", "at", "cron", "campaign")


def message_language(saved: str | None) -> str:
    """The language a person's messages are written in: their saved one, else the default."""
    return saved if saved in LOCALES else DEFAULT_LOCALE


# A notice goes to one person about something of theirs (an entry an organiser reviewed).
# It is not an audience organisers pick, and their list of dispatches leaves it out.
NOTICE_AUDIENCE = "person"
# "Send me a test": the template to its author alone. It is no sending to staff, so the
# list of dispatches leaves it out too (it read "user: 2", the author's id).
TEST_AUDIENCE = "user"
# The key, in a skipped dispatch's context, of why it was not sent ("campaign": the
# campaign it is about is a draft or gone; "audience": its audience no longer exists).
NOT_SENT = "not_sent"


def confirmation_key(once: str) -> str:
    """The dedupe key of what an organiser's confirmation (its one-time token) created."""
    return f"confirm:{once}"


class MessageTemplate(db.Model):
    """A subject and a body per locale, with Jinja variables rendered in a sandbox."""

    __tablename__ = "messaging_template"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    subject_fr: Mapped[str] = mapped_column(String(300), default="")
    body_fr: Mapped[str] = mapped_column(Text, default="")
    subject_en: Mapped[str] = mapped_column(String(300), default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Deleted by an organiser once it had been sent: it leaves the lists and the schedule
    # form, its row stays for the dispatches that sent it (deleting it took them along,
    # and the messages in people's inboxes).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moved by one at every save of its texts (services.template_version): the editor
    # carries it, and a save from an editor opened before another one is refused.
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    def subject(self, locale: str) -> str:
        return self.subject_en if locale == "en" else self.subject_fr

    def body(self, locale: str) -> str:
        return self.body_en if locale == "en" else self.body_fr


class Schedule(db.Model):
    """When a template goes to an audience: once, at a time, by cron, or on campaign events."""

    __tablename__ = "messaging_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("messaging_template.id", ondelete="CASCADE"), index=True
    )
    audience_key: Mapped[str] = mapped_column(String(60))
    audience_params: Mapped[dict] = mapped_column(JSON, default=dict)
    kind: Mapped[str] = mapped_column(String(10))
    cron: Mapped[str | None] = mapped_column(String(120))
    # The last day it may send (the portal's calendar, included); None: until stopped.
    # Past it, the schedule sends no more and reads as ended.
    until: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # e.g. "confirm:<token>": the organiser's "yes", sent twice, creates it once.
    dedupe_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    # A stopped schedule stays (inactive), listed with who stopped it and when.
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    template: Mapped[MessageTemplate] = relationship()
    stopped_by: Mapped[User | None] = relationship(foreign_keys=[stopped_by_id])


class Dispatch(db.Model):
    """One run of a template to an audience; its deliveries are the outbox."""

    __tablename__ = "messaging_dispatch"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("messaging_template.id", ondelete="CASCADE"), index=True
    )
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("messaging_schedule.id", ondelete="SET NULL"), index=True
    )
    audience_key: Mapped[str] = mapped_column(String(60))
    audience_params: Mapped[dict] = mapped_column(JSON, default=dict)
    # e.g. {"campaign_id": 3}; a skipped dispatch's reason too, {"not_sent": "campaign"}
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # e.g. "campaign:3:launch": a campaign event schedules its message at most once;
    # "confirm:<token>": an organiser's "yes" sent twice schedules it once.
    dedupe_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # scheduled → sending (outbox written) → done; cancelled by an organiser; skipped
    # when it came due naming what is no longer offered (a draft campaign).
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    # The template's name and four texts when its outbox was written: what it sent, and
    # sends until done (e-mails held for the working hours), whatever edits came since.
    sent_text: Mapped[dict | None] = mapped_column(JSON)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    template: Mapped[MessageTemplate] = relationship()


class Delivery(db.Model):
    """One message to one recipient on one channel: a row of the outbox."""

    __tablename__ = "messaging_delivery"
    __table_args__ = (
        UniqueConstraint("dispatch_id", "user_id", "channel"),
        # The senders' claims (dispatch, status, channel) and, with `error` and `read_at`,
        # a dispatch's counts read from the index alone (`queries.delivery_tally`).
        Index(
            "ix_messaging_delivery_progress", "dispatch_id", "status", "channel", "error", "read_at"
        ),
        Index("ix_messaging_delivery_inbox", "user_id", "channel", "status"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dispatch_id: Mapped[int] = mapped_column(
        ForeignKey("messaging_dispatch.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(5))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    # An inbox copy written for someone who had not chosen a language yet (never signed
    # in): the message in the other language too, {"locale", "subject", "body"}, with the
    # same values, so that it reads in the language they then choose. None otherwise.
    other_text: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the person deleted the message from their inbox: its content is erased, its
    # status (and so every dispatch count) stays.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    dispatch: Mapped[Dispatch] = relationship()
