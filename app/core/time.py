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
