"""Privacy review: what messaging keeps past its retention periods, and what the data
export gives back. An e-mail that never went loses its content and its error's text like a
delivered message loses its body; a notice to one person stops saying, past the clean-up
retention, which entry it was about and whom; the export lists every e-mail, sent or not."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from app.cleanup import services as cleanup
from app.cleanup.services import months_before
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery, Dispatch
from tests.conftest import login
from tests.messaging.conftest import Collector, free_port

# A Tuesday, 10:00 in Paris.
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class RefusingCollector(Collector):
    """A mail server refusing every recipient, naming the address in its answer."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected"


@pytest.fixture
def smtp_refusing(app, config):
    """A real SMTP server that refuses every recipient; one attempt only."""
    port = free_port()
    controller = Controller(RefusingCollector(), hostname="127.0.0.1", port=port)
    controller.start()
    config(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MESSAGING_MAX_ATTEMPTS=1)
    yield
    controller.stop()


def _failed_email(make, template) -> tuple:
    """A message to everyone whose e-mail to paul@example.org the server refused: the
    person, and the dispatch."""
    paul = make.user(email="paul@example.org", display_name="Paul Dubois", email_opt_in=True)
    dispatch = services.create_dispatch(template(), "everyone", {}, TUESDAY, TUESDAY)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY)
    return paul, dispatch


def _email_row(person) -> Delivery:
    db.session.expire_all()
    return db.session.scalar(
        select(Delivery).where(Delivery.channel == "email", Delivery.user_id == person.id)
    )


def test_a_failed_email_keeps_its_content_and_reason_until_the_retention_days(
    make, template, smtp_refusing
):
    paul, _dispatch = _failed_email(make, template)
    services.apply_message_retention(TUESDAY + timedelta(days=89))
    row = _email_row(paul)
    assert (row.status, row.subject) == ("failed", "Bonjour Paul")
    # Its error is the kind of failure, never the server's text (which held the address).
    assert row.error == "recipient_refused" and row.body.startswith("Bonjour Paul")


def test_a_failed_email_loses_its_content_and_the_address_in_its_error_after_them(
    make, template, smtp_refusing
):
    paul, dispatch = _failed_email(make, template)
    before = jobs.counts_by_status(dispatch.id)
    services.apply_message_retention(TUESDAY + timedelta(days=90))
    row = _email_row(paul)
    assert (row.status, row.subject, row.body, row.error) == (
        "failed",
        None,
        None,
        "recipient_refused",
    )
    assert jobs.counts_by_status(dispatch.id) == before


def test_a_failed_email_is_still_listed_on_its_dispatch_page_after_the_purge(
    client, make, template, smtp_refusing
):
    _paul, dispatch = _failed_email(make, template)
    services.apply_message_retention(TUESDAY + timedelta(days=90))
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True)
    assert "The mail server refused this address." in page
    assert "SMTPRecipientsRefused" not in page and "Recipient address rejected" not in page


def test_the_export_lists_my_failed_email_with_its_reason_and_content(
    make, template, smtp_refusing
):
    paul, _dispatch = _failed_email(make, template)
    exported = services.export_messages(paul)
    email = next(m for m in exported if m["channel"] == "email")
    assert (email["status"], email["subject"]) == ("failed", "Bonjour Paul")
    assert email["error_name"] == "Le serveur de messagerie a refusé cette adresse."
    assert email["delivered_at"] is None
    assert email["written_at"].startswith("2026-12-01T10:00")


def test_the_export_lists_the_emails_skipped_for_want_of_consent(make, template):
    person = make.user(email_opt_in=False)
    dispatch = services.create_dispatch(template(), "everyone", {}, TUESDAY, TUESDAY)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY)
    exported = services.export_messages(person)
    assert [(m["channel"], m["status"]) for m in exported] == [
        ("inbox", "delivered"),
        ("email", "skipped"),
    ]


# --- notices past the clean-up retention ----------------------------------------------


@pytest.fixture
def rejected_notice(make, make_campaign):
    """A flagged entry an organiser rejected with a reason naming someone, its notice
    delivered to the author; returns (author, dispatch)."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    db.session.execute(update(Dispatch).values(status="cancelled"))  # the campaign's own
    db.session.commit()
    author = make.user(locale="en")
    entry = cleanup.log_action(author, campaign, "delete-mail", 15, now)
    db.session.commit()
    assert entry.status == "flagged"
    organiser = make.user(roles=("organiser",))
    cleanup.review_action(entry, organiser, False, "Paul Dubois logged it on Monday", now)
    db.session.commit()
    assert jobs.deliver_due() == 1
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.audience_key == "person"))
    return author, dispatch


def _stored(dispatch: Dispatch) -> str:
    db.session.expire_all()
    row = db.session.get(Dispatch, dispatch.id)
    return json.dumps([row.context, row.audience_params, row.dedupe_key])


def test_a_notice_keeps_its_entry_and_reason_within_the_cleanup_retention(app, rejected_notice):
    author, dispatch = rejected_notice
    months = app.config["ACTION_RETENTION_MONTHS"]
    services.apply_message_retention(months_before(dispatch.completed_at, -months) - timedelta(1))
    stored = _stored(dispatch)
    assert "Paul Dubois" in stored and f'"user_id": {author.id}' in stored


def test_a_notice_no_longer_names_its_entry_nor_its_person_past_the_cleanup_retention(
    app, rejected_notice
):
    author, dispatch = rejected_notice
    entry_id = dispatch.context["entry_id"]
    before = jobs.counts_by_status(dispatch.id)
    months = app.config["ACTION_RETENTION_MONTHS"]
    services.apply_message_retention(months_before(dispatch.completed_at, -months))
    db.session.commit()
    stored = _stored(dispatch)
    assert "Paul Dubois" not in stored and str(entry_id) not in stored
    assert str(author.id) not in stored and stored == "[{}, {}, null]"
    assert jobs.counts_by_status(dispatch.id) == before
    later = months_before(dispatch.completed_at, -months - 1)
    assert services.strip_old_notices(later, months) == 0  # not read again once stripped


def test_pages_still_show_a_stripped_notice_and_its_dispatches(client, app, make, rejected_notice):
    author, dispatch = rejected_notice
    months = app.config["ACTION_RETENTION_MONTHS"]
    services.apply_message_retention(months_before(dispatch.completed_at, -months))
    db.session.commit()
    login(client, author)
    inbox = client.get("/messaging/")
    assert inbox.status_code == 200 and "Your entry does not count" in inbox.get_data(as_text=True)
    login(client, make.user(roles=("organiser",), locale="en"))
    assert client.get("/messaging/dispatches").status_code == 200
    assert client.get(f"/messaging/dispatches/{dispatch.id}").status_code == 404  # a notice


def test_deleting_a_message_takes_the_address_out_of_its_failed_emails_error(
    make, template, smtp_refusing
):
    paul, dispatch = _failed_email(make, template)
    before = jobs.counts_by_status(dispatch.id)
    inbox_row = db.session.scalar(
        select(Delivery).where(Delivery.channel == "inbox", Delivery.user_id == paul.id)
    )
    assert services.delete_message(paul, inbox_row.id, TUESDAY)
    db.session.commit()

    row = _email_row(paul)
    assert (row.status, row.subject, row.error) == ("failed", None, "recipient_refused")
    assert jobs.counts_by_status(dispatch.id) == before
