"""gettext that also works in the scheduler and CLI, and times of day written the
reader's way."""

from datetime import datetime, time

from flask import has_request_context
from flask_babel import format_date, format_time, get_locale, gettext, to_user_timezone


def _(text: str, **variables) -> str:
    """Translated in a request; the English text (interpolated) in jobs and commands."""
    if has_request_context():
        return gettext(text, **variables)
    return text % variables if variables else text


def format_clock(value: time) -> str:
    """A time of day as the reader writes it: « 9 h », « 10 h 30 » in French, as French
    administrative typography has it (Babel's short time is "09:00"); Babel's short time
    in any other language ("09:00").

    The one rule for every time the messaging pages show; a helper for the whole portal
    (it could move to app/core/i18n.py beside `format_moment`)."""
    locale = get_locale()
    if locale is not None and locale.language == "fr":
        minutes = f"\u00a0{value.minute:02d}" if value.minute else ""
        return f"{value.hour}\u00a0h{minutes}"
    return format_time(value, "short")


def format_moment_clock(value: datetime | None) -> str:
    """A date and a time to the minute in the reader's time zone, the time as
    `format_clock` writes it: "18 déc. 2026, 10 h 30", "18 Dec 2026, 10:30"."""
    if value is None:
        return ""
    local = to_user_timezone(value)
    joined = get_locale().datetime_formats["medium"]
    return str(joined).format(format_clock(local.time()), format_date(local, "medium"))
