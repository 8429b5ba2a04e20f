"""The rules of an opening-hours expression, read from the library's own writing of it.

`opening_hours` evaluates an expression but does not hand out its parts. Its text of the
expression (`str(OpeningHours(...))`) is regular — "Dec 7 closed", "week01-26",
"Dec 24-Jan 1" — so the parts the portal can put into words are read from it here:
years, dates and months, weeks of the year, days of the week (with public holidays and
"the first Monday of the month"), times, and "closed". Anything else (school holidays,
sunrise, comments, "unknown", fallback rules, offsets, steps) raises `Unreadable`
naming the part, which the admin form shows.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
NTH = (1, 2, 3, 4, 5, -1)  # "Mo[1]": the first Monday of the month; "Mo[-1]": the last

_MONTH = "|".join(MONTHS)
_DAY = "|".join(WEEKDAYS)
_POINT = rf"(?:\d{{4}} )?(?:{_MONTH})(?: \d{{1,2}})?"
_END = r"(?= |$)"
_YEARS = re.compile(r"\d{4}(?:-\d{4})?(?:,\d{4}(?:-\d{4})?)*(?: |(?=[A-Z])|$)")
_DATES = re.compile(rf"{_POINT}(?:-{_POINT})?(?:,{_POINT}(?:-{_POINT})?)*{_END}")
_WEEKS = re.compile(rf"week\d{{2}}(?:-\d{{2}})?(?:,\d{{2}}(?:-\d{{2}})?)*{_END}")
_NTH = r"\[-?\d(?:,-?\d)*\]"
_WEEKDAY_ITEM = rf"(?:(?:{_DAY})(?:{_NTH}|-(?:{_DAY}))?|PH|SH)"
_WEEKDAYS = re.compile(rf"{_WEEKDAY_ITEM}(?:,{_WEEKDAY_ITEM})*{_END}")
_TIMES = re.compile(
    rf"(?:24/7|\d{{2}}:\d{{2}}-\d{{2}}:\d{{2}}(?:,\d{{2}}:\d{{2}}-\d{{2}}:\d{{2}})*){_END}"
)
_POINT_PARTS = re.compile(rf"(?:(\d{{4}}) )?({_MONTH})(?: (\d{{1,2}}))?")
# Between two rules (not inside a list: "Mo,We", "Dec 24,Dec 31"), kept by `split`.
SEPARATOR = re.compile(r"(; |, | \|\| )")
_COMMENT = re.compile(r'"[^"]*"')


class Unreadable(ValueError):
    """A part of the hours the portal cannot put into words (`part`, as the library writes it);
    `school_holidays` when it is "SH", `before` when it is a usual-week rule written after
    the exception `before` (the usual week is shown first)."""

    def __init__(self, part: str, school_holidays: bool = False, before: str | None = None):
        super().__init__(part)
        self.part = part
        self.school_holidays = school_holidays
        self.before = before


# A date as (year or None, month 1-12, day or None): "2026 Dec 24" is (2026, 12, 24).
DatePoint = tuple[int | None, int, int | None]


@dataclass
class Rule:
    """One rule: its selectors (empty: any), its times in minutes, whether it closes."""

    text: str
    additional: bool = False  # after ",": adds to the rules before it, replaces nothing
    years: list[tuple[int, int]] = field(default_factory=list)
    dates: list[tuple[DatePoint, DatePoint | None]] = field(default_factory=list)
    weeks: list[tuple[int, int]] = field(default_factory=list)
    # (first day 0-6, last day 0-6, nth of the month or ()) or ("PH", ...).
    weekdays: list[tuple] = field(default_factory=list)
    times: list[tuple[int, int]] = field(default_factory=list)  # minutes, end may pass 24:00
    closed: bool = False

    @property
    def is_exception(self) -> bool:
        """Whether it applies only on some dates: not part of the usual week."""
        holidays = any(day[0] == "PH" or day[2] for day in self.weekdays)
        return bool(self.years or self.dates or self.weeks or holidays)


def read_rules(canonical: str) -> list[Rule]:
    """The rules of an expression as the library writes it, or Unreadable."""
    comment = _COMMENT.search(canonical)
    if comment:
        raise Unreadable(comment.group(0))
    pieces = SEPARATOR.split(canonical)
    rules = [_read_rule(pieces[0], False)]
    for separator, text in zip(pieces[1::2], pieces[2::2], strict=True):
        if separator == " || ":
            raise Unreadable(f"|| {text}")
        rules.append(_read_rule(text, separator == ", "))
    return rules


def check_order(rules: list[Rule]) -> None:
    """Unreadable when a usual-week rule follows an exception: the week shown first would
    then not be the one applied (a later rule overrides an earlier one)."""
    first_exception = next((r for r in rules if r.is_exception), None)
    if first_exception is None:
        return
    after = rules[rules.index(first_exception) :]
    late = next((r for r in after if not r.is_exception), None)
    if late is not None:
        raise Unreadable(late.text, before=first_exception.text)


def _read_rule(text: str, additional: bool) -> Rule:
    rule = Rule(text=text, additional=additional)
    rest = text
    if found := _DATES.match(rest):
        rule.dates = [_date_range(item) for item in _items(found.group(0), _POINT)]
    elif found := _YEARS.match(rest):
        rule.years = [_number_range(item) for item in found.group(0).strip().split(",")]
    if found:
        rest = rest[found.end() :].lstrip()
    if not rule.dates and (found := _DATES.match(rest)):
        rule.dates = [_date_range(item) for item in _items(found.group(0), _POINT)]
        rest = rest[found.end() :].lstrip()
    if found := _WEEKS.match(rest):
        rule.weeks = [_number_range(item) for item in found.group(0)[4:].split(",")]
        rest = rest[found.end() :].lstrip()
    if found := _WEEKDAYS.match(rest):
        rule.weekdays = [_weekday(item) for item in re.findall(_WEEKDAY_ITEM, found.group(0))]
        rest = rest[found.end() :].lstrip()
    if found := _TIMES.match(rest):
        if found.group(0) != "24/7":
            rule.times = [_span(item) for item in found.group(0).split(",")]
        rest = rest[found.end() :].lstrip()
    if rest in ("closed", "open"):
        rule.closed, rest = rest == "closed", ""
    if rest:
        # The part itself ("sunrise-sunset", "unknown"), or its rule when the part alone
        # would say nothing ("1 days" of "PH 1 days").
        raise Unreadable(rest if rest[0].isalpha() else text)
    return rule


def _items(text: str, point: str) -> list[str]:
    """The comma-separated items of a list of dates (a date holds no comma)."""
    return re.findall(rf"{point}(?:-{point})?", text)


def _date_range(item: str) -> tuple[DatePoint, DatePoint | None]:
    points = [_date_point(m) for m in _POINT_PARTS.finditer(item)]
    return points[0], points[1] if len(points) > 1 else None


def _date_point(found: re.Match) -> DatePoint:
    year, month, day = found.groups()
    point = (int(year) if year else None, MONTHS.index(month) + 1, int(day) if day else None)
    try:
        date(point[0] or 2024, point[1], point[2] or 1)  # 2024: 29 February exists
    except ValueError:
        raise Unreadable(found.group(0)) from None
    return point


def _number_range(item: str) -> tuple[int, int]:
    first, _, last = item.partition("-")
    return int(first), int(last or first)


def _weekday(item: str) -> tuple:
    if item in ("PH", "SH"):
        if item == "SH":
            raise Unreadable("SH", school_holidays=True)
        return ("PH", None, ())
    first = WEEKDAYS.index(item[:2])
    if item[2:3] == "-":
        return (first, WEEKDAYS.index(item[3:5]), ())
    nth = tuple(int(n) for n in item[3:-1].split(",")) if item[2:3] == "[" else ()
    if any(n not in NTH for n in nth):
        raise Unreadable(item)  # "the second to last Monday": no words for it here
    return (first, first, nth)


def _span(item: str) -> tuple[int, int]:
    start, end = item.split("-")
    return _minutes(start), _minutes(end)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass
class Doubtful:
    """Hours that parse but say something an admin hardly means: `kind` is "never_open"
    (every rule closes), "overnight" (`ranges[0]` ends at or before it starts, or past
    midnight: the pages show each day's hours within that day) or "overlap" (`ranges`,
    two ranges of one rule, which the library would silently merge)."""

    kind: str
    ranges: tuple[str, ...] = ()


def doubtful_hours(rules: list[Rule]) -> Doubtful | None:
    """What is doubtful in these rules (the first thing found), or None."""
    if all(rule.closed for rule in rules):
        return Doubtful("never_open")
    for rule in rules:
        for start, end in rule.times:
            if end <= start or end > 24 * 60:
                return Doubtful("overnight", (_range_text(start, end),))
        spans = sorted(rule.times)
        for (start, end), (next_start, next_end) in pairwise(spans):
            if next_start < end:
                merged = _range_text(start, max(end, next_end))
                return Doubtful(
                    "overlap",
                    (_range_text(start, end), _range_text(next_start, next_end), merged),
                )
    return None


def _range_text(start: int, end: int) -> str:
    """A range of minutes as the syntax writes it: "08:00-12:00"."""
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
