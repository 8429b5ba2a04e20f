"""A message is planned at most a year ahead: a year typed wrong (2062 for 2026, or
9999) is refused at the date, saying the latest day allowed in the reader's language,
from the form and from `flask messaging dispatch --at`, and never answers with a 500."""

import html
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.models import Dispatch
from tests.conftest import login

FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre")  # fmt: skip
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")  # fmt: skip


def dispatches() -> int:
    return db.session.scalar(select(func.count()).select_from(Dispatch))


def latest_day():
    """A year from today on the Paris calendar (28 February for a 29th)."""
    today = utcnow().astimezone(local_zone()).date()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def _at_error(page: str) -> str:
    error = page.split('id="at-error">', 1)[1].split("</p>", 1)[0]
    return " ".join(html.unescape(error).split())


def _schedule(auth, client, make, template, at: str, **extra):
    login(client, make.user(roles=("organiser",), locale=extra.pop("locale", "fr")))
    return auth.post(
        "/messaging/schedule",
        data={"template": template().id, "audience": "everyone", "kind": "at", "at": at, **extra},
    )


@pytest.mark.parametrize("confirm", [{}, {"confirm": "yes"}])
@pytest.mark.parametrize("at", ["9999-12-31T09:00", "9999-12-31T23:59"])
def test_year_9999_is_refused_at_the_date_with_the_latest_day_in_french(
    auth, client, make, template, at, confirm
):
    response = _schedule(auth, client, make, template, at, **confirm)
    latest = latest_day()
    day = "1er" if latest.day == 1 else str(latest.day)
    assert response.status_code == 422
    assert (
        "Un message se planifie au plus un an à l'avance : choisissez une date jusqu'au "
        f"{day} {FRENCH_MONTHS[latest.month - 1]} {latest.year} inclus."
    ) in _at_error(response.get_data(as_text=True)).replace("\u00a0", " ")
    assert dispatches() == 0


def test_the_refusal_says_the_latest_day_in_english_to_an_english_reader(
    auth, client, make, template
):
    response = _schedule(auth, client, make, template, "2062-01-05T09:00", locale="en")
    latest = latest_day()
    assert response.status_code == 422
    assert (
        "A message can be planned at most a year ahead: choose a date no later than "
        f"{latest.day} {ENGLISH_MONTHS[latest.month - 1]} {latest.year}."
    ) in _at_error(response.get_data(as_text=True))


def test_the_day_after_the_latest_is_refused_and_the_latest_itself_is_asked_to_confirm(
    auth, client, make, template
):
    latest = latest_day()
    refused = _schedule(auth, client, make, template, f"{latest + timedelta(days=1)}T00:00")
    assert refused.status_code == 422 and "au plus un an" in _at_error(refused.text)
    accepted = auth.post(
        "/messaging/schedule",
        data={"template": template(key="bye").id, "audience": "everyone", "kind": "at",
              "at": f"{latest}T23:59"},
    )  # fmt: skip
    assert accepted.status_code == 200 and "at-error" not in accepted.text


def test_the_date_field_offers_days_up_to_the_latest(client, make):
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/schedule").text
    assert f'max="{latest_day()}T23:59"' in page


def test_the_service_refuses_a_moment_past_a_year_at_the_date(app, make, template):
    make.user()
    now = utcnow()
    latest = latest_day()
    beyond = datetime.combine(latest + timedelta(days=1), datetime.min.time(), local_zone())
    with pytest.raises(services.MessagingError) as refused:
        services.check_schedule(template(), "everyone", {}, "at", now, at=beyond)
    assert refused.value.field == "at"


@pytest.mark.parametrize("at", ["9999-12-31T23:59:00-05:00", "2062-01-05T09:00:00+01:00"])
def test_the_command_refuses_a_moment_past_a_year_without_a_traceback(runner, make, template, at):
    make.user()
    tpl = template()
    result = runner.invoke(
        args=["messaging", "dispatch", "--template", tpl.key, "--audience", "everyone", "--at", at]
    )
    assert result.exit_code == 1 and "at most a year ahead" in result.output
    assert not isinstance(result.exception, OverflowError) and dispatches() == 0
