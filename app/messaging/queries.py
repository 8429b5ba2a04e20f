"""Messaging reads: the inbox, unread counts, templates, dispatches and their counts."""

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import current_app, g, has_request_context, request
from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.cleanup.countdown import shown_end
from app.cleanup.models import CleanupCampaign
from app.core.person_figures import forget, person_figure
from app.core.time import local_zone, utcnow
from app.core.urls import database_id
from app.extensions import db
from app.messaging.audiences import needs_consent
from app.messaging.delivery_errors import error_kind
from app.messaging.labels import DISPATCH_IN_PROGRESS
from app.messaging.models import (
    CHANNELS,
    NOTICE_AUDIENCE,
    SKIP_NO_CONSENT,
    SKIP_REASONS,
    TEST_AUDIENCE,
    Delivery,
    Dispatch,
    MessageTemplate,
    Schedule,
    confirmation_key,
)
from app.messaging.recurrence import has_ended, next_run

PAGE_SIZE = 20
UNREAD_FIGURE = "unread_messages"


def _inbox(user_id):
    """A person's delivered inbox messages; `user_id` is an id or a bound parameter."""
    return select(Delivery).where(
        Delivery.user_id == user_id,
        Delivery.channel == "inbox",
        Delivery.status == "delivered",
        Delivery.deleted_at.is_(None),
    )


_UNREAD = (
    select(func.count())
    .select_from(Delivery.__table__)
    .where(
        Delivery.__table__.c.user_id == bindparam("user_id"),
        Delivery.__table__.c.channel == "inbox",
        Delivery.__table__.c.status == "delivered",
        Delivery.__table__.c.read_at.is_(None),
        Delivery.__table__.c.deleted_at.is_(None),
    )
)


def unread_count(user_id: int) -> int:
    """How many of the user's inbox messages are unread (the menu badge, every page).

    One prepared Core statement on the session's connection: no ORM layer for a count.
    """
    db.session.flush()  # as an ORM query would: a message just read counts as read
    return db.session.connection().execute(_UNREAD, {"user_id": user_id}).scalar() or 0


def inbox_count(user_id: int) -> int:
    """How many messages the user's inbox holds, read or not."""
    return db.session.scalar(select(func.count()).select_from(_inbox(user_id).subquery())) or 0


def unread_subquery(user_id_column):
    """The unread count as a scalar subquery, read with the signed-in person."""
    return (
        select(func.count())
        .select_from(Delivery.__table__)
        .where(
            Delivery.__table__.c.user_id == user_id_column,
            Delivery.__table__.c.channel == "inbox",
            Delivery.__table__.c.status == "delivered",
            Delivery.__table__.c.read_at.is_(None),
            Delivery.__table__.c.deleted_at.is_(None),
        )
        .scalar_subquery()
    )


def unread_badge_count(user_id: int) -> int:
    """The menu badge's count: read with the person on a page view, else counted now."""
    if not has_request_context() or request.method != "GET":
        return unread_count(user_id)
    counts = g.setdefault("_unread_counts", {})
    if user_id not in counts:
        counts[user_id] = person_figure(UNREAD_FIGURE, user_id, lambda: unread_count(user_id)) or 0
    return counts[user_id]


def forget_unread_count(user_id: int) -> None:
    """A write of this reading request (a message opened) changed the count: the badge
    and the inbox's counts read it fresh from now on."""
    forget(UNREAD_FIGURE)
    if has_request_context():
        g.get("_unread_counts", {}).pop(user_id, None)


# What the inbox and the API show of a message: read as plain rows, not ORM objects.
_INBOX_COLUMNS = ("id", "subject", "body", "delivered_at", "read_at", "locale", "other_text")


@functools.cache
def _inbox_statement(unread_only: bool):
    """A page of a person's inbox and the total, built once (user, limit and offset bound).

    Built at every request, the statement and its cache key cost about as much as
    running it on SQLite. A Core statement of the few columns shown: loading ORM
    objects cost twice as much as the statement itself, for rows only read.
    """
    table = Delivery.__table__
    # The context of its dispatch: a notice's reason is marked with its language.
    context = (
        select(Dispatch.__table__.c.context)
        .where(Dispatch.__table__.c.id == table.c.dispatch_id)
        .scalar_subquery()
        .label("context")
    )
    statement = (
        select(
            *(table.c[name] for name in _INBOX_COLUMNS),
            context,
            func.count().over().label("total"),
        )
        .where(
            table.c.user_id == bindparam("user_id"),
            table.c.channel == "inbox",
            table.c.status == "delivered",
            table.c.deleted_at.is_(None),
        )
        .order_by(table.c.delivered_at.desc(), table.c.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return statement.where(table.c.read_at.is_(None)) if unread_only else statement


def _inbox_rows(unread_only: bool, user_id: int, limit: int, offset: int) -> list:
    db.session.flush()  # as an ORM query would: a message just read shows as read
    return (
        db.session.connection()
        .execute(
            _inbox_statement(unread_only), {"user_id": user_id, "limit": limit, "offset": offset}
        )
        .all()
    )


def list_inbox(user_id: int, page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list, int]:
    """The user's messages (rows: id, subject, body, delivered_at, read_at, locale), newest
    first, and the number of messages.

    The total comes with the page's rows (a window count): one statement, not two.
    """
    rows = _inbox_rows(False, user_id, per_page, (page - 1) * per_page)
    if rows:
        total = rows[0].total
    elif page == 1:
        total = 0
    else:  # past the last page: count on its own
        total = inbox_count(user_id)
    return rows, total or 0


def latest_unread(user_id: int, limit: int = 3) -> list:
    """The user's newest unread messages (rows, as `list_inbox` gives them)."""
    return _inbox_rows(True, user_id, limit, 0)


def get_message(user_id: int, delivery_id: int) -> Delivery | None:
    """One of the user's own inbox messages (None for anyone else's)."""
    return db.session.scalar(_inbox(user_id).where(Delivery.id == delivery_id))


def inbox_neighbour(user_id: int, delivery_id: int) -> int | None:
    """The message that takes this one's place in the inbox once it is deleted: the
    next older one, or, for the oldest, the one just newer (None when it is alone)."""
    message = get_message(user_id, delivery_id)
    if message is None:
        return None
    at, id_ = message.delivered_at, message.id
    older = or_(Delivery.delivered_at < at, and_(Delivery.delivered_at == at, Delivery.id < id_))
    newer = or_(Delivery.delivered_at > at, and_(Delivery.delivered_at == at, Delivery.id > id_))
    inbox = _inbox(user_id).with_only_columns(Delivery.id).limit(1)
    return db.session.scalar(
        inbox.where(older).order_by(Delivery.delivered_at.desc(), Delivery.id.desc())
    ) or db.session.scalar(inbox.where(newer).order_by(Delivery.delivered_at, Delivery.id))


def list_templates() -> list[MessageTemplate]:
    """The templates organisers may edit and schedule (not those deleted once sent)."""
    return db.session.scalars(
        select(MessageTemplate)
        .where(MessageTemplate.archived_at.is_(None))
        .order_by(MessageTemplate.key)
    ).all()


def _organisers_dispatches():
    """What organisers sent or scheduled; notices to one person are that person's, and
    a test is its author's alone."""
    return select(Dispatch).where(Dispatch.audience_key.not_in((NOTICE_AUDIENCE, TEST_AUDIENCE)))


def list_upcoming_dispatches(limit: int = 50) -> list[Dispatch]:
    """Dispatches still to send or being sent, the soonest first (the next one on top)."""
    return db.session.scalars(
        _organisers_dispatches()
        .where(Dispatch.status.in_(DISPATCH_IN_PROGRESS))
        .order_by(Dispatch.due_at, Dispatch.id)
        .limit(limit)
    ).all()


def list_past_dispatches(limit: int = 50) -> list[Dispatch]:
    """Dispatches sent or cancelled, the newest first."""
    return db.session.scalars(
        _organisers_dispatches()
        .where(Dispatch.status.not_in(DISPATCH_IN_PROGRESS))
        .order_by(Dispatch.due_at.desc(), Dispatch.id.desc())
        .limit(limit)
    ).all()


def organiser_dispatch(dispatch_id: int, viewer) -> Dispatch | None:
    """A dispatch this organiser may follow or cancel: not a notice to one person, and a
    test only its author's (it names its one recipient, their address and any error)."""
    dispatch = db.session.get(Dispatch, dispatch_id)
    if dispatch is None or dispatch.audience_key == NOTICE_AUDIENCE:
        return None
    if dispatch.audience_key == TEST_AUDIENCE and (
        viewer is None or dispatch.created_by_id != viewer.id
    ):
        return None
    return dispatch


def list_schedules() -> list[Schedule]:
    return db.session.scalars(
        select(Schedule).where(Schedule.active.is_(True)).order_by(Schedule.id)
    ).all()


def list_stopped_schedules(limit: int = 50) -> list[Schedule]:
    """Recurring schedules an organiser stopped, the latest stopped first (those stopped
    before the portal kept the moment, last)."""
    return db.session.scalars(
        select(Schedule)
        .where(Schedule.active.is_(False), Schedule.kind == "cron")
        .options(selectinload(Schedule.template), selectinload(Schedule.stopped_by))
        .order_by(Schedule.stopped_at.is_(None), Schedule.stopped_at.desc(), Schedule.id.desc())
        .limit(limit)
    ).all()


def withheld_below(dispatch: Dispatch) -> int | None:
    """The smallest group (LEADERBOARD_MIN_TEAM, as the leaderboards) whose figures a
    dispatch's page shows, when its recipients are fewer: who of one role holder read it,
    or has no e-mail consent, is not for an organiser to learn. None otherwise."""
    minimum = current_app.config.get("LEADERBOARD_MIN_TEAM", 3)
    if dispatch.prepared_at is None or not 0 < dispatch.recipients < minimum:
        return None
    return minimum


class TallyRow(NamedTuple):
    """A dispatch's deliveries of one status, channel and stored error (a code, a skip's
    reason, or None), and how many of them were read in the portal."""

    channel: str
    status: str
    error: str | None
    count: int
    opened: int


def delivery_tally(dispatch_id: int) -> list[TallyRow]:
    """A dispatch's deliveries counted by status, channel and error, with those read: one
    pass over the index that holds these columns (ix_messaging_delivery_progress), which
    the page's counts, skips, errors and consents are all taken from. Each used to walk
    the dispatch's rows again and read them from the table: three quarters of the page's
    time for a launch to 20,000 people, at every refresh of a page that refreshes every 10 s."""
    rows = db.session.execute(
        select(
            Delivery.channel,
            Delivery.status,
            Delivery.error,
            func.count(),
            func.count(Delivery.read_at),
        )
        .where(Delivery.dispatch_id == dispatch_id)
        .group_by(Delivery.status, Delivery.channel, Delivery.error)
    )
    return [TallyRow(*row) for row in rows]


def dispatch_counts(
    dispatch_id: int,
    withheld: int | None = None,
    consent_only: bool = False,
    tally: list[TallyRow] | None = None,
) -> dict:
    """Counts by channel and status, opened in the portal, and the recipients;
    `withheld` (a small group, see `withheld_below`): the opened count and the e-mail
    channel's figures (which tell who consented) are None, and so are the inbox's for a
    message whose inbox copy needs consent too (`consent_only`: an encouragement).
    `tally`: the dispatch's `delivery_tally`, when the caller has it already."""
    counts = {
        channel: dict.fromkeys(("pending", "delivered", "skipped", "failed"), 0)
        for channel in ("inbox", "email")
    }
    opened = 0
    for row in delivery_tally(dispatch_id) if tally is None else tally:
        statuses = counts.setdefault(row.channel, {})
        statuses[row.status] = statuses.get(row.status, 0) + row.count
        if row.channel == "inbox":
            opened += row.opened
    if withheld:
        counts["email"] = dict.fromkeys(counts["email"], None)
        if consent_only:
            counts["inbox"] = dict.fromkeys(counts["inbox"], None)
        return {"channels": counts, "opened": None, "withheld": withheld}
    return {"channels": counts, "opened": opened, "withheld": None}


def _erring_statuses(tally: list[TallyRow] | None, withheld: int | None) -> list[str] | None:
    """The statuses a dispatch's tally shows failed or retrying rows in (none of the e-mail
    channel for a small group, `withheld`): the rows to look for one by one are of those
    only, found through the index rather than among all 40,000 of a launch. None: no
    tally, every status but skipped."""
    if tally is None:
        return None
    return sorted(
        {
            row.status
            for row in tally
            if row.error is not None
            and row.status != "skipped"
            and not (withheld and row.channel == "email")
        }
    )


def failed_deliveries(
    dispatch_id: int,
    limit: int = 50,
    withheld: int | None = None,
    tally: list[TallyRow] | None = None,
) -> list[tuple]:
    """Failed and retrying rows with their address and error (a code, `describe_error`
    words it) and, retrying, their attempts and next one, for an admin only (a skipped row's
    `error` is its reason, counted apart by `skipped_by_reason`: no error). `withheld` (a
    small group): no e-mail row, as for the counts: a failed e-mail names someone who
    accepted e-mails. `tally` (`delivery_tally`): looked for in the statuses it shows
    them in (`_erring_statuses`)."""
    statuses = _erring_statuses(tally, withheld)
    if statuses == []:
        return []
    query = (
        select(
            Delivery.id,
            Delivery.channel,
            Delivery.status,
            Delivery.error,
            User.email,
            Delivery.attempts,
            Delivery.next_attempt_at,
        )
        .join(User, User.id == Delivery.user_id)
        .where(
            Delivery.dispatch_id == dispatch_id,
            Delivery.status != "skipped",
            Delivery.error.is_not(None),
        )
        .order_by(Delivery.id)
        .limit(limit)
    )
    if statuses is not None:
        query = query.where(Delivery.status.in_(statuses))
    if withheld:
        query = query.where(Delivery.channel != "email")
    return db.session.execute(query).all()


@dataclass(frozen=True)
class FailureKind:
    """Failed or retrying rows of one channel, status, kind of error and attempt count:
    how many, and (retrying) the earliest next attempt."""

    channel: str
    status: str
    error: str  # the kind's code (`delivery_errors.error_kind`)
    attempts: int
    count: int
    next_attempt_at: datetime | None


def failures_by_kind(
    dispatch_id: int, withheld: int | None = None, tally: list[TallyRow] | None = None
) -> list[FailureKind]:
    """The failed and retrying rows counted by channel, status and kind of error, for an
    organiser: which named people failed would tell who accepted e-mails, which is not
    for an organiser to learn (only an admin sees addresses, `failed_deliveries`).
    `withheld` (a small group): no e-mail row, as for the counts. `tally`
    (`delivery_tally`): looked for in the statuses it shows them in."""
    statuses = _erring_statuses(tally, withheld)
    if statuses == []:
        return []
    query = (
        select(
            Delivery.channel,
            Delivery.status,
            Delivery.error,
            Delivery.attempts,
            func.count(),
            func.min(Delivery.next_attempt_at),
        )
        .where(
            Delivery.dispatch_id == dispatch_id,
            Delivery.status != "skipped",
            Delivery.error.is_not(None),
        )
        .group_by(Delivery.channel, Delivery.status, Delivery.error, Delivery.attempts)
    )
    if statuses is not None:
        query = query.where(Delivery.status.in_(statuses))
    if withheld:
        query = query.where(Delivery.channel != "email")
    merged: dict[tuple, list] = {}
    for channel, status, error, attempts, count, next_at in db.session.execute(query):
        key = (channel, status, error_kind(error), attempts or 0)
        group = merged.setdefault(key, [0, None])
        group[0] += count
        if next_at is not None and (group[1] is None or next_at < group[1]):
            group[1] = next_at
    statuses = ("pending", "failed")
    return [
        FailureKind(channel, status, error, attempts, count, next_at)
        for (channel, status, error, attempts), (count, next_at) in sorted(
            merged.items(),
            key=lambda item: (
                CHANNELS.index(item[0][0]) if item[0][0] in CHANNELS else len(CHANNELS),
                statuses.index(item[0][1]) if item[0][1] in statuses else len(statuses),
                item[0][2],
                item[0][3],
            ),
        )
    ]


def who_receives(
    dispatch: Dispatch, withheld: int | None = None, tally: list[TallyRow] | None = None
) -> tuple[int, int, bool] | None:
    """(by e-mail and in the inbox, the others, whether the others receive nothing) as the
    outbox was written: the schedule confirmation's figures, counted again. None before
    the outbox is written, and for a small group (who accepted e-mails is withheld).
    `tally`: the dispatch's `delivery_tally`, when the caller has it already."""
    if dispatch.prepared_at is None or withheld:
        return None
    without_consent = sum(
        row.count
        for row in (delivery_tally(dispatch.id) if tally is None else tally)
        if row.channel == "email" and row.error == SKIP_NO_CONSENT
    )
    others = min(without_consent, dispatch.recipients)
    return dispatch.recipients - others, others, needs_consent(dispatch.audience_key)


def skipped_by_reason(
    dispatch_id: int, withheld: int | None = None, tally: list[TallyRow] | None = None
) -> list[tuple[str, str | None, int]]:
    """(channel, reason, count) of the skipped rows, channel by channel in the order of
    the counts' table, reasons in `SKIP_REASONS`' order (None, not recorded, last);
    `withheld` (a small group): the e-mail channel's left out, as its counts are, and
    every want of consent (an encouragement's inbox copy needs it too). `tally`: the
    dispatch's `delivery_tally`, when the caller has it already."""
    rows = [
        (row.channel, row.error, row.count)
        for row in (delivery_tally(dispatch_id) if tally is None else tally)
        if row.status == "skipped"
        # As SQL's `error != …` did: a reason not recorded is left out with them.
        and not (
            withheld
            and (row.channel == "email" or row.error is None or row.error == SKIP_NO_CONSENT)
        )
    ]
    order = {reason: rank for rank, reason in enumerate(SKIP_REASONS)}

    def rank(row) -> tuple:
        channel, reason, _count = row
        return CHANNELS.index(channel), order.get(reason, len(order))

    return sorted(rows, key=rank)


def confirmed_already(once: str) -> Dispatch | Schedule | None:
    """What an organiser's confirmation already created (a dispatch or a recurring
    schedule), if it was used before."""
    key = confirmation_key(once)
    return db.session.scalar(select(Dispatch).where(Dispatch.dedupe_key == key)) or (
        db.session.scalar(select(Schedule).where(Schedule.dedupe_key == key))
    )


# "Recently", for the warning before the same message is confirmed again: a template
# sent to the same people in the last 30 days is fresh in their inboxes.
SAME_MESSAGE_DAYS = 30


@dataclass(frozen=True)
class EarlierSending:
    """The same template already sent or going out: a dispatch (`state` scheduled,
    sending or done) or an active recurring schedule (`state` "recurring")."""

    state: str
    id: int
    due_at: datetime | None  # a dispatch's moment; None for a recurring schedule
    recipients: int  # counted when the dispatch was prepared (0 before)
    cron: str | None = None
    audience_key: str = ""
    params: dict | None = None
    until: date | None = None  # a recurring schedule's last day, if it has one


def not_ended(now: datetime):
    """The condition of a recurring schedule whose last day, if it has one, is not past
    (in the portal's calendar): a first sieve in SQL, `still_running` the answer (a last
    day still to come may have no sending of its rhythm left)."""
    today = now.astimezone(local_zone()).date()
    return Schedule.until.is_(None) | (Schedule.until >= today)


def schedule_ended(schedule, now: datetime) -> bool:
    """Whether a recurring message sends no more, said the same everywhere (the
    Dispatches page, a template's sends to come, the same-message warning): stopped, or
    no run of its rhythm left before its end (the next one after `until`, in the portal's
    time zone)."""
    if not schedule.active:
        return True
    if schedule.cron is None:
        return False
    return has_ended(schedule.cron, schedule.until, now) or ended_with_campaign(schedule, now)


def ended_campaign(named, moment: datetime) -> CleanupCampaign | None:
    """The published campaign `named` (its id, as a form or a context gives it) when it has
    ended by `moment` (closed early too: closing moves its end to that moment); else None."""
    campaign_id = database_id(named)
    campaign = db.session.get(CleanupCampaign, campaign_id) if campaign_id is not None else None
    if campaign is None or campaign.published_at is None or moment < campaign.ends_at:
        return None
    return campaign


def ended_with_campaign(schedule, now: datetime) -> CleanupCampaign | None:
    """The campaign a recurring message is about, when it has ended: the message ends
    with it (« 0 jour pour … », « se termine . » went every day after the end)."""
    return ended_campaign((schedule.audience_params or {}).get("campaign_id"), now)


def campaign_ends(schedules, now: datetime) -> dict[int, datetime]:
    """The end of the campaign of each of these recurring messages that ended with it, as
    pages write it (one at midnight is the day before's 23:59)."""
    ends = {}
    for schedule in schedules:
        if (campaign := ended_with_campaign(schedule, now)) is not None:
            ends[schedule.id] = shown_end(campaign.ends_at)
    return ends


def still_running(schedules, now: datetime) -> list:
    """The recurring schedules among `schedules` that have not ended (`schedule_ended`)."""
    return [schedule for schedule in schedules if not schedule_ended(schedule, now)]


def last_sendings(schedule_ids: list[int]) -> dict[int, datetime]:
    """When each of these recurring schedules last sent (its latest dispatch neither
    cancelled nor skipped), by schedule id; those that never sent are left out."""
    if not schedule_ids:
        return {}
    return dict(
        db.session.execute(
            select(Dispatch.schedule_id, func.max(Dispatch.due_at))
            .where(
                Dispatch.schedule_id.in_(schedule_ids),
                Dispatch.status.not_in(("cancelled", "skipped")),
            )
            .group_by(Dispatch.schedule_id)
        ).all()
    )


def list_same_message(template_id: int, now: datetime) -> list[EarlierSending]:
    """What already sent or sends this template, whatever its audience: active recurring
    schedules, then its dispatches of the last SAME_MESSAGE_DAYS or to come (in time
    order), each one (not only the latest); cancelled or skipped ones do not count, nor
    the dispatches of a recurring schedule listed (it says them). Who of today's
    recipients they reach is the caller's to find (an audience is not who receives it).

    One statement for dispatches and schedules alike (a UNION ALL)."""
    dispatches = select(
        literal_column("'dispatch'", String).label("source"),
        Dispatch.id,
        Dispatch.status,
        Dispatch.due_at.label("moment"),
        Dispatch.recipients,
        Dispatch.audience_key,
        Dispatch.audience_params.label("params"),
        Dispatch.schedule_id,
        cast(null(), String).label("cron"),
        cast(null(), Date).label("until"),
    ).where(
        Dispatch.template_id == template_id,
        Dispatch.audience_key.not_in((TEST_AUDIENCE,)),  # a test went to its author only
        Dispatch.status.not_in(("cancelled", "skipped")),  # neither reached anyone
        Dispatch.due_at >= now - timedelta(days=SAME_MESSAGE_DAYS),
    )
    schedules = select(
        literal_column("'schedule'", String),
        Schedule.id,
        literal_column("'recurring'", String),
        Schedule.created_at,
        literal_column("0", Integer),
        Schedule.audience_key,
        Schedule.audience_params,
        Schedule.id,
        Schedule.cron,
        Schedule.until,
    ).where(
        Schedule.template_id == template_id,
        Schedule.kind == "cron",
        Schedule.active.is_(True),
        not_ended(now),
    )
    both = union_all(dispatches, schedules).subquery()
    rows = db.session.execute(
        select(both).order_by(both.c.source.desc(), both.c.moment, both.c.id).limit(200)
    ).all()
    # A recurring message with no run left is not planned: what it sent is listed as
    # earlier sendings, as a one-off message's.
    rows = [
        row for row in rows if row.source == "dispatch" or not has_ended(row.cron, row.until, now)
    ]
    # Schedules first (the ordering above): what a recurring message sent is said by it.
    recurring = {row.id for row in rows if row.source == "schedule"}
    return [
        EarlierSending(
            row.status,
            row.id,
            row.moment if row.source == "dispatch" else None,
            row.recipients,
            row.cron,
            row.audience_key,
            row.params or {},
            row.until,
        )
        for row in rows
        if not (row.source == "dispatch" and row.schedule_id in recurring)
    ]


def _named_campaign(*sources) -> int | None:
    """The campaign a dispatch's context or an audience's parameters name, if any."""
    for source in sources:
        if (campaign_id := database_id((source or {}).get("campaign_id"))) is not None:
            return campaign_id
    return None


def campaign_sendings(
    campaign_id: int, except_template: int, start: datetime, end: datetime, now: datetime
) -> tuple[list[Dispatch], list[Schedule]]:
    """Other templates' messages about one campaign: its dispatches due from `start` to
    `end` that reached or will reach people (neither cancelled, skipped nor failed; no
    test nor notice), soonest first, and its recurring messages not ended. The campaign is
    in a JSON column: the few candidates of those days are sifted here."""
    dispatches = db.session.scalars(
        _organisers_dispatches()
        .where(
            Dispatch.template_id != except_template,
            Dispatch.status.not_in(("cancelled", "skipped", "failed")),
            Dispatch.due_at >= start,
            Dispatch.due_at < end,
        )
        .options(selectinload(Dispatch.template))
        .order_by(Dispatch.due_at, Dispatch.id)
        .limit(200)
    ).all()
    schedules = db.session.scalars(
        select(Schedule)
        .where(
            Schedule.template_id != except_template,
            Schedule.kind == "cron",
            Schedule.active.is_(True),
            not_ended(now),
        )
        .options(selectinload(Schedule.template))
        .order_by(Schedule.id)
    ).all()
    return (
        [d for d in dispatches if _named_campaign(d.context, d.audience_params) == campaign_id],
        [
            s
            for s in still_running(schedules, now)
            if _named_campaign(s.audience_params) == campaign_id
        ],
    )


def recipients_among(dispatch_ids: list[int], members) -> int:
    """How many of `members` (a SELECT of user ids) the prepared dispatches reached
    (a message in their inbox or an e-mail; skipped and failed rows reached nobody)."""
    if not dispatch_ids:
        return 0
    return (
        db.session.scalar(
            select(func.count(func.distinct(Delivery.user_id))).where(
                Delivery.dispatch_id.in_(dispatch_ids),
                Delivery.status.not_in(("skipped", "failed")),
                Delivery.user_id.in_(members),
            )
        )
        or 0
    )


@dataclass
class PendingUses:
    """What is still to go out with a template: its dispatches not sent yet and its
    recurring messages not ended (`schedule_ended`). While any is, the template cannot be
    deleted. `schedules`: those recurring messages, to say their rhythm and end."""

    dispatch_ids: list[int]
    schedule_ids: list[int]
    schedules: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.dispatch_ids or self.schedule_ids)


def pending_uses(template: MessageTemplate) -> PendingUses:
    """The template's sends to come (see PendingUses), soonest first."""
    dispatch_ids = db.session.scalars(
        select(Dispatch.id)
        .where(Dispatch.template_id == template.id, Dispatch.status.in_(DISPATCH_IN_PROGRESS))
        .order_by(Dispatch.due_at, Dispatch.id)
    ).all()
    schedules = _running_schedules_of(template)
    return PendingUses(list(dispatch_ids), [s.id for s in schedules], schedules)


def _running_schedules_of(template: MessageTemplate, limit: int | None = None) -> list[Schedule]:
    """The template's recurring messages neither stopped nor ended, by id."""
    now = utcnow()
    query = (
        select(Schedule)
        .where(Schedule.template_id == template.id, Schedule.active.is_(True), not_ended(now))
        .order_by(Schedule.id)
        .limit(limit)
    )
    return still_running(db.session.scalars(query).all(), now)


def planned_with(template: MessageTemplate) -> tuple[list[Dispatch], list[Schedule]]:
    """What will send the template's text as it is when it goes: its dispatches not
    written yet (soonest first; one being sent keeps the text it started with) and its
    recurring messages not stopped. An edit saved now is what they send."""
    dispatches = db.session.scalars(
        select(Dispatch)
        .where(Dispatch.template_id == template.id, Dispatch.status == "scheduled")
        .order_by(Dispatch.due_at, Dispatch.id)
        .limit(50)
    ).all()
    return list(dispatches), _running_schedules_of(template, limit=50)


def next_sending_campaign(template: MessageTemplate, now: datetime) -> int | None:
    """The campaign the template's next sending speaks of (its soonest scheduled
    dispatch, or a recurring message's next run if sooner); None when nothing is planned
    or that sending names no campaign (each recipient reads of their own)."""
    dispatches, schedules = planned_with(template)
    sendings = [(d.due_at, _named_campaign(d.context, d.audience_params)) for d in dispatches[:1]]
    for schedule in schedules:
        upcoming = next_run(schedule.cron, now, schedule.until) if schedule.cron else None
        if upcoming is not None:
            sendings.append((upcoming, _named_campaign(schedule.audience_params)))
    return min(sendings, key=lambda sending: sending[0])[1] if sendings else None
