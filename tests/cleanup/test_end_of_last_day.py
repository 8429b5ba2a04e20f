"""A campaign ending « à 23 h 59 » closed at 23:59:00: every page said « au 27 déc.,
23 h 59 », yet an entry at 23:59:30 was refused as « terminée ». An end typed at 23:59
now means the whole of that day: kept as the following midnight (ends are exclusive, as
the calendar file's DTEND), written back as 23:59 everywhere. Any other end closes at
the minute typed: a campaign ending at 09:00 takes 08:59 and refuses 09:00."""

import html
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.script import ScriptDirectory
from flask_babel import force_locale, get_translations
from flask_migrate import upgrade
from icalendar import Calendar
from sqlalchemy import insert, select

from app import create_app
from app.cleanup import services
from app.cleanup.countdown import ends_when
from app.cleanup.models import RUNNING, CleanupCampaign
from app.config import TestConfig
from app.core.i18n import format_day
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import in_days, post_new_campaign
from tests.conftest import csrf_token, login

PARIS = ZoneInfo("Europe/Paris")
MIGRATION = "20261215_cleanup_end_of_day"
LAST_DAY = 30  # days from today, Paris time


@pytest.fixture(autouse=True)
def _action_types(action_types):
    """The built-in action types, as the new campaign form creates them."""


def _paris(days: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A Paris moment `days` from today, as in_days counts them."""
    day = (datetime.now(PARIS) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=PARIS)


def _created(client, make, end: str, locale="fr"):
    """A campaign created with the form by an organiser (signed in on `client`), starting
    in 10 days at 09:00 and ending on `end` as typed, then published."""
    organiser = make.user(roles=("organiser",), locale=locale)
    login(client, organiser)
    answer = post_new_campaign(client, starts_at=in_days(10, "09:00"), ends_at=end)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    campaign = db.session.scalars(select(CleanupCampaign)).one()
    services.publish_campaign(campaign, organiser, utcnow())
    db.session.commit()
    return campaign


def _page(client, campaign) -> str:
    return html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))


def test_an_end_typed_at_23_59_takes_entries_in_its_last_minute(client, make):
    campaign = _created(client, make, in_days(LAST_DAY, "23:59"))
    assert campaign.ends_at == _paris(LAST_DAY + 1, 0, 0)  # the following midnight
    late = _paris(LAST_DAY, 23, 59, 30)
    assert campaign.state(late) == RUNNING
    action = services.log_action(make.user(), campaign, "delete-mail", 2, late)
    assert action is not None and action.points == 20


def test_the_next_day_is_closed(client, make):
    campaign = _created(client, make, in_days(LAST_DAY, "23:59"))
    with pytest.raises(services.CleanupError) as refused:
        services.log_action(make.user(), campaign, "delete-mail", 2, _paris(LAST_DAY + 1, 0, 0))
    assert refused.value.status == 409
    assert refused.value.message == "Cette campagne est terminée\u00a0: on ne peut plus " + (
        "enregistrer d'action."
    )


def test_an_end_at_9_takes_8_59_and_refuses_9(client, make):
    campaign = _created(client, make, in_days(LAST_DAY, "09:00"))
    assert campaign.ends_at == _paris(LAST_DAY, 9, 0)
    services.log_action(make.user(), campaign, "delete-mail", 1, _paris(LAST_DAY, 8, 59, 59))
    with pytest.raises(services.CleanupError) as refused:
        services.log_action(make.user(), campaign, "delete-mail", 1, _paris(LAST_DAY, 9, 0))
    assert refused.value.status == 409


def test_pages_and_forms_write_the_end_as_typed(client, make):
    campaign = _created(client, make, in_days(LAST_DAY, "23:59"))
    day = _paris(LAST_DAY, 12, 0)
    with force_locale("fr"):
        written = format_day(day)
    page = _page(client, campaign)
    assert f"au {written}, 23\u00a0h\u00a059 (heure de Paris)" in page
    # Scheduled: corrected (its form writes the end as typed), not extended yet.
    assert f'value="{in_days(LAST_DAY, "23:59")}"' not in page
    edit = client.get(f"/cleanup/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert f'value="{in_days(LAST_DAY, "23:59")}"' in edit
    listed = html.unescape(client.get("/cleanup/").get_data(as_text=True))
    assert f"{written}, 23\u00a0h\u00a059" in listed


@pytest.mark.parametrize(
    ("language", "hour", "minute", "expected"),
    [
        ("en", 10, 0, "today at 23:59"),
        ("fr", 10, 0, "aujourd'hui à 23\u00a0h\u00a059"),
        ("en", 23, 30, "in less than an hour, at 23:59"),
    ],
)
def test_the_countdown_says_23_59_on_the_last_day(client, make, language, hour, minute, expected):
    campaign = _created(client, make, in_days(LAST_DAY, "23:59"))
    now = _paris(LAST_DAY, hour, minute)
    with force_locale("fr" if language == "fr" else "en_GB"):
        assert ends_when(campaign.ends_at, now, language, get_translations()) == expected


def test_the_day_before_says_tomorrow_at_23_59(client, make):
    campaign = _created(client, make, in_days(LAST_DAY, "23:59"))
    with force_locale("en_GB"):
        said = ends_when(campaign.ends_at, _paris(LAST_DAY - 1, 18, 0), "en", get_translations())
    assert said == "tomorrow at 23:59"


def test_the_calendar_file_ends_at_midnight_and_is_named_in_french(client, make):
    campaign = _created(client, make, in_days(LAST_DAY, "23:59"))
    answer = client.get(f"/cleanup/campaigns/{campaign.id}/calendar.ics")
    assert answer.headers["Content-Disposition"] == (
        f"attachment; filename=campagne-{campaign.id}.ics"
    )
    event = next(c for c in Calendar.from_ical(answer.data).walk() if c.name == "VEVENT")
    assert event["DTEND"].dt == _paris(LAST_DAY + 1, 0, 0)


def test_the_calendar_file_is_named_in_english(client, make):
    campaign = _created(client, make, in_days(LAST_DAY, "23:59"), locale="en")
    answer = client.get(f"/cleanup/campaigns/{campaign.id}/calendar.ics")
    assert answer.headers["Content-Disposition"] == (
        f"attachment; filename=campaign-{campaign.id}.ics"
    )


def test_the_api_gives_the_exclusive_end(client, make):
    campaign = _created(client, make, in_days(LAST_DAY, "23:59"))
    body = client.get(f"/api/v1/campaigns/{campaign.id}").get_json()
    assert datetime.fromisoformat(body["ends_at"]) == _paris(LAST_DAY + 1, 0, 0)
    assert body["ends_at"].startswith(f"{_paris(LAST_DAY + 1, 0, 0).date()}T00:00:00")


def test_an_extension_typed_at_23_59_runs_to_the_end_of_that_day(client, make):
    campaign = _created(client, make, in_days(LAST_DAY, "18:00"))
    campaign.starts_at = utcnow() - timedelta(days=1)  # running: a scheduled one is corrected
    db.session.commit()
    data = {"csrf_token": csrf_token(client), "ends_at": in_days(LAST_DAY + 3, "23:59")}
    answer = client.post(f"/cleanup/campaigns/{campaign.id}/extend", data=data)
    assert answer.status_code == 302
    db.session.expire_all()
    assert campaign.ends_at == _paris(LAST_DAY + 3 + 1, 0, 0)
    page = _page(client, campaign)
    assert "Campagne prolongée jusqu'au " in page and " à 23\u00a0h\u00a059." in page


def _before(revision: str) -> str:
    """The revision a migration follows (whatever came in between since)."""
    scripts = ScriptDirectory(str(Path(__file__).parents[2] / "migrations"))
    return scripts.get_revision(revision).down_revision


def test_a_campaign_running_to_23_59_is_moved_to_midnight_by_the_migration(empty_database_url):
    """Campaigns not ended yet, stored at 23:59 before this rule: their last minute opens;
    one already ended, and one at 18:00, keep their end."""
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with portal.app_context():
        upgrade(revision=_before(MIGRATION))
        now = utcnow()
        ends = {
            "coming": _paris(LAST_DAY, 23, 59),
            "ended": _paris(-3, 23, 59),
            "evening": _paris(LAST_DAY, 18, 0),
        }
        # Through the table, naming only columns the schema of then has (the model's
        # later ones, e.g. `early_end_reason`, are not there yet).
        db.session.execute(
            insert(CleanupCampaign.__table__),
            [
                {
                    "name_fr": name,
                    "name_en": name,
                    "starts_at": end - timedelta(days=20),
                    "ends_at": end,
                    "created_at": now,
                    "dates_sequence": 2,
                }
                for name, end in ends.items()
            ],
        )
        db.session.commit()
        upgrade(revision="heads")
        db.session.expire_all()
        stored = {c.name_fr: c for c in db.session.scalars(select(CleanupCampaign))}
        moved = stored["coming"]
        kept = {name: stored[name].ends_at for name in ("ended", "evening")}
        result = (moved.ends_at, moved.dates_sequence)
        db.session.remove()
        db.engine.dispose()
    assert result == (_paris(LAST_DAY + 1, 0, 0), 3)
    assert kept == {"ended": ends["ended"], "evening": ends["evening"]}
