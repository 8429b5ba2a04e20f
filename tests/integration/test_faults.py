"""Issue 7's SMTP fault with the real component: the server stops for a while, the
deliveries wait (the inbox does not), and complete when the same server is back."""

from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery, Dispatch
from tests.integration.conftest import NOW
from tests.messaging.conftest import Collector, free_port


def _rows(dispatch):
    return {
        (row.user_id, row.channel): row
        for row in db.session.scalars(select(Delivery).where(Delivery.dispatch_id == dispatch.id))
    }


def test_smtp_stopped_then_restarted_on_the_same_port_delivers_every_waiting_email(
    app, make, template, config
):
    port = free_port()
    config(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MESSAGING_RETRY_SECONDS=60)
    people = [make.user(email=f"p{n}@example.org", email_opt_in=True) for n in range(3)]
    first = Collector()
    server = Controller(first, hostname="127.0.0.1", port=port)
    server.start()
    server.stop()  # the mail server goes down before the dispatch is due

    dispatch = services.create_dispatch(template(), "everyone", {}, NOW, NOW)
    db.session.commit()
    counts = jobs.deliver_due(clock=lambda: NOW)
    rows = _rows(dispatch)
    assert counts == 1
    assert all(rows[(p.id, "inbox")].status == "delivered" for p in people)
    waiting = [rows[(p.id, "email")] for p in people]
    assert {r.status for r in waiting} == {"pending"}
    assert all(r.error == "unreachable" for r in waiting)  # a code, said in words on its page
    assert all(r.next_attempt_at == NOW + timedelta(seconds=60) for r in waiting)

    # Before the backoff is over nothing is tried, even though a tick runs.
    jobs.deliver_due(clock=lambda: NOW + timedelta(seconds=30))
    db.session.expire_all()
    assert [_rows(dispatch)[(p.id, "email")].attempts for p in people] == [1, 1, 1]

    # Still down at the next attempt: the backoff doubles.
    jobs.deliver_due(clock=lambda: NOW + timedelta(seconds=61))
    db.session.expire_all()
    second_try = NOW + timedelta(seconds=61 + 120)
    assert {_rows(dispatch)[(p.id, "email")].next_attempt_at for p in people} == {second_try}

    # The same server is back on the same port: every waiting e-mail goes, once.
    back = Collector()
    server = Controller(back, hostname="127.0.0.1", port=port)
    server.start()
    try:
        jobs.deliver_due(clock=lambda: second_try)
    finally:
        server.stop()
    db.session.expire_all()
    assert sorted(back.recipients()) == sorted(p.email for p in people)
    rows = _rows(dispatch)
    assert {rows[(p.id, channel)].status for p in people for channel in ("inbox", "email")} == {
        "delivered"
    }
    assert db.session.get(Dispatch, dispatch.id).status == "done"
    assert first.recipients() == []
