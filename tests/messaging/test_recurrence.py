"""Recurring messages chosen as people say them, stored as the cron the scheduler runs."""

from datetime import UTC, datetime, time

import pytest
from flask_babel import force_locale

from app.core.i18n import regional_locale
from app.messaging.recurrence import describe_cron, next_run, recurrence_cron


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
        ("30 8 * * *", "Chaque jour à 08:30", "Every day at 08:30"),
        (
            "0 9 * * mon-fri",
            "Chaque jour ouvré (du lundi au vendredi) à 09:00",
            "Every working day (Monday to Friday) at 09:00",
        ),
        ("0 17 * * wed", "Chaque mercredi à 17:00", "Every Wednesday at 17:00"),
        ("5 9 15 * *", "Chaque mois, le 15 à 09:05", "Every month on day 15 at 09:05"),
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
