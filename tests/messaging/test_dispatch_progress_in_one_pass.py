"""A dispatch's page at the scale of a launch (40,000 deliveries): its counts by channel
and status, opened, skipped by reason, errors and consents taken from one grouped pass
over the deliveries, the same figures as each counted on its own; and its progress block,
which looked again every 10 s all night while e-mails waited for the working hours, now
looking every 5 minutes then, and when they resume."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update

from app.extensions import db
from app.messaging import jobs, queries, services
from app.messaging.models import SKIP_NO_CONSENT, Delivery
from tests.conftest import login

# Saturday 19 December 2026, 10:00 in Paris: e-mails wait for Monday 08:00.
SATURDAY = datetime(2026, 12, 19, 9, 0, tzinfo=UTC)
# Monday 21 December 2026, 07:58 in Paris: two minutes before the e-mails go.
MONDAY_EARLY = datetime(2026, 12, 21, 6, 58, tzinfo=UTC)
# Monday 21 December 2026, 09:00 in Paris: e-mails go.
MONDAY = datetime(2026, 12, 21, 8, 0, tzinfo=UTC)
HX = {"HX-Request": "true"}


@pytest.fixture
def held_on_saturday(make, template, config):
    """A message sent to five people on Saturday (four accept e-mails): in their inboxes
    at once, their e-mails waiting for Monday."""
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00", TIMEZONE="Europe/Paris")
    for n in range(4):
        make.user(email=f"consenting{n}@example.org", email_opt_in=True)
    make.user(email="declined@example.org", email_opt_in=False)
    dispatch = services.create_dispatch(template(), "everyone", {}, SATURDAY, SATURDAY)
    db.session.commit()
    jobs.deliver_due(clock=lambda: SATURDAY + timedelta(minutes=1))
    return dispatch


@pytest.fixture
def clock(monkeypatch):
    """The moment the dispatch's page is looked at."""

    def at(moment: datetime) -> None:
        monkeypatch.setattr("app.messaging.routes.utcnow", lambda: moment)

    return at


def _refresh(page: str) -> str | None:
    found = re.search(r'id="dispatch-progress"[^>]*hx-trigger="([^"]+)"', page)
    return found.group(1) if found else None


def _organiser_page(client, make, dispatch, headers=None) -> str:
    login(client, make.user(roles=("organiser",), locale="en"))
    answer = client.get(f"/messaging/dispatches/{dispatch.id}", headers=headers or {})
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_while_only_emails_wait_for_monday_the_block_looks_every_five_minutes(
    client, make, held_on_saturday, clock, headers
):
    clock(SATURDAY + timedelta(minutes=5))
    page = _organiser_page(client, make, held_on_saturday, headers)
    assert _refresh(page) == "every 300s"
    assert "Until then, these figures are updated every 5 minutes." in page


def test_two_minutes_before_the_emails_go_the_block_looks_when_they_do(
    client, make, held_on_saturday, clock
):
    clock(MONDAY_EARLY)
    page = _organiser_page(client, make, held_on_saturday, HX)
    assert _refresh(page) == "every 130s"  # 08:00, and the sender's first 10 s
    assert "Until then" not in page


def test_once_the_emails_may_go_the_block_looks_every_ten_seconds(
    client, make, held_on_saturday, clock
):
    clock(MONDAY)
    page = _organiser_page(client, make, held_on_saturday, HX)
    assert _refresh(page) == "every 10s"
    assert "Until then" not in page


def test_inbox_copies_still_to_send_keep_the_ten_second_look(client, make, held_on_saturday, clock):
    db.session.execute(
        update(Delivery)
        .where(Delivery.dispatch_id == held_on_saturday.id, Delivery.channel == "inbox")
        .values(status="pending")
    )
    db.session.commit()
    clock(SATURDAY + timedelta(minutes=5))
    assert _refresh(_organiser_page(client, make, held_on_saturday, HX)) == "every 10s"


def _mixed(dispatch) -> None:
    """Rows of every kind: read, retrying, failed, skipped for another reason."""
    rows = db.session.scalars(
        select(Delivery).where(Delivery.dispatch_id == dispatch.id).order_by(Delivery.id)
    ).all()
    inbox = [r for r in rows if r.channel == "inbox"]
    email = [r for r in rows if r.channel == "email" and r.status == "pending"]
    inbox[0].read_at = inbox[1].read_at = SATURDAY + timedelta(hours=1)
    inbox[2].status, inbox[2].error = "skipped", "inactive"
    email[0].status, email[0].error, email[0].attempts = "failed", "recipient_refused", 5
    email[1].error, email[1].attempts = "timeout", 2
    email[1].next_attempt_at = SATURDAY + timedelta(hours=2)
    email[2].status, email[2].delivered_at = "delivered", SATURDAY
    db.session.commit()


def _counted_one_by_one(dispatch_id: int) -> dict:
    """The figures as the page counted them before, each with its own statement."""
    where = Delivery.dispatch_id == dispatch_id
    by_status = db.session.execute(
        select(Delivery.channel, Delivery.status, func.count())
        .where(where)
        .group_by(Delivery.channel, Delivery.status)
    ).all()
    opened = db.session.scalar(
        select(func.count()).where(
            where, Delivery.channel == "inbox", Delivery.read_at.is_not(None)
        )
    )
    skipped = db.session.execute(
        select(Delivery.channel, Delivery.error, func.count())
        .where(where, Delivery.status == "skipped")
        .group_by(Delivery.channel, Delivery.error)
    ).all()
    without_consent = db.session.scalar(
        select(func.count()).where(
            where, Delivery.channel == "email", Delivery.error == SKIP_NO_CONSENT
        )
    )
    return {
        "by_status": sorted(by_status),
        "opened": opened,
        "skipped": sorted(skipped, key=str),
        "without_consent": without_consent,
    }


def test_the_tally_gives_the_figures_each_statement_counted(held_on_saturday):
    _mixed(held_on_saturday)
    tally = queries.delivery_tally(held_on_saturday.id)
    counts = queries.dispatch_counts(held_on_saturday.id, tally=tally)
    expected = _counted_one_by_one(held_on_saturday.id)
    assert (
        sorted(
            (channel, status, count)
            for channel, statuses in counts["channels"].items()
            for status, count in statuses.items()
            if count
        )
        == expected["by_status"]
    )
    assert counts["opened"] == expected["opened"] == 2
    skips = queries.skipped_by_reason(held_on_saturday.id, tally=tally)
    assert sorted(skips, key=str) == expected["skipped"]
    assert queries.who_receives(held_on_saturday, tally=tally)[1] == expected["without_consent"]
    assert queries.failures_by_kind(held_on_saturday.id, tally=tally) == (
        queries.failures_by_kind(held_on_saturday.id)
    )
    assert queries.failed_deliveries(held_on_saturday.id, tally=tally) == (
        queries.failed_deliveries(held_on_saturday.id)
    )
    assert len(queries.failed_deliveries(held_on_saturday.id, tally=tally)) == 2


def _statements_reading_deliveries(client, path: str) -> int:
    seen = []

    def note(_conn, _cursor, statement, *_args):
        if "messaging_delivery.dispatch_id = " in statement:  # not the unread badge's
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return len(seen)


def test_the_page_of_a_dispatch_without_errors_reads_its_deliveries_once(
    client, make, held_on_saturday, clock
):
    clock(SATURDAY + timedelta(minutes=5))
    login(client, make.user(roles=("admin",), locale="en"))
    assert (
        _statements_reading_deliveries(client, f"/messaging/dispatches/{held_on_saturday.id}") == 1
    )
