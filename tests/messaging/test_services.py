"""Messaging rules: validation, the outbox, delivery, working hours, retries, campaigns."""

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.cleanup import services as cleanup
from app.core.signals import campaign_closed, campaign_published
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.mailer import MailerPool
from app.messaging.models import Delivery, Dispatch
from app.messaging.rendering import CompiledTemplate, check_template, portal_copy
from tests.cleanup.conftest import NOW
from tests.conftest import CSRF_RE
from tests.factories import DEFAULT_PASSWORD
from tests.messaging.conftest import Collector, free_port

# A Tuesday, 10:00 in Paris; and a Saturday.
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
VALID = {
    "subject_fr": "Bonjour",
    "body_fr": "Salut {{ first_name }}",
    "subject_en": "Hello",
    "body_en": "Hi {{ first_name }}",
}


def test_syntax_error_is_refused_with_its_line():
    problems = check_template({**VALID, "body_en": "Hi\n\n{% if first_name %}unclosed"})
    assert [(p.field, p.line) for p in problems] == [("body_en", 3)]


def test_unknown_variable_is_refused_with_its_line_and_name():
    problems = check_template({**VALID, "body_fr": "Salut\n{{ frist_name }}"})
    assert len(problems) == 1
    assert problems[0].line == 2
    assert "frist_name" in problems[0].reason


def test_a_missing_language_is_refused():
    problems = check_template({**VALID, "body_en": "  "})
    assert [p.field for p in problems] == ["body_en"]


def test_the_sandbox_refuses_reaching_python_internals():
    problems = check_template({**VALID, "body_fr": "{{ first_name.__class__.__mro__ }}"})
    assert problems and problems[0].field == "body_fr"


def test_variables_from_other_domains_are_known_once_registered(points_provider):
    assert check_template({**VALID, "body_fr": "{{ points }} pts, {{ team_name }}"}) == []


def test_the_inbox_copy_keeps_a_line_whose_link_only_begins_like_the_inbox_link():
    body = (
        "Hi\n\nTemplates: https://x.example/messaging/templates.\n\n"
        "Your inbox: https://x.example/messaging/.\nStop: https://x.example/messaging/u/tok"
    )
    links = ["https://x.example/messaging/", "https://x.example/messaging/u/tok"]
    assert portal_copy(body, links) == "Hi\n\nTemplates: https://x.example/messaging/templates."


def _dispatch_to_everyone(template, now, **kwargs):
    dispatch = services.create_dispatch(template, "everyone", {}, now, now, **kwargs)
    db.session.commit()
    return dispatch


def test_dispatch_delivers_inbox_to_all_and_email_only_to_consenting(make, template, smtp):
    yes = make.user(email="yes@example.org", display_name="Ana Yes", email_opt_in=True, locale="en")
    no = make.user(email="no@example.org", email_opt_in=False)
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    counts = jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY)
    # two people + the template's author (not consenting by default)
    assert counts == {"delivered": 3 + 1, "skipped": 2}
    assert smtp.recipients() == ["yes@example.org"]
    inbox = db.session.scalars(
        select(Delivery.user_id).where(Delivery.channel == "inbox", Delivery.status == "delivered")
    ).all()
    assert {yes.id, no.id} <= set(inbox)
    assert db.session.get(Dispatch, dispatch.id).status == "done"


def test_email_is_html_and_text_in_the_recipients_language_with_unsubscribe_headers(
    make, template, smtp
):
    make.user(email="léa@example.org", display_name="Léa Roux", email_opt_in=True, locale="en")
    jobs.run_dispatch(_dispatch_to_everyone(template(), TUESDAY).id, clock=lambda: TUESDAY)
    to, message = smtp.messages[0]
    assert to == "léa@example.org"
    assert message["Subject"] == "Hello Léa"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Léa." in text and "Hello Léa." in html
    assert "/messaging/unsubscribe/" in message["List-Unsubscribe"]


def test_someone_who_signed_in_from_an_english_browser_gets_english_email(
    client, make, template, smtp
):
    """No language chosen: the e-mail follows the language the portal was read in."""
    person = make.user(email="sam@example.org", display_name="Sam Reed", email_opt_in=True)
    page = client.get("/auth/sign-in", headers={"Accept-Language": "en"}).get_data(as_text=True)
    form = {
        "email": person.email,
        "password": DEFAULT_PASSWORD,
        "csrf_token": CSRF_RE.search(page)[1],
    }
    client.post("/auth/sign-in", data=form, headers={"Accept-Language": "en"})
    jobs.run_dispatch(_dispatch_to_everyone(template(), TUESDAY).id, clock=lambda: TUESDAY)
    subjects = {to: message["Subject"] for to, message in smtp.messages}
    assert subjects["sam@example.org"] == "Hello Sam"


def test_outside_working_hours_email_waits_but_the_inbox_does_not(make, template, smtp, config):
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00")
    make.user(email="yes@example.org", email_opt_in=True)
    dispatch = _dispatch_to_everyone(template(), SATURDAY)
    counts = jobs.run_dispatch(dispatch.id, clock=lambda: SATURDAY)
    assert counts["pending"] == 1 and smtp.recipients() == []
    assert services.next_working_window(SATURDAY) == datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    monday = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
    counts = jobs.run_dispatch(dispatch.id, clock=lambda: monday)
    assert smtp.recipients() == ["yes@example.org"]
    assert "pending" not in counts


def test_smtp_down_makes_deliveries_wait_then_complete(make, template, app, smtp_down):
    make.user(email="yes@example.org", email_opt_in=True)
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    counts = jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY)
    row = db.session.scalar(
        select(Delivery).where(Delivery.channel == "email", Delivery.status == "pending")
    )
    assert counts["pending"] == 1 and row.error == "unreachable"
    assert row.next_attempt_at == TUESDAY + timedelta(seconds=app.config["MESSAGING_RETRY_SECONDS"])


def test_smtp_back_after_a_while_delivers_the_waiting_email(
    make, template, app, smtp_down, request
):
    make.user(email="yes@example.org", email_opt_in=True)
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY)
    smtp = request.getfixturevalue("smtp")
    later = TUESDAY + timedelta(minutes=5)
    counts = jobs.run_dispatch(dispatch.id, clock=lambda: later)
    assert smtp.recipients() == ["yes@example.org"] and "pending" not in counts


def test_after_the_last_attempt_the_failure_is_recorded_with_its_reason(
    make, template, config, smtp_down
):
    config(MESSAGING_MAX_ATTEMPTS=2)
    make.user(email="yes@example.org", email_opt_in=True)
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY)
    jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY + timedelta(hours=1))
    row = db.session.scalar(
        select(Delivery).where(
            Delivery.channel == "email", Delivery.user_id.isnot(None), Delivery.status == "failed"
        )
    )
    assert row is not None and row.attempts == 2 and row.error == "unreachable"


def test_two_senders_never_claim_the_same_rows(make, template, config):
    for _ in range(5):
        make.user()
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    services.prepare_dispatch(dispatch, TUESDAY)
    first = services.claim_batch(dispatch.id, TUESDAY, 4, 60)
    second = services.claim_batch(dispatch.id, TUESDAY, 100, 60)
    db.session.commit()
    a = set(db.session.scalars(select(Delivery.id).where(Delivery.claim_token == first)))
    b = set(db.session.scalars(select(Delivery.id).where(Delivery.claim_token == second)))
    assert len(a) == 4 and b and not a & b
    assert services.claim_batch(dispatch.id, TUESDAY, 100, 60) is None


def test_the_outbox_is_unique_per_recipient_and_channel(make, template):
    make.user()
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    services.prepare_dispatch(dispatch, TUESDAY)
    db.session.commit()
    dispatch.status = "scheduled"  # as if a sender wrote its outbox a second time
    db.session.commit()
    with pytest.raises(Exception, match=r"(?i)unique"):
        services.prepare_dispatch(dispatch, TUESDAY)
        db.session.commit()
    db.session.rollback()


def _stale(dispatch, status: str) -> None:
    """Another process moved the dispatch to `status`; this one still holds "scheduled"."""
    db.session.execute(update(Dispatch).where(Dispatch.id == dispatch.id).values(status=status))
    db.session.commit()
    set_committed_value(dispatch, "status", "scheduled")


def test_a_dispatch_cancelled_as_the_sender_starts_it_sends_nothing(make, template):
    """The sender read it scheduled a moment before the organiser's cancel committed: it
    wrote its outbox anyway and sent, while the page said "Cancelled"."""
    make.user()
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    _stale(dispatch, "cancelled")
    assert services.prepare_dispatch(dispatch, TUESDAY) is None
    db.session.commit()
    assert db.session.get(Dispatch, dispatch.id).status == "cancelled"
    assert db.session.scalar(select(func.count(Delivery.id))) == 0


def test_a_dispatch_the_sender_started_cannot_be_cancelled_any_more(make, template):
    """The cancel read it scheduled; the sender started it meanwhile: the cancel is
    refused, and the dispatch stays "sending" rather than "cancelled" while it goes out."""
    make.user()
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    _stale(dispatch, "sending")
    with pytest.raises(services.MessagingError):
        services.cancel_dispatch(dispatch, None, TUESDAY)
    db.session.commit()
    assert db.session.get(Dispatch, dispatch.id).status == "sending"


def test_other_domains_variables_are_rendered(make, template, points_provider):
    user = make.user(locale="fr")
    tpl = template(body_fr="{{ points }} points pour {{ team_name }}")
    jobs.run_dispatch(_dispatch_to_everyone(tpl, TUESDAY).id, clock=lambda: TUESDAY)
    body = db.session.scalar(
        select(Delivery.body).where(Delivery.user_id == user.id, Delivery.channel == "inbox")
    )
    assert body == f"{user.id * 10} points pour Équipe"


def test_each_person_gets_their_own_values_across_batches_and_variable_windows(
    make, template, smtp, config
):
    config(MESSAGING_BATCH_SIZE=4, MESSAGING_VARIABLES_WINDOW=2)
    people = [
        make.user(display_name=f"P{n} Test", email=f"p{n}@example.org", email_opt_in=n % 2 == 0)
        for n in range(7)
    ]
    jobs.run_dispatch(_dispatch_to_everyone(template(), TUESDAY).id, clock=lambda: TUESDAY)
    inbox = dict(
        db.session.execute(
            select(Delivery.user_id, Delivery.body).where(
                Delivery.channel == "inbox", Delivery.status == "delivered"
            )
        ).all()
    )
    mailed = {to: m.get_body(("plain",)).get_content() for to, m in smtp.messages}
    assert all(inbox[p.id].startswith(f"Bonjour {p.first_name}.") for p in people)
    assert sorted(mailed) == [f"p{n}@example.org" for n in (0, 2, 4, 6)]
    assert all(text.startswith(f"Bonjour P{to[1]}.") for to, text in mailed.items())


def _campaign(days=30):
    starts = TUESDAY + timedelta(days=1)
    return SimpleNamespace(id=7, starts_at=starts, ends_at=starts + timedelta(days=days))


def test_publishing_a_campaign_schedules_launch_reminder_and_last_48_hours(app, make):
    campaign = _campaign()
    campaign_published.send(app, campaign=campaign, now=TUESDAY)
    campaign_published.send(app, campaign=campaign, now=TUESDAY)  # republished: no duplicates
    db.session.commit()
    rows = db.session.scalars(select(Dispatch).order_by(Dispatch.due_at)).all()
    assert [(d.template.key, d.due_at, d.context) for d in rows] == [
        ("campaign-launch", campaign.starts_at, {"campaign_id": 7}),
        ("campaign-reminder", campaign.ends_at - timedelta(days=7), {"campaign_id": 7}),
        ("campaign-last-48h", campaign.ends_at - timedelta(hours=48), {"campaign_id": 7}),
    ]


def _campaign_dispatches(campaign_id) -> dict:
    """The campaign's dispatches by event: (due, status)."""
    db.session.expire_all()
    rows = db.session.scalars(
        select(Dispatch).where(Dispatch.dedupe_key.like(f"campaign:{campaign_id}:%"))
    )
    return {d.dedupe_key.rsplit(":", 1)[1]: (d.due_at, d.status) for d in rows}


def test_extending_a_campaign_moves_the_reminders_not_sent_yet(app, make, make_campaign):
    """Published (a signal), run, then extended by its organiser: the last 48 hours,
    still to come, follow the new end; the reminder already sent stays as it went. The
    scheduler's tick at the old moment sends nothing; at the new one, it goes."""
    make.user()  # someone in the campaign's scope
    organiser = make.user(roles=("organiser",))
    campaign = make_campaign(
        organiser, starts_at=NOW - timedelta(days=5), ends_at=NOW + timedelta(days=4)
    )
    jobs.deliver_due(clock=lambda: NOW)  # the launch and the week-before reminder go
    old_end = campaign.ends_at
    assert _campaign_dispatches(campaign.id) == {
        "launch": (NOW - timedelta(days=5), "done"),
        "reminder": (old_end - timedelta(days=7), "done"),
        "last-48h": (old_end - timedelta(hours=48), "scheduled"),
    }
    new_end = NOW + timedelta(days=20)
    cleanup.extend_campaign(campaign, organiser, new_end, NOW)
    db.session.commit()
    moved = _campaign_dispatches(campaign.id)
    assert moved["reminder"] == (old_end - timedelta(days=7), "done")
    assert moved["last-48h"] == (new_end - timedelta(hours=48), "scheduled")

    jobs.deliver_due(clock=lambda: old_end - timedelta(hours=47))
    assert _campaign_dispatches(campaign.id)["last-48h"][1] == "scheduled"
    jobs.deliver_due(clock=lambda: new_end - timedelta(hours=47))
    assert _campaign_dispatches(campaign.id)["last-48h"][1] == "done"


def test_an_extension_gives_a_short_campaign_the_reminder_it_had_no_room_for(
    app, make, make_campaign
):
    """A 5-day campaign had no "one week left"; extended to three weeks, it gets one,
    a week before the new end."""
    organiser = make.user(roles=("organiser",))
    campaign = make_campaign(
        organiser, starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=4)
    )
    assert "reminder" not in _campaign_dispatches(campaign.id)
    new_end = NOW + timedelta(days=20)
    cleanup.extend_campaign(campaign, organiser, new_end, NOW)
    db.session.commit()
    assert _campaign_dispatches(campaign.id)["reminder"] == (
        new_end - timedelta(days=7),
        "scheduled",
    )


def test_a_short_campaign_gets_no_reminder_before_it_starts(app):
    campaign_published.send(app, campaign=_campaign(days=3), now=TUESDAY)
    keys = [d.template.key for d in db.session.scalars(select(Dispatch))]
    assert sorted(keys) == ["campaign-last-48h", "campaign-launch"]


def test_closing_a_campaign_sends_its_results_once_to_its_participants(app, make):
    campaign = _campaign()
    campaign_closed.send(app, campaign=campaign, now=TUESDAY)
    campaign_closed.send(app, campaign=campaign, now=TUESDAY)
    db.session.commit()
    dispatch = db.session.scalar(select(Dispatch))
    assert dispatch.template.key == "campaign-results" and dispatch.context == {"campaign_id": 7}
    assert (dispatch.audience_key, dispatch.audience_params) == (
        "campaign-participants",
        {"campaign_id": 7},
    )


def test_without_the_clean_up_audiences_campaign_messages_go_to_everyone(
    app, make, smtp, monkeypatch
):
    audiences = app.extensions["empreinte.audiences"]
    monkeypatch.setitem(
        app.extensions,
        "empreinte.audiences",
        {k: v for k, v in audiences.items() if not k.startswith("campaign-")},
    )
    params = app.extensions["empreinte.audience_params"]  # nor which campaigns there are
    monkeypatch.setitem(
        app.extensions,
        "empreinte.audience_params",
        {k: v for k, v in params.items() if k != "campaign_id"},
    )
    make.user()
    campaign_closed.send(app, campaign=_campaign(), now=TUESDAY)
    db.session.commit()
    dispatch = db.session.scalar(select(Dispatch))
    assert (dispatch.audience_key, dispatch.audience_params) == ("everyone", {})
    assert jobs.deliver_due(clock=lambda: TUESDAY) == 1
    subject = db.session.scalar(select(Delivery.subject).where(Delivery.channel == "inbox"))
    assert subject == "Les résultats\u00a0: la campagne"  # the no-break space kept


def test_scheduling_refuses_past_dates_bad_cron_and_empty_audiences(make, template):
    tpl = template()
    with pytest.raises(services.MessagingError, match="past"):
        services.schedule_message(
            tpl, "everyone", {}, "at", TUESDAY, at=TUESDAY - timedelta(hours=1)
        )
    with pytest.raises(services.MessagingError, match="cron"):
        services.schedule_message(tpl, "everyone", {}, "cron", TUESDAY, cron="every monday")
    with pytest.raises(services.MessagingError, match="empty"):
        services.schedule_message(tpl, "role", {"role": "agent"}, "now", TUESDAY)
    assert db.session.scalar(select(func.count()).select_from(Dispatch)) == 0


def test_a_recurring_schedule_is_accepted_with_a_valid_cron(make, template):
    schedule = services.schedule_message(
        template(), "everyone", {}, "cron", TUESDAY, cron="0 9 * * mon"
    )
    assert schedule.cron == "0 9 * * mon"


def test_unsubscribing_skips_pending_emails_at_once(make, template, smtp, config):
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00")
    user = make.user(email_opt_in=True)
    dispatch = _dispatch_to_everyone(template(), SATURDAY)
    jobs.run_dispatch(dispatch.id, clock=lambda: SATURDAY)
    services.unsubscribe(user.id, SATURDAY)
    db.session.commit()
    counts = jobs.run_dispatch(dispatch.id, clock=lambda: SATURDAY + timedelta(days=2))
    assert smtp.recipients() == [] and "pending" not in counts


def test_erasure_removes_message_content_and_keeps_counts(make, template, smtp):
    user = make.user(email_opt_in=True)
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    before = jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY)
    assert services.export_messages(user)[0]["subject"].startswith("Bonjour")
    services.erase_messages(user, TUESDAY)
    db.session.commit()
    assert jobs.counts_by_status(dispatch.id) == before
    assert all(m["subject"] is None and m["body"] is None for m in services.export_messages(user))


class SlowCollector(Collector):
    """A mail server taking 0.2 s to accept each message."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.2)
        return await super().handle_DATA(server, session, envelope)


def test_a_slow_mail_server_gets_each_message_once(app, make, template, config):
    """A batch still sending when its lease ran out was claimed again by the other sender
    and its people e-mailed twice: past three quarters of the lease, the rest is left
    unsent and unclaimed, the next claim sends it."""
    handler, port = SlowCollector(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MESSAGING_CLAIM_SECONDS=1,
               MESSAGING_SMTP_CONNECTIONS=1)  # fmt: skip
        people = [make.user(email=f"p{n}@example.org", email_opt_in=True) for n in range(8)]
        dispatch = _dispatch_to_everyone(template(), TUESDAY)
        services.prepare_dispatch(dispatch, TUESDAY)
        token = services.claim_batch(dispatch.id, TUESDAY, 100, 1)
        db.session.commit()
        compiled = CompiledTemplate.compile(dispatch.template)
        with MailerPool(app.config) as mailer:
            result = services.deliver_claimed(dispatch, token, compiled, mailer, TUESDAY)
        db.session.commit()
        assert result.delivered > 0 and result.left > 0
        left = db.session.scalars(
            select(Delivery).where(
                Delivery.dispatch_id == dispatch.id, Delivery.status == "pending"
            )
        ).all()
        assert len(left) == result.left
        assert all(row.claim_token is None and row.attempts == 0 for row in left)
        jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY)
        sent = sorted(handler.recipients())
        assert sent == sorted(person.email for person in people)  # each once
    finally:
        controller.stop()
