"""Clock helpers. Domain code takes `now` as an argument; these give the real one."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The portal's timezone (TIMEZONE, Europe/Paris by default)."""
    return ZoneInfo(current_app.config.get("TIMEZONE", "Europe/Paris"))


def local_iso(value: datetime | None) -> str | None:
    """An instant as ISO 8601 with the offset of the portal's timezone, as people read it
    there (`2026-12-05T00:06:08+01:00`): the same instant as in UTC, but the day and the
    hour match the portal's pages. None stays None."""
    return value.astimezone(local_zone()).isoformat() if value else None


def local_plain(value: datetime) -> str:
    """An instant as the portal's clocks show it, written plainly for a spreadsheet
    (`2026-12-05 04:28:11`): spreadsheets read this as a date and time, not an offset
    they do not understand; the column's header names the zone."""
    return value.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M:%S")
