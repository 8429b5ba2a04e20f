"""Demo data: the built-in templates, and an inbox history for the demo accounts.

Someone trying the portal, and the bench timing the inbox, should find what a person
finds after a few weeks of use: the notices about their own requests, entries and
returned devices, the older read, the newest not yet. Each message goes through the
outbox as any dispatch does (the built-in template, the person's variables and language,
delivered to the portal inbox), dated when it would have been sent, in office hours,
and never before what it tells (an event after the last office hours before the seed:
just after it, as the scheduler's tick delivers an inbox copy at any hour).

No weekly digest: a digest is rendered from the figures of the day it goes out, and
can't be rendered as of a past Monday (it would speak of the campaign running today,
or of last year's).
"""

import random
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.auth.models import User
from app.catalogue.models import CatalogueRequest
from app.core.demo import DEMO_ACCOUNTS
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.mailer import MailerPool
from app.messaging.models import NOTICE_AUDIENCE, SKIP_NO_CONSENT, Delivery, Dispatch
from app.recycling.models import CustodyStep, DeviceReturn

HISTORY_WEEKS = 8
RECENT_RETURNS = 3  # the returns whose custody steps are in the inbox, latest first
# The newest messages are still unread, as in anybody's inbox; older ones read.
UNREAD_NEWEST = 2
# Seeded messages come and are read in office hours (Paris), Monday to Friday.
OFFICE_OPENS, OFFICE_CLOSES = time(9), time(17, 30)


def seed_messaging(rng: random.Random) -> None:
    """The built-in templates, then each demo account's inbox of the past weeks."""
    ensure_builtin_templates()
    now = utcnow().replace(microsecond=0)
    people = db.session.scalars(
        select(User).where(User.email.in_([email for email, _n, _r in DEMO_ACCOUNTS]))
    ).all()
    for person in sorted(people, key=lambda p: p.id):
        dispatches = _notices_already_due(rng, person, now)
        dispatches += _request_decisions(rng, person, now)
        dispatches += _return_notices(rng, person, now)
        delivered = [_deliver_to_inbox(dispatch) for dispatch in dispatches]
        _read_some(rng, person, [d for d in delivered if d is not None], now)


def in_office_hours(at: datetime) -> bool:
    """True on a weekday between OFFICE_OPENS and OFFICE_CLOSES, Paris time."""
    local = at.astimezone(local_zone())
    return local.weekday() < 5 and OFFICE_OPENS <= local.time() <= OFFICE_CLOSES


def _next_office_moment(rng: random.Random, at: datetime) -> datetime:
    """`at` if in office hours, else a few minutes after the next opening."""
    if in_office_hours(at):
        return at
    zone = local_zone()
    local = at.astimezone(zone)
    day = local.date() + timedelta(days=local.time() > OFFICE_CLOSES)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    minutes = timedelta(minutes=rng.randint(0, 45), seconds=rng.randint(0, 59))
    return datetime.combine(day, OFFICE_OPENS, tzinfo=zone).astimezone(at.tzinfo) + minutes


def _office_hours(rng: random.Random, at: datetime, now: datetime) -> datetime:
    """When a notice due at `at` comes: `at` if in office hours, else the next opening
    when it has come by `now`; else `at` itself (a rejection recorded late on Friday,
    seeded on Saturday), as the scheduler's tick delivers an inbox copy at any hour. Never
    before what the notice tells: the last closing before it dated a rejection before it."""
    later = _next_office_moment(rng, at)
    return later if later < now else at


def _notices_already_due(rng: random.Random, person: User, now: datetime) -> list[Dispatch]:
    """Notices the other domains' seeds gave this person (an entry set aside), due by now,
    moved into office hours."""
    due = db.session.scalars(
        select(Dispatch).where(
            Dispatch.audience_key == NOTICE_AUDIENCE,
            Dispatch.status == "scheduled",
            Dispatch.due_at <= now,
        )
    )
    notices = [d for d in due if d.audience_params.get("user_id") == person.id]
    for notice in notices:
        notice.due_at = notice.created_at = _at(rng, notice.due_at, now)
    return notices


def _request_decisions(rng: random.Random, person: User, now: datetime) -> list[Dispatch]:
    """The notice of each decision on the person's requests of the past weeks."""
    requests = db.session.execute(
        select(CatalogueRequest.id, CatalogueRequest.status, CatalogueRequest.decided_at).where(
            CatalogueRequest.user_id == person.id,
            CatalogueRequest.decided_at > now - timedelta(weeks=HISTORY_WEEKS),
            CatalogueRequest.status.in_(("approved", "refused")),
        )
    ).all()
    notices = []
    for request_id, status, decided_at in requests:
        at = _at(rng, decided_at, now)
        notice = services.decision_notice(request_id, person.id, status == "approved", at)
        if notice is not None:
            notices.append(notice)
    return notices


def _return_notices(rng: random.Random, person: User, now: datetime) -> list[Dispatch]:
    """The news of each agent's step on the person's latest returns, and the reminder of
    a return left waiting, each sent when it happened (as the signals would have)."""
    steps = db.session.execute(
        select(DeviceReturn.id, CustodyStep.step, CustodyStep.at)
        .join(CustodyStep, CustodyStep.return_id == DeviceReturn.id)
        .where(
            DeviceReturn.id.in_(
                select(DeviceReturn.id)
                .where(DeviceReturn.user_id == person.id, DeviceReturn.status != "declared")
                .order_by(DeviceReturn.declared_at.desc())
                .limit(RECENT_RETURNS)
            ),
            CustodyStep.step != "declared",  # the owner's own step: no news for them
            CustodyStep.at <= now,
        )
        .order_by(CustodyStep.at)
    ).all()
    notices = [
        services.custody_notice(return_id, person.id, step, _at(rng, at, now))
        for return_id, step, at in steps
    ]
    reminded = db.session.execute(
        select(DeviceReturn.id, DeviceReturn.reminded_at).where(
            DeviceReturn.user_id == person.id,
            DeviceReturn.status == "declared",
            DeviceReturn.reminded_at <= now,
        )
    ).all()
    notices += [
        services.waiting_return_notice(return_id, person.id, _at(rng, at, now))
        for return_id, at in reminded
    ]
    return [notice for notice in notices if notice is not None]


def _next_tick(rng: random.Random, at: datetime) -> datetime:
    """When the scheduler's next tick delivers what happened at `at`."""
    return at + timedelta(minutes=rng.randint(1, 5), seconds=rng.randint(0, 59))


def _at(rng: random.Random, event_at: datetime, now: datetime) -> datetime:
    """The delivery of a notice of `event_at`, at the next tick, kept in office hours
    when they came since; never before the event nor after `now`."""
    tick = max(event_at, min(_next_tick(rng, event_at), now - timedelta(minutes=1)))
    return _office_hours(rng, tick, now)


def _deliver_to_inbox(dispatch: Dispatch) -> Dispatch | None:
    """Deliver one person's dispatch to their inbox when it was due, as the scheduler does.

    No e-mail: the demo accounts' consent dates from the seed, after these messages,
    and a seed sends nothing. Their e-mail rows are skipped before the claim, so the
    batch holds the inbox row alone.
    """
    at = dispatch.due_at
    services.prepare_dispatch(dispatch, at)
    db.session.execute(
        update(Delivery)
        .where(Delivery.dispatch_id == dispatch.id, Delivery.channel == "email")
        .values(status="skipped", error=SKIP_NO_CONSENT)
        .execution_options(synchronize_session=False)
    )
    config = current_app.config
    token = services.claim_batch(dispatch.id, at, 10, config["MESSAGING_CLAIM_SECONDS"])
    if token is None:  # the person is no longer reachable
        return None
    compiled = services.compiled_for(dispatch)
    with MailerPool(config) as mailer:  # handed no message: nothing is sent
        services.deliver_claimed(dispatch, token, compiled, mailer, at)
    services.complete_if_done(dispatch, at)
    return dispatch


def _read_some(rng: random.Random, person: User, dispatches: list[Dispatch], now: datetime):
    """Mark older messages read, oldest first, each a few hours to a day after it came,
    in office hours; the newest stay unread, and so does any message newer than one
    not read yet (its reading would come after `now`): the unread are the newest."""
    rows = db.session.execute(
        select(Delivery.id, Delivery.delivered_at)
        .where(
            Delivery.dispatch_id.in_([d.id for d in dispatches]),
            Delivery.channel == "inbox",
            Delivery.status == "delivered",
        )
        .order_by(Delivery.delivered_at.desc(), Delivery.id.desc())
    ).all()
    for delivery_id, delivered_at in reversed(rows[UNREAD_NEWEST:]):
        later = delivered_at + timedelta(minutes=rng.randint(20, 26 * 60))
        read_at = _next_office_moment(rng, later)
        if read_at > now:
            break
        services.mark_read(person, delivery_id, read_at)
