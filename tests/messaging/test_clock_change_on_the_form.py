"""A recurring time at 02:00–02:59: the schedule form says, next to the time, what the
clock changes do to it, as its confirmation page does. Given with the page (a form shown
again after a refusal), and brought again by htmx as the time or the rhythm changes, in
a polite live region the time field names in its description."""

import html
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login

EN_NOTE = (
    "On the last Sunday of March, 02:30 does not exist in Paris (the clocks go forward): a "
    "sending due that day goes at 03:30. On the last Sunday of October, 02:30 comes twice "
    "(the clocks go back): the message goes once, at the first."
)
DAILY_0230 = {"kind": "cron", "repeat": "daily", "weekday": "0", "month_day": "1", "time": "02:30"}


def _region(page: str) -> str:
    """The live region next to the time, tags and all."""
    found = re.search(r'<div id="clock-change"[^>]*>(.*?)</div>', page, re.S)
    assert found, "no clock-change region on the form"
    return found[0]


def _note(page: str) -> str | None:
    found = re.search(r'id="clock-change-note"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(found[1]).replace("\u00a0", " ") if found else None


def _organiser(client, make, locale="en") -> None:
    login(client, make.user(roles=("organiser",), locale=locale))


def _fragment(client, **args):
    return client.get("/messaging/clock-change", query_string=args, headers={"HX-Request": "true"})


def test_a_form_shown_again_after_a_refusal_says_it_next_to_the_time(auth, client, make, template):
    template()
    _organiser(client, make)
    answer = auth.post("/messaging/schedule", data={**DAILY_0230, "audience": ""})  # refused
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert _note(_region(page)) == EN_NOTE


def test_the_time_and_the_cron_expression_are_described_by_it(auth, client, make, template):
    _organiser(client, make)
    page = auth.post("/messaging/schedule", data={**DAILY_0230, "audience": ""}).get_data(
        as_text=True
    )
    time_input = re.search(r'<input[^>]*\bid="time"[^>]*>', page)[0]
    cron_input = re.search(r'<input[^>]*\bid="cron"[^>]*>', page)[0]
    assert 'aria-describedby="clock-change"' in time_input
    assert 'aria-describedby="cron-hint clock-change"' in cron_input
    region = _region(page)
    assert 'aria-live="polite"' in region and 'hx-get="/messaging/clock-change"' in region


def test_a_refused_time_keeps_its_error_in_its_description(auth, client, make):
    _organiser(client, make)
    data = {**DAILY_0230, "time": "", "audience": "everyone"}
    page = auth.post("/messaging/schedule", data=data).get_data(as_text=True)
    time_input = re.search(r'<input[^>]*\bid="time"[^>]*>', page)[0]
    assert 'aria-describedby="time-error clock-change"' in time_input


def test_a_time_outside_that_hour_has_an_empty_region(auth, client, make):
    _organiser(client, make)
    data = {**DAILY_0230, "time": "09:30", "audience": ""}
    page = auth.post("/messaging/schedule", data=data).get_data(as_text=True)
    assert _note(_region(page)) is None


def test_the_fragment_gives_the_note_alone(client, make):
    _organiser(client, make)
    answer = _fragment(client, **DAILY_0230)
    assert answer.status_code == 200 and "HX-Request" in answer.headers["Vary"]
    body = answer.get_data(as_text=True)
    assert _note(body) == EN_NOTE and "<form" not in body


def test_the_fragment_is_in_the_organisers_language(client, make):
    _organiser(client, make, locale="fr")
    assert _note(_fragment(client, **DAILY_0230).get_data(as_text=True)).startswith(
        "Le dernier dimanche de mars, 2 h 30 n'existe pas à Paris"
    )


@pytest.mark.parametrize(
    "changed",
    [
        {"time": "09:30"},
        {"kind": "at"},
        {"repeat": "weekly", "weekday": "5"},  # Saturdays: never a last Sunday
        {"repeat": "monthly", "month_day": "3"},
    ],
)
def test_the_fragment_is_empty_when_the_rhythm_cannot_fall_that_night(client, make, changed):
    _organiser(client, make)
    answer = _fragment(client, **{**DAILY_0230, **changed})
    assert answer.status_code == 200 and _note(answer.get_data(as_text=True)) is None


@pytest.mark.parametrize(
    "changed",
    [
        {"repeat": "weekly", "weekday": "6"},
        {"repeat": "monthly", "month_day": "27"},
        {"repeat": "custom", "cron": "15 2 * * sun"},
    ],
)
def test_other_rhythms_that_can_fall_that_night_get_it_too(client, make, changed):
    _organiser(client, make)
    assert _note(_fragment(client, **{**DAILY_0230, **changed}).get_data(as_text=True))


@pytest.mark.parametrize(
    "changed",
    [
        {"weekday": "99", "repeat": "weekly"},
        {"weekday": "x", "repeat": "weekly"},
        {"month_day": "31", "repeat": "monthly"},
        {"month_day": "-1", "repeat": "monthly"},
        {"repeat": "hourly"},
        {"time": "2:3x"},
        {"repeat": "custom", "cron": "30 2 * * 1-/0"},
        {"kind": "cron", "repeat": "custom"},
    ],
)
def test_half_filled_or_wrong_values_give_no_note_and_no_error(client, make, changed):
    _organiser(client, make)
    answer = _fragment(client, **{**DAILY_0230, **changed})
    assert answer.status_code == 200 and _note(answer.get_data(as_text=True)) is None


def test_without_htmx_the_address_gives_the_form_as_filled_with_its_note(client, make, template):
    template()
    _organiser(client, make)
    answer = client.get("/messaging/clock-change", query_string=DAILY_0230)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "HX-Request" in answer.headers["Vary"]
    assert 'id="schedule-form"' in page and _note(_region(page)) == EN_NOTE


def test_only_organisers_get_it(client, make):
    login(client, make.user(locale="en"))
    assert _fragment(client, **DAILY_0230).status_code in (302, 403)


@pytest.mark.browser
def test_the_note_comes_and_goes_as_the_time_changes(page, make, template):
    template()
    make.user(roles=("organiser",), email="nora@example.org")
    browser_sign_in(page, "nora@example.org")
    page.goto("/messaging/schedule")
    region = page.locator("#clock-change")
    page.get_by_label("Récurrent").check()
    page.get_by_label("Fréquence").select_option(label="Chaque jour")
    page.get_by_label("Heure (heure de Paris)", exact=True).fill("02:30")
    expect(region).to_contain_text("Le dernier dimanche de mars, 2\u00a0h\u00a030 n'existe pas")
    expect(page.locator("#time")).to_have_attribute("aria-describedby", "clock-change")
    page.get_by_label("Maintenant").check()
    expect(region).to_have_text("")
    page.get_by_label("Récurrent").check()  # back to the same rhythm: said again
    expect(region).to_contain_text("Le dernier dimanche de mars")
    page.get_by_label("Fréquence").select_option(label="Chaque semaine")  # a Monday
    expect(region).to_have_text("")
    page.get_by_label("Jour de la semaine").select_option(label="dimanche")
    expect(region).to_contain_text("Le dernier dimanche d'octobre")
    page.get_by_label("Heure (heure de Paris)", exact=True).fill("09:00")
    expect(region).to_have_text("")
