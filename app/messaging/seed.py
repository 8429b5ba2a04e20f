"""Demo data: the built-in templates, and an inbox history for the demo accounts.

Someone trying the portal, and the bench timing the inbox, should find what a person
finds after a few weeks of use: weekly digests and the notices about their own
requests and entries, some read, the latest not yet. Each message goes through the
outbox as any dispatch does (the built-in template, the person's variables and
language, delivered to the portal inbox), dated when it would have been sent.
"""

import random
from datetime import datetime, timedelta

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
from app.messaging.models import NOTICE_AUDIENCE, Delivery, Dispatch
from app.messaging.rendering import CompiledTemplate

DIGEST_WEEKS = 8
# The newest messages are still unread, as in anybody's inbox; older ones mostly read.
UNREAD_NEWEST = 2
READ_SHARE = 0.85


def seed_messaging(rng: random.Random) -> None:
    """The built-in templates, then each demo account's inbox of the past weeks."""
    ensure_builtin_templates()
    now = utcnow().replace(microsecond=0)
    people = db.session.scalars(
        select(User).where(User.email.in_([email for email, _n, _r in DEMO_ACCOUNTS]))
    ).all()
    for person in sorted(people, key=lambda p: p.id):
        dispatches = _notices_already_due(person, now)  # before the digests join them
        dispatches += [_digest(person, at) for at in _digest_moments(rng, now)]
        dispatches += _request_decisions(rng, person, now)
        delivered = [_deliver_to_inbox(dispatch) for dispatch in dispatches]
        _read_some(rng, person, [d for d in delivered if d is not None], now)


def _digest_moments(rng: random.Random, now: datetime) -> list[datetime]:
    """The past DIGEST_WEEKS Mondays at about 9:00 (Paris), a few minutes apart."""
    zone = local_zone()
    local = now.astimezone(zone)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    moments = []
    for week in range(DIGEST_WEEKS + 1):
        at = (monday - timedelta(weeks=week)).astimezone(now.tzinfo)
        at += timedelta(minutes=rng.randint(0, 20), seconds=rng.randint(0, 59))
        if at < now:
            moments.append(at)
    return moments[:DIGEST_WEEKS]


def _digest(person: User, at: datetime) -> Dispatch:
    """That week's digest for this person, as a weekly schedule would have sent it."""
    return services.create_dispatch(
        services.template_by_key("weekly-digest"),
        NOTICE_AUDIENCE,
        {"user_id": person.id},
        at,
        at,
        dedupe_key=f"demo:{person.id}:digest:{at:%Y%m%d}",
    )


def _notices_already_due(person: User, now: datetime) -> list[Dispatch]:
    """Notices the other domains' seeds gave this person (an entry set aside), due by now."""
    due = db.session.scalars(
        select(Dispatch).where(
            Dispatch.audience_key == NOTICE_AUDIENCE,
            Dispatch.status == "scheduled",
            Dispatch.due_at <= now,
        )
    )
    return [d for d in due if d.audience_params.get("user_id") == person.id]


def _request_decisions(rng: random.Random, person: User, now: datetime) -> list[Dispatch]:
    """The notice of each decision on the person's requests of the past weeks."""
    requests = db.session.execute(
        select(CatalogueRequest.id, CatalogueRequest.status, CatalogueRequest.decided_at).where(
            CatalogueRequest.user_id == person.id,
            CatalogueRequest.decided_at > now - timedelta(weeks=DIGEST_WEEKS),
            CatalogueRequest.status.in_(("approved", "refused")),
        )
    ).all()
    notices = []
    for request_id, status, decided_at in requests:
        at = decided_at + timedelta(minutes=rng.randint(1, 5))  # the scheduler's next tick
        notice = services.decision_notice(request_id, person.id, status == "approved", at)
        if notice is not None:
            notices.append(notice)
    return notices


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
        .values(status="skipped")
        .execution_options(synchronize_session=False)
    )
    config = current_app.config
    token = services.claim_batch(dispatch.id, at, 10, config["MESSAGING_CLAIM_SECONDS"])
    if token is None:  # the person is no longer reachable
        return None
    compiled = CompiledTemplate.compile(dispatch.template)
    with MailerPool(config) as mailer:  # handed no message: nothing is sent
        services.deliver_claimed(dispatch, token, compiled, mailer, at)
    services.complete_if_done(dispatch, at)
    return dispatch


def _read_some(rng: random.Random, person: User, dispatches: list[Dispatch], now: datetime):
    """Mark older messages read, a few hours to a day after they came; the newest stay unread."""
    rows = db.session.execute(
        select(Delivery.id, Delivery.delivered_at)
        .where(
            Delivery.dispatch_id.in_([d.id for d in dispatches]),
            Delivery.channel == "inbox",
            Delivery.status == "delivered",
        )
        .order_by(Delivery.delivered_at.desc())
    ).all()
    for delivery_id, delivered_at in rows[UNREAD_NEWEST:]:
        if rng.random() < READ_SHARE:
            read_at = min(delivered_at + timedelta(minutes=rng.randint(20, 26 * 60)), now)
            services.mark_read(person, delivery_id, read_at)
