"""A recurring message can end: a weekly reminder for a three-week campaign stops after
its last day ("Until", a day of the Paris calendar, included) instead of going on until
someone stops it by hand. The form checks it, the confirmation says it, the scheduler
sends nothing after it (the real job store), and the list then shows the schedule ended."""

import html
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.core.audit import AuditEvent, audit_details
from app.core.privacy_services import staff_records_section
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging import scheduler as messaging_scheduler
from app.messaging.models import Dispatch, Schedule
from tests.conftest import login

ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                  "Nov", "Dec")  # fmt: skip


def _next_monday() -> date:
    """The day of the form's first sending (Monday, 09:00 in Paris): today on a Monday
    before 09:00, else the next Monday."""
    now = utcnow().astimezone(local_zone())
    today = now.date()
    if today.weekday() == 0 and now.hour < 9:
        return today
    return today + timedelta(days=7 - today.weekday())


def _words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def _weekly_form(template, until: str, **extra) -> dict:
    return {
        "template": template.id,
        "audience": "everyone",
        "kind": "cron",
        "repeat": "weekly",
        "weekday": "0",
        "time": "09:00",
        "until": until,
        **extra,
    }


def _field_error(page: str, name: str) -> str:
    error = page.split(f'id="{name}-error">', 1)[1].split("</p>", 1)[0]
    return " ".join(html.unescape(error).replace("\u00a0", " ").split())


def test_the_confirmation_says_until_when_in_the_readers_language(auth, client, make, template):
    until = _next_monday() + timedelta(days=15)  # three Mondays: the 1st, 8th and 15th day
    login(client, make.user(roles=("organiser",), locale="en"))
    page = auth.post("/messaging/schedule", data=_weekly_form(template(), until.isoformat()))
    assert page.status_code == 200
    words = _words(page.get_data(as_text=True))
    day = f"{until.day} {ENGLISH_MONTHS[until.month - 1]} {until.year}"
    assert f"Every Monday at 09:00 until {day}" in words
    assert re.search(rf"Send to \d+ people every Monday at 09:00 until {day}\?", words)
    assert f"goes out at each date until {day} included" in words
    # "Yes" keeps the end: the schedule made ends that day.
    yes = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    auth.post("/messaging/schedule", data={**yes, "confirm": "yes"})
    schedule = db.session.scalar(select(Schedule))
    assert schedule.until == until


def test_the_confirmation_in_french(auth, client, make, template):
    until = _next_monday() + timedelta(days=15)
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = auth.post("/messaging/schedule", data=_weekly_form(template(), until.isoformat()))
    words = _words(page.get_data(as_text=True))
    assert "Chaque lundi à 9 h jusqu'au " in words
    assert f"jusqu'au {'1er' if until.day == 1 else until.day} " in words


def test_an_end_before_the_first_sending_is_refused_at_its_field(auth, client, make, template):
    monday = _next_monday()
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = auth.post(
        "/messaging/schedule",
        data=_weekly_form(template(), (monday - timedelta(days=1)).isoformat()),
    )
    assert page.status_code == 422
    error = _field_error(page.get_data(as_text=True), "until")
    assert error.startswith("La date de fin précède le premier envoi, le ")
    assert error.endswith(": choisissez ce jour-là ou un jour suivant.")
    assert db.session.scalar(select(Schedule)) is None
    # Its first sending's own day is a valid end: one sending.
    page = auth.post(
        "/messaging/schedule", data=_weekly_form(template(key="b"), monday.isoformat())
    )
    assert page.status_code == 200 and 'id="until-error"' not in page.get_data(as_text=True)


def test_an_end_beyond_a_year_is_refused_as_a_one_off_date_is(auth, client, make, template):
    login(client, make.user(roles=("organiser",), locale="en"))
    for until in ("2062-01-05", (utcnow().date() + timedelta(days=400)).isoformat()):
        page = auth.post("/messaging/schedule", data=_weekly_form(template(key=f"k{until}"), until))
        assert page.status_code == 422
        assert _field_error(page.get_data(as_text=True), "until").startswith(
            "A recurring message can end at most a year ahead: choose a date no later than "
        )
    assert db.session.scalar(select(Schedule)) is None


def _stored_job(app, schedule_id, now):
    """The schedule's job as the real scheduler stores it, and its next run after `now`."""
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False)
    scheduler.start(paused=True)  # the real job store; nothing runs on its own
    try:
        messaging_scheduler.sync_schedules(scheduler)
        job = scheduler.get_job(f"{messaging_scheduler.SCHEDULE_JOB_PREFIX}{schedule_id}")
        return job, job.trigger.get_next_fire_time(None, now) if job else None
    finally:
        scheduler.shutdown(wait=True)


def test_the_scheduler_sends_nothing_after_the_end_and_then_lists_it_as_ended(
    app, auth, client, make, template, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="en")
    monday = _next_monday()
    until = monday + timedelta(days=14)  # three Mondays
    now = utcnow()
    schedule = services.schedule_message(
        template(), "everyone", {}, "cron", now, actor=organiser, cron="0 9 * * mon", until=until
    )
    db.session.commit()
    job, upcoming = _stored_job(app, schedule.id, now)
    assert upcoming.astimezone(local_zone()).date() == monday
    last = datetime.combine(until, datetime.min.time(), local_zone()).replace(hour=9)
    # After its last Monday the stored trigger fires no more.
    assert job.trigger.get_next_fire_time(None, last) == last
    assert job.trigger.get_next_fire_time(last, last + timedelta(minutes=1)) is None
    # Its last Monday sends; a run left over the next Monday (not yet synced) does not.
    jobs.run_schedule(schedule.id, clock=lambda: last.astimezone(UTC))
    jobs.run_schedule(schedule.id, clock=lambda: (last + timedelta(days=7)).astimezone(UTC))
    sent = db.session.scalars(select(Dispatch.due_at).where(Dispatch.schedule_id == schedule.id))
    assert [d.astimezone(local_zone()).date() for d in sent] == [until]

    # Past its end (as if weeks went by): its job leaves the store, the list says "ended".
    db.session.get(Schedule, schedule.id).until = now.astimezone(local_zone()).date() - timedelta(
        days=1
    )
    db.session.commit()
    job, _ = _stored_job(app, schedule.id, now)
    assert job is None
    login(client, organiser)
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    assert "No recurring message. Those ended or stopped are listed below." in listing
    ended = _words(listing.split("<h3>Ended messages</h3>", 1)[1].split("</table>", 1)[0])
    assert "Hello" in ended and "Every Monday at 09:00 until" in ended
    assert "Stop" not in ended


def test_the_audit_log_and_the_organisers_export_say_the_end(app, make, template):
    organiser = make.user(roles=("organiser",))
    until = _next_monday() + timedelta(days=14)
    schedule = services.schedule_message(
        template(),
        "everyone",
        {},
        "cron",
        utcnow(),
        actor=organiser,
        cron="0 9 * * mon",
        until=until,
    )
    db.session.commit()
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == "messaging_schedule")
    )
    with app.test_request_context("/"):  # the audit log's page, in the portal's default
        worded = audit_details(event.action, event.summary, event.object_type)
    day = "1er" if until.day == 1 else str(until.day)
    assert worded.replace("\u00a0", " ").startswith(f"Chaque lundi à 9 h jusqu'au {day} ")
    records = staff_records_section(organiser)["recurring_messages"]
    assert records[0]["schedule"] == schedule.id and records[0]["until"] == until.isoformat()
    # A schedule without an end keeps reading as before.
    assert audit_details("create", "0 9 * * mon", "messaging_schedule") is not None
