"""A recurring message that may end (until): one with no
run left before its end is ended everywhere (not "planned" in the same-message warning,
not a send to come that keeps its template from being deleted, listed under "Ended
messages" with the day it last sent), its end is said wherever it is listed, and the
clock-change note speaks only of the clock changes before its end."""

import html
import re
from datetime import UTC, date, timedelta

from sqlalchemy import select

from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Dispatch, MessageTemplate
from app.messaging.recurrence import CRON_DAYS
from tests.conftest import csrf_token, login
from tests.messaging.test_same_message_twice import _confirmation, _warning

ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                  "Nov", "Dec")  # fmt: skip


def _day(value: date) -> str:
    return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"


def _words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def _sent_its_last(make, template, config, repeat: str, days_to_end: int):
    """A recurring message (weekly, or daily) that went an hour ago, ending `days_to_end`
    days after that sending: no run of its rhythm is left before its end. Two colleagues
    received it; the organiser signed in is returned with it and its dispatch."""
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="en")
    make.user()
    make.user()
    went = (utcnow() - timedelta(hours=1)).astimezone(local_zone()).replace(second=0, microsecond=0)
    weekday = CRON_DAYS[went.weekday()] if repeat == "weekly" else "*"
    until = went.date() + timedelta(days=days_to_end)
    schedule = services.schedule_message(
        template(),
        "everyone",
        {},
        "cron",
        (went - timedelta(minutes=1)).astimezone(UTC),
        actor=organiser,
        cron=f"{went.minute} {went.hour} * * {weekday}",
        until=until,
    )
    db.session.commit()
    jobs.run_schedule(schedule.id, clock=lambda: went.astimezone(UTC))  # the real job's run
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.schedule_id == schedule.id))
    assert dispatch is not None and dispatch.status == "done"
    return organiser, schedule, dispatch, went, until


# --- 1. the same-message warning -----------------------------------------------------------


def _warning_for_the_same_template(auth, client, organiser, schedule) -> str:
    login(client, organiser)
    page = _confirmation(auth, template=schedule.template_id, audience="everyone", kind="now")
    return _warning(page) or ""


def test_a_weekly_message_whose_last_sending_went_is_an_earlier_send(
    auth, client, make, template, config
):
    organiser, schedule, dispatch, _went, _until = _sent_its_last(
        make, template, config, "weekly", days_to_end=2
    )
    warning = _warning_for_the_same_template(auth, client, organiser, schedule)
    # Not said to send again (next week, after its end): listed as what it sent.
    assert "A recurring message" not in warning and "next on" not in warning
    assert re.search(rf"Sent on .*\[/messaging/dispatches/{dispatch.id}\]", warning)


def test_a_daily_message_ending_today_after_its_sending_is_an_earlier_send(
    auth, client, make, template, config
):
    organiser, schedule, dispatch, _went, _until = _sent_its_last(
        make, template, config, "daily", days_to_end=0
    )
    warning = _warning_for_the_same_template(auth, client, organiser, schedule)
    assert "A recurring message" not in warning and "next on" not in warning
    assert f"[/messaging/dispatches/{dispatch.id}] dispatch {dispatch.id} ; " in warning


def test_a_recurring_message_still_running_is_warned_of_with_its_end(
    auth, client, make, template, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="en")
    make.user()
    tomorrow = utcnow().astimezone(local_zone()).date() + timedelta(days=1)
    until = tomorrow + timedelta(days=20)
    schedule = services.schedule_message(
        template(), "everyone", {}, "cron", utcnow(), actor=organiser,
        cron=f"0 9 * * {CRON_DAYS[tomorrow.weekday()]}", until=until,
    )  # fmt: skip
    db.session.commit()
    warning = _warning_for_the_same_template(auth, client, organiser, schedule)
    assert re.search(
        rf"A recurring message sends it every \w+ at 09:00 until {_day(until)}, "
        r"next on ",
        warning,
    ), warning


# --- 2 and 3. ended: deletable template, and the day it last sent ----------------------------


def test_an_ended_message_keeps_no_template_from_being_deleted(
    auth, client, make, template, config
):
    organiser, schedule, _dispatch, _went, _until = _sent_its_last(
        make, template, config, "weekly", days_to_end=2
    )
    login(client, organiser)
    editor = client.get(f"/messaging/templates/{schedule.template_id}").get_data(as_text=True)
    assert 'id="not-deletable"' not in editor
    assert "Delete this template" in editor
    answer = client.post(
        f"/messaging/templates/{schedule.template_id}/delete",
        data={"csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 302
    assert db.session.get(MessageTemplate, schedule.template_id).archived_at is not None


def test_a_message_still_running_is_listed_with_its_end_on_its_template(
    auth, client, make, template
):
    organiser = make.user(roles=("organiser",), locale="en")
    until = utcnow().astimezone(local_zone()).date() + timedelta(days=30)
    schedule = services.schedule_message(
        template(), "everyone", {}, "cron", utcnow(), actor=organiser, cron="0 9 * * mon",
        until=until,
    )  # fmt: skip
    db.session.commit()
    login(client, organiser)
    editor = client.get(f"/messaging/templates/{schedule.template_id}").get_data(as_text=True)
    box = _words(editor.split('id="not-deletable">', 1)[1].split("</div>", 1)[0])
    assert f"Recurring message {schedule.id} : Every Monday at 09:00 until {_day(until)}" in box
    planned = _words(editor.split('id="planned-sends">', 1)[1].split("</div>", 1)[0])
    assert f"Recurring message {schedule.id} : Every Monday at 09:00 until {_day(until)}" in planned


def test_an_ended_message_is_listed_with_the_day_it_last_sent(auth, client, make, template, config):
    organiser, _schedule, _dispatch, went, until = _sent_its_last(
        make, template, config, "weekly", days_to_end=2
    )
    login(client, organiser)
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    ended = _words(listing.split("<h3>Ended messages</h3>", 1)[1].split("</table>", 1)[0])
    assert f"until {_day(until)}" in ended  # its end, in its rhythm
    assert ended.endswith(_day(went.date()))  # not its end, still to come
    assert "Stop" not in ended


# --- 5. the clock-change note and the end -----------------------------------------------


MARCH = "On the last Sunday of March, 02:30 does not exist in Paris"
OCTOBER = "On the last Sunday of October, 02:30 comes twice"


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _next_change(month: int, after: date) -> date:
    sunday = _last_sunday(after.year, month)
    return sunday if sunday > after else _last_sunday(after.year + 1, month)


def _note(client, until: date | None) -> str:
    args = {"kind": "cron", "repeat": "daily", "time": "02:30", "weekday": "0", "month_day": "1"}
    if until is not None:
        args["until"] = until.isoformat()
    answer = client.get(
        "/messaging/clock-change", query_string=args, headers={"HX-Request": "true"}
    )
    return _words(answer.get_data(as_text=True))


def test_the_clock_change_note_speaks_only_of_the_changes_before_the_end(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    today = utcnow().astimezone(local_zone()).date()
    march, october = (
        _next_change(3, today + timedelta(days=1)),
        _next_change(10, today + timedelta(days=1)),
    )
    first, second = sorted((march, october))
    both = _note(client, None)
    assert MARCH in both and OCTOBER in both
    # Ending before the first clock change (a daily message: its first sending is at the
    # latest tomorrow): no note.
    if first - timedelta(days=1) > today + timedelta(days=1):
        assert _note(client, first - timedelta(days=1)) == ""
    # Ending between the two: only the first one.
    between = _note(client, first + timedelta(days=1))
    assert (MARCH in between, OCTOBER in between) == (first == march, first == october)
    # Ending after both: both.
    after = _note(client, second)
    assert MARCH in after and OCTOBER in after


def test_the_confirmation_says_no_clock_change_the_message_ends_before(
    auth, client, make, template
):
    template()
    login(client, make.user(roles=("organiser",), locale="en"))
    today = utcnow().astimezone(local_zone()).date()
    first = min(
        _next_change(3, today + timedelta(days=1)), _next_change(10, today + timedelta(days=1))
    )
    until = first - timedelta(days=1)
    if until <= today + timedelta(days=1):
        return  # the day before a clock change: no end before it to choose
    tpl = db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == "hello"))
    page = _confirmation(
        auth, template=tpl.id, audience="everyone", kind="cron", repeat="daily",
        weekday="0", month_day="1", time="02:30", until=until.isoformat(),
    )  # fmt: skip
    words = _words(page)
    assert "02:30 until" in words and "last Sunday of" not in words


def test_an_end_typed_far_away_says_both_clock_changes(app):
    """The note is asked as the end is typed (htmx): an end in 9999 says what an end in
    three years says, looking no further than the calendar's 28-year cycle."""
    from datetime import UTC, date, datetime

    from app.messaging.recurrence import clock_change_note

    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    far = clock_change_note("30 2 * * *", now, date(9999, 12, 31))
    assert far is not None
    assert far == clock_change_note("30 2 * * *", now, date(2029, 12, 31))
