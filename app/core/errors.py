"""Error pages in the user's language, and JSON errors under /api/."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import (
    Flask,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.api import API_PREFIX, ApiError, allowed_methods, error_response
from app.core.database_errors import database_problem
from app.core.htmx import wants_fragment
from app.core.security import JsonSentToWebForm, body_too_large, json_to_web_form_refused
from app.core.upload_folders import failed_upload_folder, upload_folder_unavailable
from app.core.urls import page_to_come_back_to, path_for_logs, safe_next_url
from app.extensions import db, login_manager

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


#: Seconds a 503 for a database out of reach asks to wait (a restart takes a few).
DATABASE_RETRY_AFTER = "30"

# Why Flask-WTF refuses a form whose page is merely old: the session cookie is gone (a tab
# left open overnight, the browser restarted) or was replaced by a newer session. A token
# missing from the form, or one that is not even a token, is no expired page.
EXPIRED_FORM_REASONS = {
    "The CSRF session token is missing.",
    "The CSRF tokens do not match.",
    "The CSRF token has expired.",
}
# endpoint → the answer to its form sent from an expired page, for the few forms in the
# page frame or on the way in, where an error page strands the person.
_expired_form_answers: dict[str, Callable] = {}


def answers_expired_form(endpoint: str):
    """Register the view's own answer to its form sent from an expired page (see
    EXPIRED_FORM_REASONS). It must change nothing: the request still failed its CSRF
    check, whoever sent it."""

    def register(answer: Callable) -> Callable:
        _expired_form_answers[endpoint] = answer
        return answer

    return register


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check what you entered."),
        401: _("Please sign in to continue."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist or is no longer available."),
        405: _("This action is not allowed here."),
        409: _("This conflicts with the current state. Reload the page and try again."),
        413: _("What you sent is too large."),
        415: _("This content type is not supported."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Nothing was changed; please try again later."),
        503: _(
            "The portal cannot reach its database for a moment. Please try again in a minute, "
            "and check that what you just sent was saved."
        ),
    }


def _titles() -> dict[int, str]:
    """The error page's title and heading: what happened in words, then its code (a bare
    « Erreur 404 » told a reader of the tab or of the headings nothing)."""
    return {
        400: _("Request not understood (error %(status)s)", status=400),
        401: _("Sign-in needed (error %(status)s)", status=401),
        403: _("Access denied (error %(status)s)", status=403),
        404: _("Page not found (error %(status)s)", status=404),
        405: _("Action not allowed here (error %(status)s)", status=405),
        409: _("Conflict with the current state (error %(status)s)", status=409),
        413: _("Too large (error %(status)s)", status=413),
        415: _("Content type not supported (error %(status)s)", status=415),
        422: _("Invalid input (error %(status)s)", status=422),
        429: _("Too many attempts (error %(status)s)", status=429),
        500: _("Server error (error %(status)s)", status=500),
        503: _("Service unavailable (error %(status)s)", status=503),
    }


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


#: The header of an htmx answer to a form sent once its session was gone: portal.js then
#: keeps a copy of what the page's forms hold (the answer's `typed_kept` words say so).
FORM_EXPIRED_HEADER = "X-Form-Expired"


def _render(
    status: int,
    message: str | None = None,
    sign_in: str | None = None,
    back: str | None = None,
    typed_kept: str | None = None,
):
    """The error page, or for htmx its message; `sign_in`: a link to sign in again; `back`:
    a link to the page the form was on; `typed_kept`: the answer to a form sent once its
    session was gone, where portal.js keeps what was typed, which these words say (shown
    only where it did: without scripts nothing is kept)."""
    message = message or _messages().get(status) or _messages()[400]
    if _wants_json():
        return error_response(status, ERROR_CODES.get(status, "error"), message)
    links = {"sign_in": sign_in, "back": back, "typed_kept": typed_kept}
    if wants_fragment():
        # An htmx request swaps its answer into part of a page, errors included (htmx-config
        # in _frame.html): the message goes where the page shows its messages, not a whole
        # error page into the part.
        page = render_template("errors/_flash.html", message=message, **links)
        response = make_response(page, status)
        response.headers["HX-Retarget"] = "#flashes"
        response.headers["HX-Reswap"] = "innerHTML show:top"
    else:
        title = _titles().get(status) or _("Error %(status)s", status=status)
        page = render_template(
            "errors/error.html", status=status, title=title, message=message, **links
        )
        response = make_response(page, status)
    if typed_kept:
        response.headers[FORM_EXPIRED_HEADER] = "1"
    return response


def _idle_ended() -> str | None:
    """What to say when this request ended a session left idle (SESSION_IDLE_MINUTES)."""
    if not g.get("session_idle_ended"):
        return None
    minutes = current_app.config["SESSION_IDLE_MINUTES"]
    return ngettext(
        "Your session ended after %(num)s minute without activity, so that nobody else can "
        "use it on this computer: sign in again to continue.",
        "Your session ended after %(num)s minutes without activity, so that nobody else can "
        "use it on this computer: sign in again to continue.",
        minutes,
    )


def _signed_out():
    """The answer to a request of a page whose person is no longer signed in (signed out
    in another tab, the session ended): say so, with a link to sign in that comes back to
    the page. "Try again" could only fail again (the page's token went with the session),
    and a bare "please sign in" left them looking for where."""
    return _render(
        401,
        _idle_ended() or _("You are no longer signed in: sign in again to continue on this page."),
        sign_in=url_for("auth.sign_in", next=_page_sent_from()),
        typed_kept=_(
            "What you had typed is kept in this browser tab: it will be put back in the form "
            "once you have signed in again."
        ),
    )


def _form_expired(error: CSRFError):
    """The answer to a form whose token is missing or not this session's: "try again".
    A page merely old (EXPIRED_FORM_REASONS: another sign-in in this browser renewed the
    token) links to itself, with a fresh token, where portal.js puts back what was typed."""
    message = _("Your form expired or was not sent from the portal. Please try again.")
    if error.description not in EXPIRED_FORM_REASONS:
        return _render(400, message)
    typed_kept = _(
        "What you had typed is kept in this browser tab: it will be put back in the form "
        "when you open its page again."
    )
    return _render(400, message, back=_page_sent_from(), typed_kept=typed_kept)


def _page_sent_from() -> str | None:
    """The portal's page the request came from: htmx names it (HX-Current-URL); a plain
    form's browser sends it as the Referer (same-origin policy), checked to be ours."""
    if not request.headers.get("HX-Request"):
        return page_to_come_back_to()
    try:
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
    except ValueError:  # "http://[": no address at all
        return None
    if request.method == "GET" and page.path == request.path:
        # The page asking for itself anew (a live search, a filter): what it asks for
        # is what the person typed (`?q=ordinateur`); the address shown still lacks it.
        return safe_next_url(request.full_path.rstrip("?"))
    return safe_next_url(page.path + (f"?{page.query}" if page.query else ""))


# The view Flask-Login's login_required wraps around a view: the same code for every view.
_SIGNED_IN_ONLY = login_required(lambda: None).__code__


def needs_sign_in(endpoint: str | None) -> bool:
    """True when the view answering `endpoint` is behind login_required (directly or
    through role_required): its forms are only ever shown to someone signed in."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    while view is not None:
        if getattr(view, "__code__", None) is _SIGNED_IN_ONLY:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def init_app(app: Flask) -> None:
    """Register the handlers for HTTP errors, CSRF failures and API errors."""

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        db.session.rollback()
        answer = _expired_form_answers.get(request.endpoint)
        if (
            answer is not None
            and error.description in EXPIRED_FORM_REASONS
            and not _wants_json()
            and not request.headers.get("HX-Request")
        ):
            return answer()
        # Nobody signed in, yet a form only shown to someone signed in (or an htmx request:
        # no page seen signed out sends one): the session is gone, not merely the page.
        if not current_user.is_authenticated and (
            wants_fragment() or needs_sign_in(request.endpoint)
        ):
            return _signed_out()
        return _form_expired(error)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        if status == 500:
            return _render(500)
        if status == 413:  # the body's limit, as this request had it (app/core/security.py)
            return _render(413, body_too_large())
        if isinstance(error, JsonSentToWebForm):
            return _render(415, json_to_web_form_refused())
        if isinstance(error, RateLimitExceeded) and error.response is not None:
            return error.response  # a limit that answers with its own page (sign-in)
        if isinstance(error, RateLimitExceeded) and error.limit.error_message:
            return _render(429, str(error.description))  # a limit that says what to do
        if status == 405 and not _wants_json():  # the API's own answer adds it (app.api.routes)
            response = make_response(_render(405))
            response.headers["Allow"] = allowed_methods()
            return response
        return _render(status)

    @app.errorhandler(InternalServerError)
    def handle_server_error(error):
        db.session.rollback()
        return _render(500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def handle_database_unavailable(error: DBAPIError):
        if not isinstance(error, OperationalError) and not error.connection_invalidated:
            return handle_unexpected(error)
        # The database is down or restarting: say so (503) instead of a 500, and render
        # the page as for a visitor, since loading the signed-in person needs the database.
        db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        # The address without its token (a sign-in link's), the error without its
        # statement's parameters (an address): the log is read by others.
        app.logger.warning(
            "Database unavailable on %s %s: %s",
            request.method,
            path_for_logs(request.path),
            database_problem(error),
        )
        response = make_response(_render(503))
        response.headers["Retry-After"] = DATABASE_RETRY_AFTER
        return response

    @app.errorhandler(OSError)
    def handle_upload_folder_unavailable(error: OSError):
        folder = failed_upload_folder(error, app)
        if folder is None:
            return handle_unexpected(error)
        # The server's fault, not the admin's: said on the page, and in one log line.
        db.session.rollback()
        app.logger.warning(
            "Upload folder unavailable on %s %s: %s (in %s)",
            request.method,
            path_for_logs(request.path),
            error.strerror or type(error).__name__,
            folder,
        )
        return _render(503, upload_folder_unavailable())

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception(
            "Unhandled error on %s %s", request.method, path_for_logs(request.path)
        )
        return _render(500)

    @login_manager.unauthorized_handler
    def unauthorized():
        if _wants_json():
            return _render(401)
        # A form sent once the session was refused (signed out on every device): the
        # answer of a form whose session cookie is gone (handle_csrf_error), which leads
        # back to the page the form was on and keeps what was typed. Sent to the sign-in
        # page, the person came back to the form's address, what they typed lost.
        if request.headers.get("HX-Request") or request.method == "POST":
            return _signed_out()
        flash(_idle_ended() or _("Please sign in to continue."), "info")
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
