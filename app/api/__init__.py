"""The JSON API under /api/v1: shared blueprint factory, errors and authentication.

Each domain declares its API views in its own `api.py` with `api_blueprint()`;
the OpenAPI document is generated from those views' docstrings (YAML after `---`).
"""

import math

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

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


def form_error(form) -> ApiError:
    """A 422 ApiError listing a WTForms form's field errors (already translated)."""
    return ApiError(
        422,
        "invalid_input",
        _("Some fields are not valid."),
        details={name: [str(e) for e in errors] for name, errors in form.errors.items()},
    )


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


BODY_METHODS = ("POST", "PUT", "PATCH")
MAX_PAGE = 100_000  # as the OpenAPI document says of every `page`
JSON_SCALARS = (str, int, float, bool, type(None))


def check_json_body() -> None:
    """A JSON body must be a flat object (scalar values only): the forms read it as
    form data, so a list, a nested object or malformed JSON is refused with a 4xx
    before any view runs, never turned into a 500."""
    if request.method not in BODY_METHODS or not request.is_json or not request.get_data():
        return  # no body: the view's form says which fields are missing
    try:
        body = request.get_json()
    except BadRequest:
        raise ApiError(400, "invalid_json", _("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):  # `null`, a list, a number: JSON, but not an object
        raise ApiError(422, "invalid_body", _("The request body must be a JSON object."))
    if not all(isinstance(value, JSON_SCALARS) for value in body.values()):
        raise ApiError(
            422,
            "invalid_body",
            _("The request body must be a JSON object of plain values."),
        )


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
            wrong[name] = [_("This value has the wrong type.")]
        elif isinstance(value, int | float) and not _finite(value):
            # JSON's 1e400 reads as infinity, and Python's parser takes NaN too.
            wrong[name] = [_("This value must be a finite number.")]
    if wrong:
        raise ApiError(422, "invalid_input", _("Some fields are not valid."), details=wrong)


def _finite(number: int | float) -> bool:
    """A number a float can hold: not NaN, not infinite, no integer of 400 digits."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint mounted under /api/v1, rate-limited per client, refusing JSON
    bodies that are not flat objects."""
    bp = Blueprint(name, import_name, url_prefix=API_PREFIX)
    limiter.limit(_api_limit)(bp)
    bp.before_request(check_json_body)
    return bp


def page_number(raw: str | None) -> int:
    """A 1-based page number from a query string; 422 on anything else."""
    if raw in (None, ""):
        return 1
    # ASCII digits only: "²" is a digit to str.isdigit, and int() refuses it, or 5,000 digits.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not 1 <= int(raw) <= MAX_PAGE:
        raise ApiError(
            422,
            "invalid_page",
            _(
                "The page must be a whole number from 1 to %(most)s.",
                most=format_number(MAX_PAGE),
            ),
        )
    return int(raw)
