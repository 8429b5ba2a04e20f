"""Security headers and CSRF enforcement for every request."""

from flask import Flask, Request, abort, current_app, g, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, UnsupportedMediaType

from app.api import API_PREFIX, ApiError, error_response
from app.auth import services as auth_services
from app.core.i18n import format_quantity
from app.core.time import utcnow
from app.extensions import csrf, db

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
#: What a read-only API token may send: any other method is a write, refused.
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def content_security_policy(app: Flask) -> str:
    from urllib.parse import urlsplit

    img_sources = "'self' data:"
    form_targets = "'self'"
    issuer = app.config.get("OIDC_ISSUER")
    if issuer:
        # Signing out (a form) ends at the provider's sign-out page: browsers apply
        # form-action to where the answer redirects too.
        parts = urlsplit(issuer)
        form_targets += f" {parts.scheme}://{parts.netloc}"
    tile_url = app.config.get("MAP_TILE_URL")
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        img_sources += f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img_sources}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action {form_targets}",
            "frame-ancestors 'none'",
        )
    )


def renew_csrf_token() -> None:
    """A new CSRF token from the next page on, for a session that changes hands (signing
    in or out, a new password): a page kept from before can no longer post."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def accepts_files(view):
    """Mark a view that takes a file upload: its multipart body may be as large as
    MAX_CONTENT_LENGTH (see BoundedRequest). Every other view gets a form's size."""
    view.accepts_files = True
    return view


class BoundedRequest(Request):
    """Flask's request, its body held to the portal's limits before anything reads it.

    A file sent to a view that takes one (`@accepts_files`: a CSV import, its file going
    to disk as it arrives) may be up to MAX_CONTENT_LENGTH. Any other body (a form's
    fields, JSON, a multipart body sent anywhere else) is at most MAX_FORM_MEMORY_SIZE,
    Flask's limit on one field of a multipart form: the CSRF check reads a body before
    its view runs, and 16 MB sent to every form would be read to be refused. Either is
    refused with a 413 from its Content-Length, unread."""

    @property
    def max_content_length(self) -> int | None:
        limit = Request.max_content_length.fget(self)
        fields = self.max_form_memory_size
        if self._max_content_length is not None or self._sends_a_file_where_one_is_taken():
            return limit  # a view's own limit, or a file upload
        if fields is None or limit is None:
            return fields if limit is None else limit
        return min(limit, fields)

    def _sends_a_file_where_one_is_taken(self) -> bool:
        if self.mimetype != "multipart/form-data" or self.endpoint is None:
            return False
        view = current_app.view_functions.get(self.endpoint)
        return getattr(view, "accepts_files", False)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def body_too_large() -> str:
    """The 413's message: what the portal accepts at most, in megabytes."""
    limit = request.max_content_length
    if not limit:
        return _("What you sent is too large.")
    size = format_quantity(round(limit / 2**20, 1), "digital-megabyte")
    return _("What you sent is too large: the portal accepts at most %(size)s at a time.",
             size=size)  # fmt: skip


NUL = "\x00"


def _has_nul(value: object) -> bool:
    """U+0000 anywhere in a JSON value's text, keys included (a loop, not recursion: the
    body may be nested as deep as the parser allows)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            pending += item
    return False


def _without_nul(fields: MultiDict) -> MultiDict | None:
    """The fields with U+0000 taken out of names and values, or None when none has it."""
    pairs = list(fields.items(multi=True))
    if not any(NUL in key or NUL in value for key, value in pairs):
        return None
    return type(fields)((key.replace(NUL, ""), value.replace(NUL, "")) for key, value in pairs)


def _json_body() -> object:
    """The request's JSON body, None if it does not parse; a 400 for one nested deeper than
    Python's parser goes (a few kilobytes of `[[[[…`), which raised RecursionError."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise ApiError(
            400, "invalid_json", _("The request body is nested too deeply to be read.")
        ) from None


def keep_nul_out() -> None:
    """No U+0000 goes further than here: PostgreSQL text cannot hold it (a 500 from deep
    inside a query or an insert), and SQLite gets the same treatment.

    A page's query string and form fields lose the character: nobody sees or means it (a
    paste from another program), so the form is checked and answered as if it were not
    there, with what the person typed. The API and JSON bodies refuse it instead with a
    JSON 400: a program is told its data was wrong rather than have it changed.

    Only a write's body is read (its form, or its JSON, which Flask-WTF forms read too): a
    body sent with a GET is never parsed, whatever its size or depth.

    An address with it (`/recycling/returns/%00`) names nothing: a 404 on a page, the
    API's JSON 400, before a view puts the segment into a query."""
    api = request.path.startswith(API_PREFIX)
    if NUL in request.path:
        if api:
            raise ApiError(400, "bad_request", nul_refused())
        abort(404)
    environ = request.environ
    if not environ.get("QUERY_STRING") and not environ.get("CONTENT_TYPE"):
        return  # no query and no body to read: most page views
    write = request.method in STATE_CHANGING
    if write and request.is_json and _has_nul(_json_body()):
        raise ApiError(400, "bad_request", nul_refused())
    for name in ("args", "form") if write else ("args",):
        cleaned = _without_nul(getattr(request, name))
        if cleaned is None:
            continue
        if api:
            raise ApiError(400, "bad_request", nul_refused())
        setattr(request, name, cleaned)  # Werkzeug caches the parsed fields: replace them
        request.__dict__.pop("values", None)  # args and form together, if already read


class JsonSentToWebForm(UnsupportedMediaType):
    """A JSON body posted to a web page's address (`refuse_json_on_web_forms`)."""


def refuse_json_on_web_forms() -> None:
    """A web page's forms take what a browser sends (form fields), never JSON: a 415.

    Flask-WTF reads a JSON body as the form's fields, and a number, true or null where
    a field expects text broke its validators (`len()` of an int: a 500) on any form of
    the portal. Programs have the API under /api/v1, whose views check JSON types; no
    page of the portal sends JSON. Refused before any view, for every form at once."""
    if (
        request.method in STATE_CHANGING
        and request.is_json
        and request.url_rule is not None  # an unknown address stays a 404 (or 405)
        and not request.path.startswith(API_PREFIX)
    ):
        raise JsonSentToWebForm()


def json_to_web_form_refused() -> str:
    """The 415's message: a web form takes no JSON, the API does."""
    return _(
        "The portal's pages take form fields, not JSON. A program uses the API under "
        "/api/v1 instead."
    )


def api_csrf_refused() -> str:
    """Why the API refuses a write from a signed-in session without its CSRF token."""
    return _(
        "This request has no valid CSRF token. Send the session's token in the "
        "X-CSRFToken header, or call the API with a personal token in the Authorization "
        "header (Bearer), which needs none."
    )


def nul_refused() -> str:
    """Why the API refuses a request carrying U+0000."""
    return _("Text cannot contain the NUL character (U+0000).")


def refuse_write_to_read_only_token(token_writes: bool):
    """A read-only token's write, refused with a JSON 403 before any view runs: every API
    write of every domain at once, whatever its blueprint. Only where the address takes
    the method: an unknown address stays the 404 (or 405) any caller gets. Said in the
    token owner's language, as the caller is known by now."""
    if token_writes or request.method in READ_METHODS or request.url_rule is None:
        return None
    return error_response(403, "read_only_token", read_only_token_refused())


def read_only_token_refused() -> str:
    """Why a read-only token cannot write, and what to do instead."""
    return _(
        "This API token can only read. To change data, create a token that can read and "
        "write on your profile page."
    )


def init_bearer(app: Flask) -> None:
    """Know an API token's person before the rate limiter counts the request: each
    person's calls are then counted on their own. Keyed by address, one script's calls
    throttled everyone reaching the portal from the same address (an intranet server, a
    proxy). Registered before `limiter.init_app`; a token not valid is still counted by
    address, and refused after the limiter (`refuse_bearer`), so guesses stay limited."""

    @app.before_request
    def identify_bearer():
        scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
        # Tokens are for the API only: web pages keep cookie sessions and their CSRF check.
        # The scheme's name is case-insensitive (RFC 7235): "bearer" is a Bearer too.
        if scheme.lower() != "bearer" or not request.path.startswith(API_PREFIX):
            return
        token = auth_services.active_token(credentials.strip(), utcnow())
        if token is None:
            g.bearer_refused = True
            return
        user, writes = token.user, token.writes  # read before the commit expires them
        db.session.commit()  # last_used_at, at most once an hour
        g._login_user = user  # Flask-Login's per-request user: no session cookie involved
        g.bearer_authenticated, g.bearer_writes = True, writes


def init_app(app: Flask) -> None:
    """Bound request bodies, enforce CSRF for cookie sessions and add security headers to
    every response."""
    policy = content_security_policy(app)
    app.request_class = BoundedRequest

    @app.before_request
    def refuse_bearer():
        """After the rate limiter (see `init_bearer`): a token not valid gets its 401, a
        read-only one cannot write."""
        if g.get("bearer_refused"):
            return error_response(
                401, "invalid_token", _("This API token is not valid or was revoked.")
            )
        if g.get("bearer_authenticated"):
            return refuse_write_to_read_only_token(g.bearer_writes)
        return None

    @app.before_request
    def enforce_csrf():
        # Bearer-token API calls carry no cookie, so a forged cross-site request
        # cannot use them; cookie-authenticated writes must carry the CSRF token.
        if request.method not in STATE_CHANGING or g.get("bearer_authenticated"):
            return
        # The address takes other methods only: no view runs, nothing can change, so the
        # answer is its 405 with Allow, token or not, rather than "your form expired" to
        # an HTTP probe (PUT /healthz). Every method a view takes is checked below.
        if isinstance(request.routing_exception, MethodNotAllowed):
            return
        # An API call with neither a token nor a signed-in session can change nothing:
        # its answer is the API's 401 with what to send, not the web form's "expired".
        if not request.path.startswith(API_PREFIX):
            csrf.protect()
        elif current_user.is_authenticated:
            try:
                csrf.protect()
            except CSRFError:
                # A program, not a page: "your form expired" would mislead it.
                raise ApiError(400, "csrf_failed", api_csrf_refused()) from None

    app.before_request(keep_nul_out)
    app.before_request(refuse_json_on_web_forms)

    every_answer = (
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )
    if app.config["SESSION_COOKIE_SECURE"] and int(app.config["HSTS_MAX_AGE"]) > 0:
        every_answer += (("Strict-Transport-Security", f"max-age={app.config['HSTS_MAX_AGE']}"),)

    @app.after_request
    def add_security_headers(response):
        # Each header unless the view set its own (one pass over the headers, where
        # `setdefault` scanned them once per header).
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        for name, value in every_answer:
            if name.lower() not in present:
                headers.add(name, value)
        # Nothing but a static file is kept by a browser or a proxy: pages, the API, and
        # every download (a person's data export, the audit log's CSV, a campaign's
        # results) may be personal, and a shared computer's cache would hand them on.
        # Static files and views that say otherwise set their own Cache-Control.
        if "cache-control" not in present and request.endpoint != "static":
            headers.add("Cache-Control", "no-store")
        return response
