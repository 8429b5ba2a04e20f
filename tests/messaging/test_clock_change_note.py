"""A recurring message at 02:00–02:59 is told, on its confirmation page, what it does the
nights the clocks change in Paris; the words are checked against the scheduler's own
trigger and the portal's once-a-day rule."""

import html
import re
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from app.core.time import local_zone
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Dispatch
from app.messaging.recurrence import clock_change_note, cron_trigger
from tests.conftest import login

EN_NOTE = (
    "On the last Sunday of March, 02:30 does not exist in Paris (the clocks go forward): a "
    "sending due that day goes at 03:30. On the last Sunday of October, 02:30 comes twice "
    "(the clocks go back): the message goes once, at the first."
)


def _confirm(auth, client, make, template, at: str, locale="en") -> str:
    login(client, make.user(roles=("organiser",), locale=locale))
    page = auth.post(
        "/messaging/schedule",
        data={
            "template": template().id,
            "audience": "everyone",
            "kind": "cron",
            "repeat": "daily",
            "weekday": "0",
            "month_day": "1",
            "time": at,
        },
    ).get_data(as_text=True)
    return page


def _note(page: str) -> str | None:
    found = re.search(r'id="clock-change-note"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(found[1]).replace("\u00a0", " ") if found else None


def _fires(expression: str, after: datetime, count: int) -> list[datetime]:
    """The trigger's next fire times, as the scheduler asks for them."""
    trigger, fires, previous = cron_trigger(expression), [], None
    for _fire in range(count):
        previous = trigger.get_next_fire_time(previous, previous or after)
        fires.append(previous)
    return fires


def test_a_daily_message_at_0230_is_told_of_the_clock_changes(auth, client, make, template):
    page = _confirm(auth, client, make, template, "02:30")
    assert _note(page) == EN_NOTE


def test_it_is_said_in_french(auth, client, make, template):
    page = _confirm(auth, client, make, template, "02:30", locale="fr")
    assert _note(page) == (
        "Le dernier dimanche de mars, 2 h 30 n'existe pas à Paris (on avance l'heure) : un "
        "envoi prévu ce jour-là part à 3 h 30. Le dernier dimanche d'octobre, 2 h 30 a lieu "
        "deux fois (on recule l'heure) : le message part une seule fois, à la première."
    )


def test_a_daily_message_at_0900_has_no_such_note(auth, client, make, template):
    page = _confirm(auth, client, make, template, "09:00")
    assert "Next sending" in page and _note(page) is None


def test_only_rhythms_that_can_fall_on_a_last_sunday_get_it(app):
    with app.test_request_context():
        assert clock_change_note("30 2 * * sun") and clock_change_note("30 2 28 * *")
        assert clock_change_note("30 2 * * mon-fri") is None
        assert clock_change_note("30 2 * * sat") is None
        assert clock_change_note("30 2 1 * *") is None
        assert clock_change_note("30 3 * * *") is None


def test_the_spring_night_fires_at_0330_as_the_note_says():
    paris = local_zone()
    fires = _fires("30 2 * * *", datetime(2027, 3, 27, 12, tzinfo=paris), 2)
    walls = [fire.astimezone(UTC).astimezone(paris) for fire in fires]
    assert walls[0].date().isoformat() == "2027-03-28" and walls[0].time() == time(3, 30)
    assert walls[1].date().isoformat() == "2027-03-29" and walls[1].time() == time(2, 30)
    assert "a sending due that day goes at 03:30" in EN_NOTE  # not skipped


def test_the_autumn_night_fires_twice_and_sends_once_at_the_first(app, make, template, config):
    config(MAIL_WORKING_HOURS="24/7")
    make.user(email="yes@example.org", email_opt_in=True)
    paris = local_zone()
    fires = _fires("30 2 * * *", datetime(2027, 10, 30, 12, tzinfo=paris), 3)
    on_sunday = [
        f.astimezone(UTC) for f in fires if f.astimezone(paris).date().isoformat() == "2027-10-31"
    ]
    assert len(on_sunday) == 2 and on_sunday[1] - on_sunday[0] == timedelta(hours=1)
    schedule = services.schedule_message(
        template(), "everyone", {}, "cron", on_sunday[0] - timedelta(days=1), cron="30 2 * * *"
    )
    db.session.commit()
    for fire in on_sunday:
        jobs.run_schedule(schedule.id, clock=lambda f=fire: f)
    sent = db.session.scalars(select(Dispatch.due_at).where(Dispatch.schedule_id == schedule.id))
    assert [due.replace(tzinfo=UTC) for due in sent] == [on_sunday[0]]
    assert "the message goes once, at the first" in EN_NOTE


def test_a_daily_0230_chosen_days_before_the_autumn_night_is_not_refused(app, make, template):
    """Its trigger fires twice that night, an hour apart: it was refused as "more than once
    a day" from the 26th to the 31st of October, though it sends once."""
    make.user(email="yes@example.org")
    thursday = datetime(2027, 10, 28, 12, tzinfo=UTC)
    assert services.check_schedule(template(), "everyone", {}, "cron", thursday, cron="30 2 * * *")
