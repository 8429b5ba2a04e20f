"""Recurring messages chosen as people say them ("every Monday at 09:00"), kept as cron.

An organiser picks how often and when; the schedule stores the cron expression the
scheduler runs (`0 9 * * mon`). A custom expression stays possible for the rare rhythm
the choices do not cover. The list of schedules words back the expressions these
choices make, and shows the others as they are.
"""

import re
from datetime import date, datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger
from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.core.i18n import format_clock, format_day, zone_place_phrase
from app.core.time import local_zone
from app.messaging.i18n import _

CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # Monday is 0, as in Python

# How often, in the order the form offers them.
REPEATS = {
    "daily": _l("Every day"),
    "weekdays": _l("Every working day (Monday to Friday)"),
    "weekly": _l("Every week"),
    "monthly": _l("Every month"),
    "custom": _l("Custom (cron expression)"),
}

# The shortest time between two sendings of a recurring message: a day, less the hour a
# daily message loses when the clocks go forward. More often, it is spam, not a reminder.
MIN_INTERVAL = timedelta(hours=23)
# How late an occurrence may run after its moment (the scheduler's misfire grace): one
# run a little late then one on time came 22 h 59 min 59 s apart on the day the clocks go
# forward, and the daily message of that Sunday was skipped as too soon.
RUN_LATENESS = timedelta(minutes=5)

# The last day every month has: a message planned for the 31st would skip most months.
LAST_MONTH_DAY = 28

_MADE_HERE = re.compile(
    r"^(?P<minute>\d{1,2}) (?P<hour>\d{1,2}) (?P<day>\*|\d{1,2}) \* (?P<weekday>\*|mon-fri|[a-z]{3})$"
)


def recurrence_cron(
    repeat: str, at: time | None, weekday: int | None, month_day: int | None, custom: str
) -> str:
    """The cron expression of a recurrence; `custom` as typed for a custom one."""
    if repeat == "custom":
        return custom.strip()
    if at is None:
        raise ValueError("a time is required for every repeat but a custom one")
    moment = f"{at.minute} {at.hour}"
    if repeat == "daily":
        return f"{moment} * * *"
    if repeat == "weekdays":
        return f"{moment} * * mon-fri"
    if repeat == "weekly":
        return f"{moment} * * {CRON_DAYS[weekday or 0]}"
    if repeat == "monthly":
        return f"{moment} {month_day} * *"
    raise ValueError(f"unknown repeat {repeat!r}")


def describe_cron(expression: str) -> str | None:
    """A recurrence these choices make, in the reader's words ("Every Monday at 09:00",
    « Chaque lundi à 9 h »); None for any other expression, which is then shown as typed."""
    match = _made_here(expression)
    if not match:
        return None
    minute, hour = int(match["minute"]), int(match["hour"])
    at = format_clock(time(hour, minute))
    day, weekday = match["day"], match["weekday"]
    if day == "*" and weekday == "*":
        return _("Every day at %(time)s", time=at)
    if day == "*" and weekday == "mon-fri":
        return _("Every working day (Monday to Friday) at %(time)s", time=at)
    if day == "*" and weekday in CRON_DAYS:
        name = get_day_names("wide", locale=get_locale())[CRON_DAYS.index(weekday)]
        return _("Every %(day)s at %(time)s", day=name, time=at)
    if weekday == "*" and day != "*" and 1 <= int(day) <= LAST_MONTH_DAY:
        return _("Every month on day %(day)s at %(time)s", day=int(day), time=at)
    return None


def _made_here(expression: str) -> re.Match | None:
    """The fields of an expression these choices make (a time, a day or a weekday); None
    for any other."""
    fields = expression.split()
    if len(fields) == 5:  # "0 9 * * 1" is Mondays too, "1-5" the working week, "lun" too
        try:
            weekdays = _crontab_weekdays(_in_english(fields[4], FRENCH_DAYS))
            fields[4] = weekdays.replace("mon,tue,wed,thu,fri", "mon-fri")
        except ValueError:
            return None
    match = _MADE_HERE.match(" ".join(fields))
    if not match or int(match["minute"]) > 59 or int(match["hour"]) > 23:
        return None
    return match


def clock_change_note(
    expression: str, now: datetime | None = None, until: date | None = None
) -> str | None:
    """What a recurring message at 02:00–02:59 does on the Paris nights the clocks change,
    when it can fall on them (a last Sunday of March or October); None otherwise. With an
    end (`until`, and `now` to find its first sending), only the clock changes it sends
    on between its first sending and its end: none, no note.

    As the scheduler runs it: the CronTrigger fires the hour the clocks skip an hour
    later (02:30 at 03:30), and the hour that comes twice twice, whose second sending
    dispatch_for_schedule drops as less than MIN_INTERVAL after the first."""
    match = _made_here(expression)
    if not match or int(match["hour"]) != 2:
        return None
    day, weekday = match["day"], match["weekday"]
    on_a_last_sunday = (day == "*" and weekday in ("*", "sun")) or (
        weekday == "*" and day != "*" and int(day) >= 25  # a month's last Sunday: 25th to 31st
    )
    if not on_a_last_sunday:
        return None
    march, october = True, True
    if until is not None and now is not None:
        march, october = _clock_changes_sent_on(expression, now, until)
    minute = int(match["minute"])
    at, later = format_clock(time(2, minute)), format_clock(time(3, minute))
    if march and october:
        return _(
            "On the last Sunday of March, %(time)s does not exist %(in_zone)s (the clocks go "
            "forward): a sending due that day goes at %(later)s. On the last Sunday of "
            "October, %(time)s comes twice (the clocks go back): the message goes once, at "
            "the first.",
            time=at,
            later=later,
            in_zone=zone_place_phrase(),
        )
    if march:
        return _(
            "On the last Sunday of March, %(time)s does not exist %(in_zone)s (the clocks go "
            "forward): a sending due that day goes at %(later)s.",
            time=at,
            later=later,
            in_zone=zone_place_phrase(),
        )
    if october:
        return _(
            "On the last Sunday of October, %(time)s comes twice %(in_zone)s (the clocks go "
            "back): the message goes once, at the first.",
            time=at,
            in_zone=zone_place_phrase(),
        )
    return None


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)  # March and October both have 31 days
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _clock_changes_sent_on(expression: str, now: datetime, until: date) -> tuple[bool, bool]:
    """Whether a recurring message ending on the day `until` sends, from its first
    sending on, on a night the clocks go forward (last Sunday of March), and on one they
    go back (last Sunday of October)."""
    try:
        trigger = cron_trigger(expression, until)
    except (ValueError, TypeError):
        return False, False
    first = trigger.get_next_fire_time(None, now)
    if first is None:
        return False, False
    zone = local_zone()
    start = first.astimezone(zone).date()
    found = {3: False, 10: False}
    # The calendar repeats every 28 years: an end typed far away (9999, refused by the
    # form but asked by its note as it is typed) looks no further than that.
    for year in range(start.year, min(until.year, start.year + 28) + 1):
        if all(found.values()):
            break
        for month in found:
            sunday = _last_sunday(year, month)
            if not start <= sunday <= until:
                continue
            fires = trigger.get_next_fire_time(None, datetime.combine(sunday, time(0), zone))
            if fires is not None and fires.astimezone(zone).date() == sunday:
                found[month] = True
    return found[3], found[10]


def repeated_hour_note(moment: datetime | None) -> str | None:
    """Which of the two a one-off moment is when its Paris time comes twice (02:30 the
    night the clocks go back), as `clock_change_note` says it of a recurring one; None
    for any other. A date typed in the form is the first (`fold=0`): it was so silently."""
    if moment is None:
        return None
    zone = local_zone()
    local = moment.astimezone(zone)
    naive = local.replace(tzinfo=None)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() <= second.utcoffset():  # said once (or skipped: refused before)
        return None
    clock = format_clock(naive.time())
    if local.utcoffset() == first.utcoffset():
        return _(
            "%(time)s comes twice that night, as the clocks go back: the first one, before "
            "they go back, is used.",
            time=clock,
        )
    return _(
        "%(time)s comes twice that night, as the clocks go back: the second one, after "
        "they go back, is used.",
        time=clock,
    )


def chosen_clock_change_note(
    repeat: str | None,
    at: time | None,
    weekday: int | None,
    month_day: int | None,
    custom: str | None,
    now: datetime | None = None,
    until: date | None = None,
) -> str | None:
    """`clock_change_note` of a recurrence as the schedule form has it while being filled
    (its end, if any, from `now`); None for one not complete or not valid yet (the form
    says why once sent)."""
    if repeat not in REPEATS or (weekday is not None and not 0 <= weekday < len(CRON_DAYS)):
        return None
    if repeat == "monthly" and not (month_day and 1 <= month_day <= LAST_MONTH_DAY):
        return None
    try:
        return clock_change_note(
            recurrence_cron(repeat, at, weekday, month_day, custom or ""), now, until
        )
    except ValueError:
        return None


# Day-of-week numbers as crontab counts them: 0 and 7 are Sunday.
_CRONTAB_DAYS = (CRON_DAYS[6], *CRON_DAYS)


def _crontab_weekdays(field: str) -> str:
    """The day-of-week field with crontab's numbers written as day names.

    APScheduler counts from Monday (its 1 is Tuesday, and 7 does not exist), so an
    organiser's "0 9 * * 1" (Mondays, as every crontab reads it) would have gone on
    Tuesdays. Names mean the same to both; numbers, ranges and steps are spelled out.
    """
    if field == "*" or any(c.isalpha() for c in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        base, _slash, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            first, last = (int(n) for n in base.split("-", 1))
        else:
            first = int(base)
            last = 6 if step_text else first
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last and step >= 1):
            raise ValueError(f"day of week out of range: {part!r}")
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(_CRONTAB_DAYS[day] for day in sorted(days, key=lambda d: (d - 1) % 7))


# How the audit log stores a recurring message's end after its rhythm.
_AUDIT_UNTIL = re.compile(r"^(?P<cron>.+) until (?P<until>\d{4}-\d{2}-\d{2})$")


def audit_summary(expression: str, until: date | None) -> str:
    """The details a recurring message's creation is audited with: its cron expression,
    and its last day when it has one ("0 9 * * mon until 2026-12-23")."""
    return f"{expression} until {until.isoformat()}" if until is not None else expression


def audit_rhythm(summary: str) -> str | None:
    """A recurring message's rhythm as the audit log shows it: in words when these
    choices make it, else named as a custom rhythm (a bare "0 9 1-7 * 1" read as noise),
    with its end if it has one; None for details that are no cron expression (another
    object's creation)."""
    until = None
    if match := _AUDIT_UNTIL.match(summary):
        try:
            until = date.fromisoformat(match["until"])
        except ValueError:
            return None
        summary = match["cron"]
    described = describe_cron(summary)
    if described:
        return with_end(described, until)
    try:
        cron_trigger(summary)
    except ValueError:
        return None
    return with_end(_("Custom rhythm “%(cron)s”", cron=summary), until)


# French abbreviations of days and months, read as the English ones the scheduler knows:
# a French organiser wrote "30 2 * * dim", refused as if it had not five fields.
FRENCH_DAYS = {"lun": "mon", "mar": "tue", "mer": "wed", "jeu": "thu", "ven": "fri",
               "sam": "sat", "dim": "sun"}  # fmt: skip
FRENCH_MONTHS = {"janv": "jan", "févr": "feb", "fevr": "feb", "fév": "feb", "fev": "feb",
                 "mars": "mar", "avr": "apr", "mai": "may", "juin": "jun", "juil": "jul",
                 "août": "aug", "aout": "aug", "sept": "sep", "déc": "dec"}  # fmt: skip
_NAME = re.compile(r"[^\W\d_]+")


def _in_english(field: str, names: dict[str, str]) -> str:
    """A field's French names written as the English ones (any case); others untouched."""
    return _NAME.sub(lambda m: names.get(m.group(0).lower(), m.group(0).lower()), field)


def cron_trigger(expression: str, until: date | None = None) -> CronTrigger:
    """The scheduler's trigger for a 5-field crontab, in the portal's time zone, reading
    the day of the week as crontab does and French day and month abbreviations as the
    English ones; firing no more after the day `until` (included), when given.
    ValueError when the expression is not valid."""
    fields = expression.split()
    if len(fields) == 5:
        fields[3] = _in_english(fields[3], FRENCH_MONTHS)
        fields[4] = _crontab_weekdays(_in_english(fields[4], FRENCH_DAYS))
    trigger = CronTrigger.from_crontab(" ".join(fields), timezone=local_zone())
    if until is not None:
        trigger.end_date = last_moment(until)
    return trigger


def last_moment(until: date) -> datetime:
    """The last moment a schedule ending on the day `until` may send: that day's end, in
    the portal's time zone (a weekly reminder "until 23 December" goes on the 23rd)."""
    return datetime.combine(until, time.max, local_zone())


def has_ended(expression: str, until: date | None, now: datetime) -> bool:
    """Whether a recurring schedule with an end sends no more: its last day is past, or
    no sending of its rhythm is left before its end."""
    return until is not None and next_run(expression, now, until) is None


def with_end(rhythm: str, until: date | None) -> str:
    """A rhythm in words with its end, if any, in the reader's language: "Every Monday at
    09:00 until 23 Dec 2026", « Chaque lundi à 9 h jusqu'au 23 déc. 2026 »."""
    if until is None:
        return rhythm
    return _("%(rhythm)s until %(date)s", rhythm=rhythm, date=format_day(until))


def cron_fields() -> tuple[tuple[str, str], ...]:
    """Each field of a crontab, in order: its name and the values it allows."""
    return (
        (_("the minute"), _("0 to 59")),
        (_("the hour"), _("0 to 23")),
        (_("the day of the month"), _("1 to 31")),
        (_("the month"), _("1 to 12, or jan to dec (janv to déc)")),
        (_("the day of the week"), _("0 to 7 (0 and 7 are Sunday), or mon to sun (lun to dim)")),
    )


def invalid_cron_field(expression: str) -> tuple[int, str] | None:
    """The first field of a 5-field expression refused on its own (its index and value),
    the others left as "*"; None when each is valid alone (or it has not five fields)."""
    fields = expression.split()
    if len(fields) != 5:
        return None
    for index, value in enumerate(fields):
        alone = ["*"] * 5
        alone[index] = value
        try:
            cron_trigger(" ".join(alone))
        except (ValueError, TypeError):
            return index, value
    return None


def next_run(expression: str, now: datetime, until: date | None = None) -> datetime | None:
    """When a cron expression next fires after `now` (Paris time), no later than the day
    `until` when given; None if it is invalid (a schedule stored before its expression
    was checked) or never fires again."""
    try:
        trigger = cron_trigger(expression, until)
    except (ValueError, TypeError):
        return None
    return trigger.get_next_fire_time(None, now)


def runs_between(
    expression: str, start: datetime, end: datetime, until: date | None = None, most: int = 400
) -> list[datetime]:
    """The sendings of a cron expression from `start` (included) to `end` (excluded), no
    later than the day `until`, at most `most` of them; none if it is invalid."""
    try:
        trigger = cron_trigger(expression, until)
    except (ValueError, TypeError):
        return []
    runs = []
    run = trigger.get_next_fire_time(None, start)
    while run is not None and run < end and len(runs) < most:
        runs.append(run)
        run = trigger.get_next_fire_time(run, run + timedelta(seconds=1))
    return runs


def more_than_daily(trigger: CronTrigger, now: datetime, sendings: int = 6) -> bool:
    """Whether two of the next few sendings of a trigger come closer than a day.

    A rhythm more often than daily shows within a few sendings: two of them fall on the
    same day (every minute of the 1st of the month: its first two sendings)."""
    previous = trigger.get_next_fire_time(None, now)
    for _sending in range(sendings - 1):
        if previous is None:
            return False
        following = trigger.get_next_fire_time(previous, previous)
        # 02:30 fires twice the night the clocks go back (fold 0 then 1, an hour apart): the
        # same wall time, whose second sending dispatch_for_schedule drops, not a rhythm.
        repeated_hour = following is not None and (
            following.replace(tzinfo=None) == previous.replace(tzinfo=None)
        )
        if following is not None and not repeated_hour and following - previous < MIN_INTERVAL:
            return True
        previous = following
    return False


def stored_more_than_daily(expression: str, now: datetime) -> bool:
    """Whether a stored schedule's rhythm is more often than daily (saved before that
    rule); False for an expression that is not valid, shown as is."""
    try:
        trigger = cron_trigger(expression)
    except (ValueError, TypeError):
        return False
    return more_than_daily(trigger, now)
