"""The JSON API under /api/v1: shared blueprint factory, errors and authentication.

Each domain declares its API views in its own `api.py` with `api_blueprint()`;
the OpenAPI document is generated from those views' docstrings (YAML after `---`).
"""

import math
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge

from app.core.i18n import format_number
from app.extensions import limiter

API_PREFIX = "/api/v1"


class ApiError(Exception):
    """An error answered as JSON: {"error": {"code": ..., "message": ...}}."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def error_response(status: int, code: str, message: str, details: dict | None = None):
    """The JSON error body every API error uses."""
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


def field_error(status: int, code: str, field: str, message: str) -> ApiError:
    """An error about one field of the body, under its own code: `details` names the
    field as `invalid_input` does (field → messages), so a script reads every field's
    error in one place."""
    return ApiError(status, code, message, details={field: [message]})


def one_of(allowed) -> str:
    """The message to a value outside a list of choices, naming the accepted ones."""
    return _("Not a valid choice: one of %(allowed)s.", allowed=", ".join(allowed))


def form_error(form) -> ApiError:
    """A 422 ApiError listing a WTForms form's field errors (already translated); a
    choice refused names the accepted values, as the catalogue's filters do."""
    return ApiError(
        422,
        "invalid_input",
        _("Some fields are not valid."),
        details={name: _field_messages(form[name], errors) for name, errors in form.errors.items()},
    )


def _field_messages(field, errors) -> list[str]:
    choices = getattr(field, "choices", None)
    if not choices:
        return [str(e) for e in errors]
    refused = str(field.gettext("Not a valid choice."))
    values = [str(choice[0]) for choice in field.iter_choices()]
    return [one_of(values) if str(e) == refused else str(e) for e in errors]


def allowed_methods() -> str:
    """The `Allow` header of a 405 (RFC 9110): the methods the request's address takes."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        return ", ".join(sorted(adapter.allowed_methods()))
    except HTTPException:  # pragma: no cover - the address matched a moment ago
        return ""


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


# Every write: a DELETE's body, if sent, is held to the same rules as a POST's.
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: The one budget every API call of a person draws on (API_RATE_LIMIT), whatever its route.
API_LIMIT_SCOPE = "api"
MAX_PAGE = 100_000  # as the OpenAPI document says of every `page`
JSON_SCALARS = (str, int, float, bool, type(None))
JSON_MEDIA_TYPE = "application/json"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_body() -> bool:
    """Whether the request carries data: a body of some length, or one sent in chunks,
    unless it is a form holding the session's CSRF token alone (the portal's pages send
    it so; `enforce_csrf` checked it already), which carries no data."""
    if request.content_length is not None and request.content_length <= 0:
        return False
    if (
        request.content_length is None
        and "chunked" not in request.headers.get("Transfer-Encoding", "").lower()
    ):
        return False
    if request.mimetype in FORM_TYPES and not request.files:
        token_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        return set(request.form) != {token_field}
    return True


def unsupported_media_type():
    """The 415 to a write whose body is not declared JSON, with the type to send (in the
    message, and in `Accept` as RFC 9110 suggests)."""
    response, status = error_response(
        415,
        "unsupported_media_type",
        _(
            "The request body must be JSON, sent with the content type (Content-Type) %(type)s.",
            type=JSON_MEDIA_TYPE,
        ),
    )
    response.headers["Accept"] = JSON_MEDIA_TYPE
    return response, status


def check_json_body():
    """A write's body must be JSON (`application/json` or `application/*+json`): form
    fields or JSON labelled `text/plain` were read as form data, and a script was told
    "field required" of a field it had sent. And it must be a flat object (scalar values
    only): the forms read it as form data, so a list, a nested object or malformed JSON
    is refused with a 4xx before any view runs, never turned into a 500. A write with
    no body (marking a message read, a DELETE) needs no content type; one sent with a
    body is held to the same rules as any other write."""
    if request.method not in BODY_METHODS or not _has_body():
        return None  # no body: the view's form says which fields are missing
    _refuse_chunked_body_over_limit()
    if not request.is_json:
        if not current_user.is_authenticated:
            return None  # the view's login_required answers 401 first: who, then what
        return unsupported_media_type()
    if not request.get_data():
        return None
    try:
        body = request.get_json()
    except BadRequest:
        raise ApiError(400, "invalid_json", _("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):  # `null`, a list, a number: JSON, but not an object
        raise ApiError(422, "invalid_body", _("The request body must be a JSON object."))
    _refuse_repeated_fields()
    if not all(isinstance(value, JSON_SCALARS) for value in body.values()):
        raise ApiError(
            422,
            "invalid_body",
            _("The request body must be a JSON object of plain values."),
        )
    not_finite = {
        name: [_("This value must be a finite number.")]
        for name, value in body.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and not _finite(value)
    }
    if not_finite:  # Python's parser takes NaN and Infinity, and 1e400 reads as infinity
        raise ApiError(422, "invalid_input", _("Some fields are not valid."), details=not_finite)
    _refuse_unknown_fields(body)  # after the values: each value error is said as before
    return None


def _refuse_repeated_fields() -> None:
    """A 422 `duplicate_fields` naming each field the body's object gives more than once:
    the parser kept the last silently, so `"quantity": 1, "quantity": 1000` logged 1000
    when a script's reviewer read 1."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        seen: set[str] = set()
        # The outermost object is parsed last, so its names are the ones left here.
        repeated[:] = list(dict.fromkeys(k for k, _v in items if k in seen or seen.add(k)))
        return dict(items)

    current_app.json.loads(request.get_data(), object_pairs_hook=pairs)
    if repeated:
        names = ", ".join(repeated)
        message = ngettext(
            "The request body gives this field more than once: %(names)s. Give it once.",
            "The request body gives these fields more than once: %(names)s. Give each field once.",
            len(repeated),
            names=names,
        )
        detail = _("This field is given more than once.")
        raise ApiError(
            422, "duplicate_fields", message, details={name: [detail] for name in repeated}
        )


def _refuse_unknown_fields(body: dict) -> None:
    """A 422 `unknown_fields` naming each field the operation does not document (its
    OpenAPI request body, app.api.spec): `"day"`, `"user_id"` or `"points"` were dropped
    without a word, and a script believed it had backdated an entry or set its points.
    An operation that takes no body refuses any field; an empty object is no field."""
    from app.api.spec import accepted_fields  # the spec module imports this one

    accepted = accepted_fields(request.url_rule.rule, request.method)
    if accepted is None:  # not a documented operation: nothing to hold the body to
        return
    unknown = [name for name in body if name not in accepted]
    if not unknown:
        return
    names = ", ".join(unknown)
    refused = ngettext(
        "This operation does not accept this field: %(names)s.",
        "This operation does not accept these fields: %(names)s.",
        len(unknown),
        names=names,
    )
    if accepted:
        takes = _("It accepts: %(names)s.", names=", ".join(accepted))
    else:
        takes = _("It takes no fields.")
    detail = _("Unknown field: this operation does not take it.")
    raise ApiError(
        422,
        "unknown_fields",
        f"{refused} {takes}",
        details={name: [detail] for name in unknown},
    )


def _refuse_chunked_body_over_limit() -> None:
    """A 413 to a body sent in chunks (no Content-Length) that reaches the body limit, as
    one with a Content-Length over it gets. Werkzeug refuses the latter unread, but reads
    the former up to the limit and stops there without a word: the JSON, cut short, was
    answered 400 `invalid_json`. A body exactly the limit's size is refused too: nothing
    tells it from a longer one without reading past the limit."""
    limit = request.max_content_length
    if request.content_length is None and limit and len(request.get_data()) >= limit:
        raise RequestEntityTooLarge()


def check_json_types(
    fields: dict[str, type | tuple[type, ...]], nullable: tuple[str, ...] = ()
) -> None:
    """422 unless each listed field of the JSON body, when present, has the documented
    JSON type (a bool is never taken for a number), or is null where `nullable` allows
    it: WTForms would otherwise read a null checkbox as ticked."""
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        return
    wrong = {}
    for name, expected in fields.items():
        if name not in body or (body[name] is None and name in nullable):
            continue
        value = body[name]
        expected = expected if isinstance(expected, tuple) else (expected,)
        if (isinstance(value, bool) and bool not in expected) or not isinstance(value, expected):
            wrong[name] = [_expected_type(expected)]
        elif isinstance(value, int | float) and not _finite(value):
            # JSON's 1e400 reads as infinity, and Python's parser takes NaN too.
            wrong[name] = [_("This value must be a finite number.")]
    if wrong:
        raise ApiError(422, "invalid_input", _("Some fields are not valid."), details=wrong)


def _expected_type(expected: tuple[type, ...]) -> str:
    """What the field takes, in words: "the wrong type" left a script guessing."""
    if bool in expected:
        return _("This value must be true or false.")
    if str in expected:
        return _("This value must be text (a string).")
    if float in expected:
        return _("This value must be a number.")
    return _("This value must be a whole number.")


def _finite(number: int | float) -> bool:
    """A number a float can hold: not NaN, not infinite, no integer of 400 digits."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def refuse_anonymous():
    """The API's 401 to a call with neither a session nor a valid token, before the body
    is looked at (who, then what), saying what a script sends: "please sign in" alone
    told it nothing. `WWW-Authenticate` is added to every API 401 (app.api.routes)."""
    from app.core.errors import needs_sign_in  # the same test the error pages make

    if request.method == "OPTIONS" or current_user.is_authenticated:
        return None  # OPTIONS runs no view: it says which methods the address takes
    if not needs_sign_in(request.endpoint):
        return None
    raise ApiError(
        401,
        "unauthorized",
        _(
            "Sign in to the portal, or call the API with a personal token in the "
            "Authorization header: Bearer followed by the token."
        ),
    )


def mark_view_reached():
    """Record that a write got past every check made before its view (token scope,
    CSRF, body): only such a write is counted by WRITE_RATE_LIMIT (see
    `count_write` in app.extensions). A refusal that changes nothing (401, 403
    `read_only_token`, 400, 415, 422 on the body) leaves the person's budget whole."""
    g.api_view_reached = True


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint mounted under /api/v1, rate-limited per person, refusing bodies that
    are not JSON or not flat objects.

    Its limit (API_RATE_LIMIT) is one budget per person shared by every API route
    (scope `API_LIMIT_SCOPE`): limited per route, a person had 600 calls a minute on
    each. It adds to the portal's default ones instead of replacing them: a write is
    also counted by WRITE_RATE_LIMIT per person and route, as a web form's is, so a
    script cannot write ten times faster than a person at a form. Reads stay exempt
    from the default limits (`default_limits_exempt_when` in extensions)."""
    bp = Blueprint(name, import_name, url_prefix=API_PREFIX)
    limiter.shared_limit(_api_limit, scope=API_LIMIT_SCOPE, override_defaults=False)(bp)
    bp.before_request(refuse_anonymous)
    bp.before_request(check_json_body)
    bp.before_request(mark_view_reached)  # last: the view runs next
    return bp


def page_number(raw: str | None) -> int:
    """A 1-based page number from a query string; 422 `invalid_page` on anything else,
    its `details` naming the `page` parameter as every field error does."""
    if raw in (None, ""):
        return 1
    # ASCII digits only: "²" is a digit to str.isdigit, and int() refuses it, or 5,000 digits.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not 1 <= int(raw) <= MAX_PAGE:
        message = _(
            "The page must be a whole number from 1 to %(most)s.", most=format_number(MAX_PAGE)
        )
        raise field_error(422, "invalid_page", "page", message)
    return int(raw)


def page_links(page: int, per_page: int, total: int) -> dict[str, str | None]:
    """The `next` and `previous` pages of a list, as root-relative URLs keeping the
    request's other query arguments; null at either end. Past the last page, `previous`
    leads to the last one, where there is something to read."""
    last = min(max(1, math.ceil(total / per_page)), MAX_PAGE)
    return {
        "next": _page_url(page + 1) if page < last else None,
        "previous": _page_url(min(page - 1, last)) if page > 1 else None,
    }


def _page_url(page: int) -> str:
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    path = url_for(request.endpoint, **(request.view_args or {}))
    return f"{path}?{urlencode([*args, ('page', page)])}"
