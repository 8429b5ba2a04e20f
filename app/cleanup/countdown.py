"""When a campaign ends, said from a given moment as people say it, on the calendar of
the portal's zone (Europe/Paris): "today at 23:22", "tomorrow at 18:00", "in 5 days,
on 6 April 2026 at 18:00". Counting whole periods of 24 hours rounded up said "1 day
left" minutes before the end.

A campaign's end is exclusive: the first moment it is closed (the calendar file's
DTEND). One open to the end of its last day ends at the following midnight, and is
written as that day's 23:59, as its organiser typed it (`shown_end`)."""

from datetime import datetime, time, timedelta

from app.core.i18n import format_clock, integer_writer, sentence_moment
from app.core.time import local_zone


def shown_end(ends_at: datetime) -> datetime:
    """A campaign's end as pages, messages and forms write it: one at midnight (Paris
    time), which leaves the whole day before it open, as that day's 23:59 (« au 27 déc.
    2026, 23 h 59 »), never as the next day's 0 h, a day the campaign does not run."""
    try:
        if ends_at.astimezone(local_zone()).time() == time(0, 0):
            return ends_at - timedelta(minutes=1)
    except OverflowError:  # the calendar's first or last hours: refused as too far off
        pass
    return ends_at


def days_to_end(ends_at: datetime, now: datetime) -> int:
    """Calendar days from `now` to the end, in the portal's zone: 0 on its last day."""
    zone = local_zone()
    return (shown_end(ends_at).astimezone(zone).date() - now.astimezone(zone).date()).days


def near_day_at(days: int, clock: str, translations) -> str | None:
    """A moment `days` calendar days ahead, in the portal's zone, at `clock` (written),
    as people say it: "today at 23:22" (0, or fewer), "tomorrow at 18:00" (1); None
    further ahead, which each caller words its own way.

    Shared by the campaigns' countdown and the collection points' "opens tomorrow at
    08:30", so that the portal says a near day one way everywhere."""
    if days <= 0:
        return translations.gettext("today at %(time)s") % {"time": clock}
    if days == 1:
        return translations.gettext("tomorrow at %(time)s") % {"time": clock}
    return None


def ends_when(ends_at: datetime, now: datetime, language: str, translations) -> str:
    """The end of a running campaign from `now`, to follow "ends" in a sentence.

    `translations`: the catalogue of `language` (a request's, or one a job forced), so
    that messages to many recipients look it up once."""
    zone = local_zone()
    shown = shown_end(ends_at)
    clock = format_clock(shown.astimezone(zone).time(), language)
    days = days_to_end(ends_at, now)
    if ends_at - now < timedelta(hours=1):
        return translations.gettext("in less than an hour, at %(time)s") % {"time": clock}
    near = near_day_at(days, clock, translations)
    if near is not None:
        return near
    text = translations.ngettext(
        "in %(num)s day, on %(date)s", "in %(num)s days, on %(date)s", days
    )
    return text % {
        "num": integer_writer(language)(days),
        "date": sentence_moment(shown, language, zone),
    }
