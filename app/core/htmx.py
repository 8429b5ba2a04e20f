"""Whether a request asks for an htmx fragment or for the whole page."""

from app.extensions import htmx


def wants_fragment() -> bool:
    """True for an htmx request that swaps its answer into part of a page. A history
    restore (htmx missed its own cache on "back") is an htmx request that wants the whole
    page, as a request without JavaScript does."""
    return bool(htmx) and not htmx.history_restore_request
