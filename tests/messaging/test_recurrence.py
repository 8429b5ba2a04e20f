"""Recurring messages chosen as people say them, stored as the cron the scheduler runs."""

from datetime import UTC, datetime, time, timedelta

import pytest
from flask_babel import force_locale

from app.core.i18n import regional_locale
from app.messaging import services
from app.messaging.recurrence import (
    cron_trigger,
    describe_cron,
    more_than_daily,
    next_run,
    recurrence_cron,
)


@pytest.mark.parametrize(
    ("repeat", "weekday", "month_day", "expected"),
    [
        ("daily", None, None, "30 8 * * *"),
        ("weekdays", None, None, "30 8 * * mon-fri"),
        ("weekly", 2, None, "30 8 * * wed"),
        ("weekly", 6, None, "30 8 * * sun"),
        ("monthly", None, 15, "30 8 15 * *"),
    ],
)
def test_each_rhythm_is_the_cron_the_scheduler_runs(repeat, weekday, month_day, expected):
    assert recurrence_cron(repeat, time(8, 30), weekday, month_day, "ignored") == expected


def test_a_custom_rhythm_is_the_expression_as_typed():
    assert recurrence_cron("custom", None, None, None, "  0 9 1,15 * *  ") == "0 9 1,15 * *"


@pytest.mark.parametrize(
    ("cron", "french", "english"),
    [
        ("30 8 * * *", "Chaque jour à 8\u00a0h\u00a030", "Every day at 08:30"),
        (
            "0 9 * * mon-fri",
            "Chaque jour ouvré (du lundi au vendredi) à 9\u00a0h",
            "Every working day (Monday to Friday) at 09:00",
        ),
        ("0 17 * * wed", "Chaque mercredi à 17\u00a0h", "Every Wednesday at 17:00"),
        ("5 9 15 * *", "Chaque mois, le 15 à 9\u00a0h\u00a005", "Every month on day 15 at 09:05"),
    ],
)
def test_the_rhythms_made_here_are_worded_in_the_readers_language(app, cron, french, english):
    with app.test_request_context():
        with force_locale("fr"):
            assert describe_cron(cron) == french
        with force_locale(regional_locale("en")):
            assert describe_cron(cron) == english


@pytest.mark.parametrize(
    "cron", ["0 9 1,15 * *", "*/15 * * * *", "0 9 31 * *", "0 9 * 1 mon", "99 9 * * *", "x"]
)
def test_any_other_expression_is_shown_as_typed(app, cron):
    with app.test_request_context():
        assert describe_cron(cron) is None


def test_the_next_sending_is_in_paris_time():
    tuesday_noon = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    upcoming = next_run("30 8 * * wed", tuesday_noon)
    assert upcoming.isoformat() == "2026-12-02T08:30:00+01:00"
    assert next_run("not a cron", tuesday_noon) is None


@pytest.mark.parametrize(
    ("cron", "days"),
    [
        ("0 9 * * 1", {"Monday"}),
        ("0 9 * * 0", {"Sunday"}),
        ("0 9 * * 7", {"Sunday"}),
        ("0 9 * * 1-5", {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}),
        ("0 9 * * */2", {"Sunday", "Tuesday", "Thursday", "Saturday"}),
        ("0 9 * * 5-7", {"Friday", "Saturday", "Sunday"}),
        ("0 9 * * 1,3", {"Monday", "Wednesday"}),
        ("0 9 * * mon", {"Monday"}),
    ],
)
def test_a_custom_expression_reads_the_day_of_the_week_as_crontab_does(cron, days):
    """APScheduler counts days from Monday: "1" went on Tuesdays, "7" was refused."""
    moment, seen = datetime(2026, 12, 3, tzinfo=UTC), set()
    for _ in range(14):
        moment = next_run(cron, moment + timedelta(minutes=1))
        seen.add(moment.strftime("%A"))
        assert moment.strftime("%H:%M") == "09:00"
    assert seen == days


@pytest.mark.parametrize("cron", ["0 9 * * 8", "0 9 * * 5-2", "0 9 * * x-1", "0 9 * * 1/0"])
def test_a_day_of_the_week_out_of_range_is_refused(app, cron):
    assert next_run(cron, datetime(2026, 12, 3, tzinfo=UTC)) is None
    with app.test_request_context(), pytest.raises(services.MessagingError):
        services.parse_cron(cron)


def test_crontab_day_numbers_are_worded_too(app):
    with app.test_request_context(), force_locale(regional_locale("en")):
        assert describe_cron("0 9 * * 1") == "Every Monday at 09:00"
        assert describe_cron("0 9 * * 1-5") == "Every working day (Monday to Friday) at 09:00"
        assert describe_cron("0 9 * * 8") is None


@pytest.mark.parametrize(
    ("cron", "refused"),
    [
        ("0 9 * * *", False),
        ("30 2 * * *", False),  # 02:30 does not exist on 29 March 2026
        ("0 9 * * mon-fri", False),
        ("0 9 1,2 * *", False),
        ("0 9,17 * * *", True),
        ("59 23,0 * * *", True),
        ("* 9 1 * *", True),
    ],
)
def test_only_rhythms_more_often_than_daily_are_refused_even_across_summer_time(app, cron, refused):
    """The days around the change to summer time (29 March 2026) are 23 hours apart."""
    with app.app_context():
        before_the_change = datetime(2026, 3, 27, 12, tzinfo=UTC)
        assert more_than_daily(cron_trigger(cron), before_the_change) is refused
