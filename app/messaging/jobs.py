"""Delivery runs: they commit per batch, so a killed sender loses at most one batch of work;
one told to stop (`stop_sending`) loses none."""

import logging
import time
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.labels import FINISHED_SENDING
from app.messaging.mailer import MailerPool, stopping
from app.messaging.models import Delivery, Dispatch, Schedule
from app.messaging.recipients import RecipientVariables

log = logging.getLogger("empreinte.messaging")


def stop_sending() -> None:
    """Tell this process's delivery runs to stop, as `flask scheduler run` does when told
    to stop (SIGTERM, SIGINT): the e-mails in flight go, the rows claimed and not sent are
    let go at once (a restarted scheduler sends them without waiting for their claim to
    run out, and never twice), and no further batch or dispatch starts."""
    stopping.set()


def run_dispatch(
    dispatch_id: int, clock: Callable[[], datetime] = utcnow, wait_for_leases: bool = False
) -> dict[str, int]:
    """Write the outbox if needed, then claim and deliver batches until nothing is due.

    `wait_for_leases`: wait for rows claimed by a sender that died to be free again
    (the CLI does; the scheduler simply comes back at its next tick).
    """
    config = current_app.config
    dispatch = db.session.get(Dispatch, dispatch_id)
    if dispatch is None or dispatch.status in (*FINISHED_SENDING, "cancelled", "skipped"):
        return counts_by_status(dispatch_id)
    if dispatch.status == "scheduled":
        if stopping.is_set():  # not started: the next run starts it
            return counts_by_status(dispatch_id)
        if services.skip_if_not_sendable(dispatch, clock()):
            db.session.commit()
            return counts_by_status(dispatch_id)
        if services.prepare_dispatch(dispatch, clock()) is None:  # cancelled meanwhile
            db.session.commit()
            return counts_by_status(dispatch_id)
        db.session.commit()
    compiled = services.compiled_for(dispatch)
    variables = RecipientVariables(
        dispatch.id, dispatch.context, config["MESSAGING_VARIABLES_WINDOW"]
    )
    while True:
        if stopping.is_set():  # between batches: none claimed, none held
            break
        now = clock()
        token = services.claim_batch(
            dispatch.id, now, config["MESSAGING_BATCH_SIZE"], config["MESSAGING_CLAIM_SECONDS"]
        )
        db.session.commit()  # the claim must be visible to other senders before we send
        if token is None:
            if wait_for_leases and services.leased_elsewhere(dispatch.id, now):
                db.session.rollback()
                time.sleep(0.5)
                continue
            break
        with MailerPool(config) as mailer:  # SMTP connections opened per batch
            services.deliver_claimed(dispatch, token, compiled, mailer, now, variables)
        db.session.commit()
    if stopping.is_set():
        left = pending_by_channel(dispatch.id)
        if left:
            # An operator's restart, not a failure: one INFO line, no traceback.
            log.info(
                "Dispatch %s stopped mid-dispatch (the process is stopping): %s e-mails and "
                "%s inbox messages left for the next run.",
                dispatch.id,
                left.get("email", 0),
                left.get("inbox", 0),
            )
            return counts_by_status(dispatch_id)
    services.complete_if_done(dispatch, clock())
    db.session.commit()
    return counts_by_status(dispatch_id)


def counts_by_status(dispatch_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.dispatch_id == dispatch_id)
        .group_by(Delivery.status)
    ).all()
    return dict(rows)


def pending_by_channel(dispatch_id: int) -> dict[str, int]:
    """A dispatch's rows not delivered yet, by channel (`email`, `inbox`)."""
    rows = db.session.execute(
        select(Delivery.channel, func.count())
        .where(Delivery.dispatch_id == dispatch_id, Delivery.status == "pending")
        .group_by(Delivery.channel)
    ).all()
    return dict(rows)


def deliver_due(clock: Callable[[], datetime] = utcnow, wait_for_leases: bool = False) -> int:
    """Every dispatch due now or still sending: write outboxes, deliver what may go out."""
    now = clock()
    ids = db.session.scalars(
        select(Dispatch.id)
        .where(
            (Dispatch.status == "sending")
            | ((Dispatch.status == "scheduled") & (Dispatch.due_at <= now))
        )
        .order_by(Dispatch.due_at, Dispatch.id)
    ).all()
    db.session.commit()
    for dispatch_id in ids:
        if stopping.is_set():  # the next run starts the dispatches left
            break
        try:
            run_dispatch(dispatch_id, clock, wait_for_leases)
        except Exception:  # one broken dispatch must not stop the others
            db.session.rollback()
            log.exception("dispatch %s failed", dispatch_id)
    return len(ids)


def run_schedule(schedule_id: int, clock: Callable[[], datetime] = utcnow) -> None:
    """One occurrence of a recurring schedule: create its dispatch and deliver it."""
    schedule = db.session.get(Schedule, schedule_id)
    if schedule is None or not schedule.active:
        return
    dispatch = services.dispatch_for_schedule(schedule, clock())
    db.session.commit()
    if dispatch is not None:
        run_dispatch(dispatch.id, clock)
