"""URL helpers."""

from urllib.parse import urlsplit

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, RequestRedirect

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
    try:
        parts = urlsplit(target)
    except ValueError:  # "//[" is no address at all
        return None
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def answers_get(target: str | None) -> bool:
    """True when a local path (with its query) is a page of the portal that answers GET:
    not another host, not a form's POST-only address."""
    target = safe_next_url(target)
    if target is None:
        return False
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        rule, _arguments = adapter.match(urlsplit(target).path, method="GET", return_rule=True)
    except RequestRedirect:
        return True  # /catalogue → /catalogue/: a page all the same
    except HTTPException:
        return False  # 404, or 405: only POST answers there
    # A form's address that answers GET only to send it on to its page (`leads_back`).
    return not getattr(current_app.view_functions.get(rule.endpoint), "leads_back", False)


def leads_back(view):
    """Mark a view whose GET only sends a form's address, left in the address bar, on to
    the form's page: not a page to come back to (a question's "Cancel" goes to the form's
    page itself)."""
    view.leads_back = True
    return view


def page_to_come_back_to() -> str:
    """Where to send the person back to after a form in the page frame (the language
    switch): this very page when it answers GET; after a POST (a form shown again with
    its errors), the page that sent it if it is ours, else the nearest page above the
    form's address (/auth/profile for /auth/profile/tokens/3/revoke), else home."""
    here = request.full_path.rstrip("?")
    if request.method in ("GET", "HEAD"):
        return here
    candidates = []
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.scheme in ("http", "https"):
        candidates.append(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
    candidates.append(here)
    parts = request.path.rstrip("/").split("/")
    candidates += ["/".join(parts[:end]) or "/" for end in range(len(parts) - 1, 0, -1)]
    return next((c for c in candidates if answers_get(c)), None) or url_for("core.home")


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


#: The largest page number a list is asked for: past the end of any list.
LAST_PAGE_ASKABLE = 100_000


def requested_page() -> int:
    """The page of a list asked for in `?page=`. Text, 0 or a negative number (a link typed
    by hand) is the first page; a number too long to be a page is past any end, which the
    list brings back to its last page (`within_pages`)."""
    raw = request.args.get("page") or ""
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        return 1
    return min(int(raw), LAST_PAGE_ASKABLE)


def within_pages(fetch, page: int, per_page: int):
    """One page of a list, its total, the page shown and the page count.

    fetch(page) returns (rows, total). A page past the end (an old link, a list that
    shrank since) shows the last page rather than an empty one.
    """
    rows, total = fetch(page)
    pages = max(1, -(-total // per_page))
    if page > pages:
        page = pages  # an empty list's only page is the first: "page 40" titled nothing
        if total:
            rows, total = fetch(page)
    return rows, total, page, pages


#: The addresses whose rest is a token that works for whoever reads it (a sign-in link,
#: an unsubscribe link and its undo): what a log keeps of them, as the README's nginx
#: `map` does for the access log.
TOKEN_PATH_PREFIXES = ("/auth/sign-in/link/", "/messaging/unsubscribe/")


def path_for_logs(path: str) -> str:
    """`path` as the portal's log lines give it: a token in it (TOKEN_PATH_PREFIXES)
    replaced by « … », so that a log read by someone else signs nobody in. Every log line
    naming a request's address goes through here (app/core/errors.py)."""
    for prefix in TOKEN_PATH_PREFIXES:
        if path.startswith(prefix):
            return prefix + "…"
    return path
