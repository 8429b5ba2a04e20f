"""`flask scheduler run` told to stop (SIGTERM, as `systemctl restart` does) while it
sends a dispatch: it stops after the e-mails in flight, lets go of the rows it claimed
and did not send, and says in one INFO line how many are left; the next scheduler sends
them at once, each exactly once."""

import asyncio
import re
import signal
import subprocess
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.models import Delivery, Dispatch
from tests.messaging.conftest import Collector, free_port
from tests.messaging.test_processes import FLASK, ROOT, _env, _people, _wait_for

PEOPLE = 200
STOPPED = re.compile(
    r"INFO empreinte\.messaging Dispatch \d+ stopped mid-dispatch .*: (\d+) e-mails and "
    r"(\d+) inbox messages left for the next run\."
)


class SlowCollector(Collector):
    """A mail server taking 20 ms per message: the stop comes while the dispatch sends."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp():
    handler = SlowCollector()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port, enable_SMTPUTF8=True)
    controller.start()
    yield handler
    controller.stop()


def _start_scheduler(env, log_path):
    log = log_path.open("w")
    process = subprocess.Popen(
        [*FLASK, "scheduler", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    process.log = log
    return process


def _stop(process, timeout=20):
    """SIGTERM, as systemd stops it; never left running for the tests after this one."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.log.close()


def _pending(channel):
    """The dispatch's rows of a channel not sent yet."""
    db.session.rollback()
    return db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.status == "pending", Delivery.channel == channel)
    )


def _claimed():
    """Rows not sent and still claimed: the next scheduler would wait for their lease."""
    return db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.status == "pending", Delivery.claim_token.is_not(None))
    )


@pytest.mark.slow
def test_a_scheduler_stopped_mid_dispatch_releases_its_claims_and_the_next_sends_the_rest(
    app, template, slow_smtp, tmp_path
):
    _people(PEOPLE)
    dispatch = services.create_dispatch(template(), "everyone", {}, utcnow(), utcnow())
    db.session.commit()
    env = _env(
        app,
        slow_smtp.port,
        tmp_path,
        MESSAGING_BATCH_SIZE=50,
        MESSAGING_SMTP_CONNECTIONS=2,
        # Rows still claimed after the stop would wait this long: the test would time out.
        MESSAGING_CLAIM_SECONDS=120,
    )
    first_log = tmp_path / "first.log"
    first = _start_scheduler(env, first_log)
    try:
        deadline = time.monotonic() + 30
        while len(slow_smtp.recipients()) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        _stop(first)
    sent_before = len(slow_smtp.recipients())
    output = first_log.read_text()
    assert first.returncode == 0, output
    assert "ERROR" not in output and "Traceback" not in output, output
    emails_left = _pending("email")
    assert 0 < emails_left < PEOPLE, "stopped too late to test a stop mid-dispatch"
    assert _claimed() == 0, "rows left claimed: the next scheduler waits for their lease"
    said = [(int(m.group(1)), int(m.group(2))) for m in STOPPED.finditer(output)]
    assert said == [(emails_left, _pending("inbox"))], output
    # Every e-mail the server took is recorded as delivered: none is sent again.
    delivered = db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.channel == "email", Delivery.status == "delivered")
    )
    assert delivered == sent_before

    second = _start_scheduler(env, tmp_path / "second.log")
    try:
        done = _wait_for(lambda: db.session.get(Dispatch, dispatch.id).status == "done", timeout=15)
    finally:
        _stop(second)
    assert done, (tmp_path / "second.log").read_text()
    received = Counter(slow_smtp.recipients())
    assert set(received) == {f"p{i}@example.org" for i in range(PEOPLE)}
    assert set(received.values()) == {1}
