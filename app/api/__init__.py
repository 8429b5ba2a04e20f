"""The JSON API under /api/v1: shared blueprint factory, errors and authentication.

Each domain declares its API views in its own `api.py` with `api_blueprint()`;
the OpenAPI document is generated from those views' docstrings (YAML after `---`).
"""

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _

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


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint mounted under /api/v1, rate-limited per client."""
    bp = Blueprint(name, import_name, url_prefix=API_PREFIX)
    limiter.limit(_api_limit)(bp)
    bp.before_request(_json_body_is_an_object)
    return bp


def _json_body_is_an_object() -> None:
    """A JSON body must be an object: forms read it as fields (a list or a number
    made Flask-WTF fail with a 500). Malformed JSON is refused the same way."""
    writes = request.method in ("POST", "PUT", "PATCH")
    if writes and request.is_json and not isinstance(request.get_json(silent=True), dict):
        raise ApiError(422, "invalid_json", _("The request body must be a JSON object."))


def page_number(raw: str | None) -> int:
    """A 1-based page number from a query string; 422 on anything else."""
    if raw in (None, ""):
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise ApiError(422, "invalid_page", _("The page must be a whole number from 1."))
    return int(raw)
