"""URL helpers."""

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

# Primary keys are 32-bit integers on PostgreSQL: a larger id cannot name a row.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` limited to what an INTEGER column holds, so an id out of range is a
    404 at routing instead of a database error (a 500 on PostgreSQL)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DATABASE_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def database_id(raw: str | None) -> int | None:
    """A query-string or form value as an id that can exist, else None."""
    if raw is None:
        return None
    raw = str(raw).strip()
    if not raw.isdigit():
        return None
    value = int(raw)
    return value if 0 < value <= MAX_DATABASE_ID else None


def safe_next_url(target: str | None) -> str | None:
    """Accept only a local path as a redirect target, never another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
