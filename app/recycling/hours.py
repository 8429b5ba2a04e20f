"""Opening hours in OpenStreetMap `opening_hours` syntax: validity, open now, and words.

The clock is always passed in; open/closed is evaluated in the portal's zone
(TIMEZONE, `local_zone`: Europe/Paris by default) with the French public-holiday calendar.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours
from babel.dates import format_date, format_skeleton, get_day_names, get_month_names
from babel.lists import format_list
from flask_babel import force_locale, get_translations, pgettext
from flask_babel import gettext as _

from app.cleanup.countdown import near_day_at
from app.core.i18n import first_of_month, format_clock, regional_locale
from app.core.time import local_zone
from app.recycling.hours_rules import SEPARATOR, Rule, Unreadable, check_order, read_rules

# A week without French public holidays, to describe the usual schedule.
REFERENCE_MONDAY = date(2026, 3, 9)
# How far ahead the next opening or closing is named ("Closed, opens Monday at 08:30").
STATUS_HORIZON = timedelta(days=14)


@lru_cache(maxsize=256)
def _parsed(expression: str, with_holidays: bool) -> opening_hours.OpeningHours:
    if with_holidays:
        return opening_hours.OpeningHours(expression, country="FR")
    return opening_hours.OpeningHours(expression)


# What a French keyboard or a word processor types in place of the syntax's own
# characters: « 8h30 » for 08:30, typographic dashes for "-".
_FRENCH_CLOCK = re.compile(r"(?<![A-Za-z0-9:])(\d{1,2}) ?h ?(\d{2})?(?![A-Za-z0-9])")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-"})


def tidy(expression: str | None) -> str | None:
    """The hours as typed, with « 8h30 » written 08:30 and typographic dashes as "-":
    what an admin means, in the syntax (« Mo–Fr 8h30-12h » is Mo-Fr 08:30-12:00).
    A form's filter: nothing typed stays nothing."""
    if not expression:
        return expression

    def clock(match: re.Match) -> str:
        return f"{int(match[1]):02d}:{match[2] or '00'}"

    return _FRENCH_CLOCK.sub(clock, expression.translate(_DASHES))


def is_valid(expression: str) -> bool:
    """True when the expression parses as OSM opening hours."""
    try:
        _parsed(expression.strip(), True)
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return False
    return bool(expression.strip())


# Where the parser stopped reading (" --> 1:7": line 1, column 7).
_STOPPED_AT = re.compile(r"--> *(\d+):(\d+)")
# What ends a word of the syntax around the place the parser stopped.
_WORD_EDGES = " ;,"


# How much of a refused value a message quotes: enough to find it in the field, not the
# field's 250 characters, which would bury the message's advice.
QUOTE_LENGTH = 60


def quoted(text: str, limit: int = QUOTE_LENGTH) -> str:
    """`text` as a message quotes it: whole when short, otherwise cut to `limit`
    characters after its last word (or in a word with no end near), followed by « … »."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    edge = max(cut.rfind(c) for c in _WORD_EDGES)
    if edge >= limit // 2:
        cut = cut[:edge]
    return cut.rstrip(_WORD_EDGES) + "…"


def unparsed_part(expression: str) -> str | None:
    """The word of these hours that is not in the syntax, where the parser stopped (the
    whole word around that place: « Lu-Ve », « Sam »); None when they parse, or when the
    parser does not say where."""
    expression = expression.strip()
    try:
        _parsed(expression, True)
    except (opening_hours.ParserError, SyntaxError, ValueError) as refused:
        stopped = _STOPPED_AT.search(str(refused))
    else:
        return None
    if stopped is None or stopped[1] != "1":
        return None  # the hours are one line; a parser saying otherwise is not understood
    column = int(stopped[2]) - 1
    if not 0 <= column < len(expression):
        return None  # stopped at the end: something is missing, no word is wrong
    start = column
    while start > 0 and expression[start - 1] not in _WORD_EDGES:
        start -= 1
    end = column
    while end < len(expression) and expression[end] not in _WORD_EDGES:
        end += 1
    return expression[start:end] or None


def unreadable_reason(expression: str) -> str | None:
    """Why the pages could not show these (valid) hours in words, naming the part in
    question, in the request's language; None when they can (or the syntax is wrong,
    which `is_valid` says)."""
    expression = expression.strip()
    try:
        oh = _parsed(expression, True)
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return None
    try:
        check_order(read_rules(str(oh)))
    except Unreadable as refused:
        # Quoted as typed when the rules can be matched ("Dec 07 off", not "Dec 7 closed").
        typed = [rule.strip() for rule in expression.split(";")]
        written = SEPARATOR.split(str(oh))[::2]
        as_typed = dict(zip(written, typed, strict=True)) if len(typed) == len(written) else {}
        part = as_typed.get(refused.part, refused.part)
        if refused.school_holidays:
            return _(
                "The portal has no calendar of school holidays, so it cannot show “SH”: "
                "write the dates of the holidays instead, e.g. Feb 14-Mar 01 off."
            )
        if refused.before is not None:
            return _(
                "Write the usual week first, then the exceptions (dates, weeks, public "
                "holidays), as the pages show them: move “%(rule)s” before “%(exception)s”.",
                rule=quoted(part),
                exception=quoted(as_typed.get(refused.before, refused.before)),
            )
        return _(
            "The portal cannot show “%(part)s” in words on its pages. Write the hours with "
            "days, times, dates, weeks and public holidays, e.g. Mo-Fr 08:30-12:00; "
            "Dec 24-Jan 01 off; week 1-26 Sa 09:00-12:00; PH off.",
            part=quoted(part),
        )
    return None


def _local(now: datetime, zone: ZoneInfo) -> datetime:
    # The library wants naive local times (its aware mode needs a zoneinfo key).
    return now.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def is_open(expression: str, now: datetime, zone: ZoneInfo | None = None) -> bool:
    """Whether a place with these hours is open at `now` (aware), in `zone` (by default
    the portal's, `local_zone`)."""
    try:
        return _parsed(expression, True).is_open(_local(now, zone or local_zone()))
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return False


def next_change(expression: str, now: datetime, zone: ZoneInfo | None = None) -> datetime | None:
    """The next opening or closing time (aware, in `zone`, by default the portal's) within
    a fortnight, if any."""
    zone = zone or local_zone()
    try:
        local = _local(now, zone)
        change = _parsed(expression, True).next_change(local)
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return None
    if change is None or change - local > STATUS_HORIZON:
        return None
    return change.replace(tzinfo=zone)


def unchanged_until(
    expressions: Iterable[str], now: datetime, zone: ZoneInfo | None = None
) -> datetime:
    """Until when `is_open` and `status_text` say of every one of `expressions` what they
    say at `now` (aware, in `zone`, by default the portal's): the first opening or closing
    to come, the moment a change comes within the fortnight `status_text` names, or the
    next midnight (it says "opens today at" on the day, "opens tomorrow at" the day
    before, "opens Monday at" before that), whichever comes first.

    A page showing those states is the same for everyone until then: it is kept until
    then, not re-rendered each minute.
    """
    zone = zone or local_zone()
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


def status_text(expression: str, now: datetime, language: str, zone: ZoneInfo | None = None) -> str:
    """'Open now, closes at 17:00', 'Closed, opens today at 14:00', 'Closed, opens
    tomorrow at 08:30', 'Closed, opens Monday at 08:30', 'Closed, opens Monday 4 January
    at 08:00' (a week or more ahead), 'Open now, closes Friday at midnight', in
    `language`, on the calendar of `zone` (by default the portal's)."""
    locale = regional_locale(language)
    zone = zone or local_zone()
    open_now = is_open(expression, now, zone)
    change = next_change(expression, now, zone)
    with force_locale(locale):
        if change is None:
            # "Closed" alone is also a campaign's state ("Terminée"): a point is "Fermé".
            return _("Open now") if open_now else pgettext("collection point", "Closed")
        today = now.astimezone(zone).date()
        day, at = change.date(), format_clock(change.time(), language)
        if open_now and change.time() == time.min:
            # Closing at 00:00 is closing at the end of the day before: « ferme à minuit »,
            # not « ferme à 0 h » read as the night to come.
            day, at = day - timedelta(days=1), _("midnight")
        if open_now and day == today:
            return _("Open now, closes at %(time)s", time=at)
        # "Tuesday" said on a Monday evening: today and tomorrow are said as the
        # campaigns' countdown says them (« ouvre demain à 8 h 30 »).
        near = near_day_at((day - today).days, at, get_translations())
        if near is not None:
            if open_now:
                return _("Open now, closes %(when)s", when=near)
            return _("Closed, opens %(when)s", when=near)
        named = _day_ahead(day, today, language)
        if open_now:
            return _("Open now, closes %(day)s at %(time)s", day=named, time=at)
        return _("Closed, opens %(day)s at %(time)s", day=named, time=at)


def _day_ahead(day: date, today: date, language: str) -> str:
    """A day to come as the status names it: 'Monday' within the coming week, 'Monday 4
    January' from a week ahead on (after a holiday closure, « lundi » alone reads as the
    Monday to come, a week too early)."""
    locale = regional_locale(language)
    if (day - today).days < 7:
        return format_date(day, "EEEE", locale=locale)
    return first_of_month(format_date(day, "EEEE d MMMM", locale=locale), day, language)


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
    """The hours in words: ((days, hours), …), the usual week first, e.g.
    (('Monday to Friday', '08:30–12:00'), …), then each exception in the order written,
    e.g. ('From 24 December to 1 January', 'closed'), ('Public holidays', 'closed')."""
    locale = regional_locale(language)
    try:
        oh = _parsed(expression, False)
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return ()
    try:
        rules = read_rules(str(oh))
        check_order(rules)
    except Unreadable:
        # Saved before the form refused what it cannot put into words: the week as it
        # falls in a week without holidays, then the hours as written, hiding nothing.
        with force_locale(locale):
            return (*_week_lines(oh, language), (_("Hours as entered"), expression))
    usual = [rule for rule in rules if not rule.is_exception]
    lines: list[tuple[str, str]] = []
    with force_locale(locale):
        # Only exceptions ("week 1-26 Tu 14:00-16:00"): a week closed but for them.
        week = "".join(
            (", " if rule.additional else "; ") * bool(i) + rule.text
            for i, rule in enumerate(usual)
        )
        lines += _week_lines(_parsed(week or "off", False), language)
        for rule in rules:
            if rule.is_exception:
                lines.append((_exception_label(rule, language), _exception_hours(rule, language)))
    return tuple(lines)


def _week_lines(oh: opening_hours.OpeningHours, language: str) -> list[tuple[str, str]]:
    """The usual week, days with the same hours together ('Monday to Friday')."""
    names = get_day_names("wide", locale=regional_locale(language))
    week = [_day_intervals(oh, REFERENCE_MONDAY + timedelta(days=i)) for i in range(7)]
    lines: list[tuple[str, str]] = []
    first = 0
    while first < 7:
        last = first
        while last + 1 < 7 and week[last + 1] == week[first]:
            last += 1
        days = str(names[first])
        if last == first + 1:
            days = _("%(first)s and %(last)s", first=days, last=names[last])
        elif last > first:
            # « du lundi au vendredi »: the capital goes on the words' first letter.
            days = _("%(first)s to %(last)s", first=days, last=names[last])
        lines.append((days[:1].upper() + days[1:], _hours_text(week[first], language)))
        first = last + 1
    return lines


def _exception_label(rule: Rule, language: str) -> str:
    """When an exception applies: 'From 24 December to 1 January', 'Weeks 1 to 26, Tuesday'."""
    locale = regional_locale(language)
    parts = []
    if rule.years:
        parts.append(format_list([_years_text(*years) for years in rule.years], locale=locale))
    if rule.dates:
        texts = [_dates_text(first, last, language) for first, last in rule.dates]
        parts.append(format_list(texts, locale=locale))
    if rule.weeks:
        texts = [
            _("week %(number)s", number=first)
            if first == last
            else _("weeks %(first)s to %(last)s", first=first, last=last)
            for first, last in rule.weeks
        ]
        parts.append(format_list(texts, locale=locale))
    if rule.weekdays:
        texts = [_weekday_text(day, language) for day in rule.weekdays]
        parts.append(format_list(texts, locale=locale))
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def _years_text(first: int, last: int) -> str:
    if first == last:
        return _("in %(period)s", period=first)
    return _("from %(first)s through %(last)s", first=first, last=last)


def _date_text(point, language: str) -> str:
    """'24 December', '24 December 2026', 'July', « 1er janvier »."""
    year, month, day = point
    locale = regional_locale(language)
    if day is None:  # a month: Babel's skeletons shorten it ("janv.")
        name = str(get_month_names("wide", locale=locale)[month])
        return f"{name} {year}" if year else name
    value = date(year or 2024, month, day)  # 2024: 29 February exists
    text = format_skeleton("yMMMMd" if year else "MMMMd", value, locale=locale)
    return first_of_month(text, value, language)


def _dates_text(first, last, language: str) -> str:
    if last is None:
        text = _date_text(first, language)
        return text if first[2] else _("in %(period)s", period=text)
    texts = {"first": _date_text(first, language), "last": _date_text(last, language)}
    if first[2] and last[2]:
        return _("from %(first)s to %(last)s", **texts)  # « du 24 décembre au 1er janvier »
    text = _("from %(first)s through %(last)s", **texts)  # « de juillet à août »
    # « d'avril », « d'octobre »: French elides "de" before a vowel.
    return re.sub(r"\bde (?=[aeiouyâéèê])", "d'", text) if language == "fr" else text


def _weekday_text(day: tuple, language: str) -> str:
    """'public holidays', 'Monday to Friday', 'first Saturday of the month'."""
    first, last, nth = day
    if first == "PH":
        return _("public holidays")
    names = get_day_names("wide", locale=regional_locale(language))
    if first != last:
        return _("%(first)s to %(last)s", first=names[first], last=names[last])
    if not nth:
        return str(names[first])
    ordinals = {
        1: _("first %(day)s of the month", day=names[first]),
        2: _("second %(day)s of the month", day=names[first]),
        3: _("third %(day)s of the month", day=names[first]),
        4: _("fourth %(day)s of the month", day=names[first]),
        5: _("fifth %(day)s of the month", day=names[first]),
        -1: _("last %(day)s of the month", day=names[first]),
    }
    return format_list([ordinals[n] for n in nth], locale=regional_locale(language))


def _exception_hours(rule: Rule, language: str) -> str:
    """'closed', '14:00–16:00', 'closed 12:00–14:00', 'also open 14:00–16:00'."""
    spans = ", ".join(f"{_clock(a, language)}–{_clock(b, language)}" for a, b in rule.times)
    if rule.closed:
        return _("closed %(hours)s", hours=spans) if spans else _("closed")
    if not spans:
        return _("open 24 hours")
    # After ",", the rule adds its hours to the day's, where after ";" it replaces them.
    return _("also open %(hours)s", hours=spans) if rule.additional else spans


def _clock(minutes: int, language: str) -> str:
    if minutes == 24 * 60:  # the end of the day, which no time of day writes
        return "24\u00a0h" if language == "fr" else "24:00"
    return format_clock(time(minutes // 60 % 24, minutes % 60), language)


def _hours_text(spans: tuple[tuple[time, time], ...], language: str) -> str:
    if not spans:
        return _("closed")
    if spans == ((time.min, time.max),):
        return _("open 24 hours")

    def minutes(value: time) -> int:
        return 24 * 60 if value == time.max else value.hour * 60 + value.minute

    return ", ".join(
        f"{_clock(minutes(a), language)}–{_clock(minutes(b), language)}" for a, b in spans
    )


def describe_text(expression: str, language: str) -> str:
    """The usual week in one sentence-like line, for messages."""
    lines = describe(expression, language)
    with force_locale(regional_locale(language)):
        separator = pgettext("between two lines of opening hours", "; ")
        return separator.join(
            _("%(days)s: %(hours)s", days=days, hours=text) for days, text in lines
        )
