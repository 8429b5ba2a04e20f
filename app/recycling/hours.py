"""Opening hours in OpenStreetMap `opening_hours` syntax: validity, open now, and words.

The clock is always passed in; open/closed is evaluated in the portal's zone
(Europe/Paris) with the French public-holiday calendar.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours
from babel.dates import format_date, get_day_names
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _

from app.core.i18n import format_clock, regional_locale

PARIS = ZoneInfo("Europe/Paris")
# A week without French public holidays, to describe the usual schedule.
REFERENCE_MONDAY = date(2026, 3, 9)
# How far ahead the next opening or closing is named ("Closed, opens Monday at 08:30").
STATUS_HORIZON = timedelta(days=14)


@lru_cache(maxsize=256)
def _parsed(expression: str, with_holidays: bool) -> opening_hours.OpeningHours:
    if with_holidays:
        return opening_hours.OpeningHours(expression, country="FR")
    return opening_hours.OpeningHours(expression)


def is_valid(expression: str) -> bool:
    """True when the expression parses as OSM opening hours."""
    try:
        _parsed(expression.strip(), True)
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return False
    return bool(expression.strip())


def _local(now: datetime, zone: ZoneInfo = PARIS) -> datetime:
    # The library wants naive local times (its aware mode needs a zoneinfo key).
    return now.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def is_open(expression: str, now: datetime, zone: ZoneInfo = PARIS) -> bool:
    """Whether a place with these hours is open at `now` (aware), in `zone`."""
    try:
        return _parsed(expression, True).is_open(_local(now, zone))
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return False


def next_change(expression: str, now: datetime, zone: ZoneInfo = PARIS) -> datetime | None:
    """The next opening or closing time (aware, in `zone`) within a fortnight, if any."""
    try:
        local = _local(now, zone)
        change = _parsed(expression, True).next_change(local)
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return None
    if change is None or change - local > STATUS_HORIZON:
        return None
    return change.replace(tzinfo=zone)


def unchanged_until(expressions: Iterable[str], now: datetime, zone: ZoneInfo = PARIS) -> datetime:
    """Until when `is_open` and `status_text` say of every one of `expressions` what they
    say at `now` (aware, in `zone`): the first opening or closing to come, the moment a
    change comes within the fortnight `status_text` names, or the next midnight (it says
    "opens at" on the day, "opens Monday at" before it), whichever comes first.

    A page showing those states is the same for everyone until then: it is kept until
    then, not re-rendered each minute.
    """
    local = _local(now, zone)
    moments = [datetime.combine(local.date() + timedelta(days=1), time.min)]
    for expression in set(expressions):
        try:
            change = _parsed(expression, True).next_change(local)
        except (opening_hours.ParserError, SyntaxError, ValueError):
            continue  # never open, "Closed" whatever the time
        if change is None:
            continue  # always open, or never
        if change - local > STATUS_HORIZON:
            change -= STATUS_HORIZON  # status_text names it from then on
        moments.append(change)
    return min(moments).replace(tzinfo=zone)


def status_text(expression: str, now: datetime, language: str, zone: ZoneInfo = PARIS) -> str:
    """'Open now, closes at 17:00' or 'Closed, opens Monday at 08:30', in `language`."""
    locale = regional_locale(language)
    open_now = is_open(expression, now, zone)
    change = next_change(expression, now, zone)
    with force_locale(locale):
        if change is None:
            # "Closed" alone is also a campaign's state ("Terminée"): a point is "Fermé".
            return _("Open now") if open_now else pgettext("collection point", "Closed")
        at = format_clock(change.time(), language)
        same_day = change.date() == now.astimezone(zone).date()
        if open_now:
            return _("Open now, closes at %(time)s", time=at)
        if same_day:
            return _("Closed, opens at %(time)s", time=at)
        day = format_date(change.date(), "EEEE", locale=locale)
        return _("Closed, opens %(day)s at %(time)s", day=day, time=at)


def _day_intervals(oh: opening_hours.OpeningHours, day: date) -> tuple[tuple[time, time], ...]:
    start = datetime.combine(day, time.min)
    end = start + timedelta(days=1)
    spans = []
    for begin, finish, state, _comment in oh.intervals(start, end):
        if state != opening_hours.State.OPEN:
            continue
        begin, finish = max(begin, start), min(finish or end, end)
        spans.append((begin.time(), time.max if finish == end else finish.time()))
    return tuple(spans)


@lru_cache(maxsize=512)
def describe(expression: str, language: str) -> tuple[tuple[str, str], ...]:
    """The usual week in words: ((days, hours), …), e.g. (('Monday to Friday', '08:30–12:00'),)."""
    locale = regional_locale(language)
    try:
        oh = _parsed(expression, False)
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return ()
    names = get_day_names("wide", locale=locale)
    week = [_day_intervals(oh, REFERENCE_MONDAY + timedelta(days=i)) for i in range(7)]
    lines: list[tuple[str, str]] = []
    with force_locale(locale):
        first = 0
        while first < 7:
            last = first
            while last + 1 < 7 and week[last + 1] == week[first]:
                last += 1
            days = str(names[first]).capitalize()
            if last == first + 1:
                days = _("%(first)s and %(last)s", first=days, last=names[last])
            elif last > first:
                days = _("%(first)s to %(last)s", first=days, last=names[last])
            lines.append((days, _hours_text(week[first], language)))
            first = last + 1
        if "PH off" in expression or "PH closed" in expression:
            lines.append((_("Public holidays"), _("closed")))
    return tuple(lines)


def _hours_text(spans: tuple[tuple[time, time], ...], language: str) -> str:
    if not spans:
        return _("closed")
    if spans == ((time.min, time.max),):
        return _("open 24 hours")

    def fmt(value: time) -> str:
        if value == time.max:  # the end of the day, which no time of day writes
            return "24\u00a0h" if language == "fr" else "24:00"
        return format_clock(value, language)

    return ", ".join(f"{fmt(a)}–{fmt(b)}" for a, b in spans)


def describe_text(expression: str, language: str) -> str:
    """The usual week in one sentence-like line, for messages."""
    lines = describe(expression, language)
    with force_locale(regional_locale(language)):
        separator = pgettext("between two lines of opening hours", "; ")
        return separator.join(
            _("%(days)s: %(hours)s", days=days, hours=text) for days, text in lines
        )
