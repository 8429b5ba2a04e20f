"""When a campaign ends, said from a given moment as people say it, on the calendar of
the portal's zone (Europe/Paris): "today at 23:22", "tomorrow at 18:00", "in 5 days,
on 6 April 2026 at 18:00". Counting whole periods of 24 hours rounded up said "1 day
left" minutes before the end."""

from datetime import datetime, timedelta

from app.core.i18n import format_clock, integer_writer, sentence_moment
from app.core.time import local_zone


def days_to_end(ends_at: datetime, now: datetime) -> int:
    """Calendar days from `now` to the end, in the portal's zone: 0 on its last day."""
    zone = local_zone()
    return (ends_at.astimezone(zone).date() - now.astimezone(zone).date()).days


def ends_when(ends_at: datetime, now: datetime, language: str, translations) -> str:
    """The end of a running campaign from `now`, to follow "ends" in a sentence.

    `translations`: the catalogue of `language` (a request's, or one a job forced), so
    that messages to many recipients look it up once."""
    zone = local_zone()
    clock = format_clock(ends_at.astimezone(zone).time(), language)
    days = days_to_end(ends_at, now)
    if ends_at - now < timedelta(hours=1):
        return translations.gettext("in less than an hour, at %(time)s") % {"time": clock}
    if days <= 0:
        return translations.gettext("today at %(time)s") % {"time": clock}
    if days == 1:
        return translations.gettext("tomorrow at %(time)s") % {"time": clock}
    text = translations.ngettext(
        "in %(num)s day, on %(date)s", "in %(num)s days, on %(date)s", days
    )
    return text % {
        "num": integer_writer(language)(days),
        "date": sentence_moment(ends_at, language, zone),
    }
