"""URL helpers."""

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import IntegerConverter

# Ids are PostgreSQL `integer` columns: a larger number in a URL is no id at all.
MAX_ID = 2_147_483_647


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that matches only numbers a database id can hold, so an out-of-range
    id in a URL is a 404 instead of an overflow in the database driver (a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


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


def database_id(raw) -> int | None:
    """A query-string or form value as an id that can exist, else None (also when it
    is out of range: PostgreSQL refuses to compare an integer column with it)."""
    if raw is None:
        return None
    raw = str(raw).strip()
    if not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def public_url(path: str) -> str:
    """A path of the portal on its public address (PUBLIC_BASE_URL), never on the Host
    header a request came with: links in e-mails and addresses given to an identity
    provider must not follow whatever host a request named."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
