"""Core API views: the signed-in user and the OpenAPI document."""

from flask import jsonify, request
from flask_login import current_user, login_required

from app.api import API_PREFIX, allowed_methods, api_blueprint
from app.api.spec import build_openapi
from app.auth.identity import user_identity

bp = api_blueprint("api", __name__)


def user_json(user) -> dict:
    return user_identity(user) | {"email_opt_in": user.email_opt_in}


@bp.get("/me")
@login_required
def me():
    """The signed-in user.
    ---
    get:
      summary: The signed-in user
      security: [{bearerAuth: []}, {cookieAuth: []}]
      responses:
        200:
          description: The caller's own profile
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Me'}
        401: {$ref: '#/components/responses/Unauthorized'}
    """
    return jsonify(user_json(current_user))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API, generated from the code."""
    return jsonify(build_openapi())


@bp.after_app_request
def http_details(response):
    """What HTTP says an API answer carries, whichever part of the portal gave it: a 401
        names the scheme to use (`WWW-Authenticate: Bearer`, RFC 6750), a 405 the methods the
        address takes (`Allow`), and an answer without content (204, OPTIONS) claims no type
    (Flask labelled them text/html).

        OPTIONS answers which methods the address takes, and nothing more: the API is for
        server-side scripts and pages of the portal itself, so no CORS header ever invites
        another site's page to call it with a person's cookie or token (README, "API")."""
    if not request.path.startswith(API_PREFIX):
        return response
    if response.status_code == 401:
        challenge = 'Bearer realm="Empreinte API"'
        if (response.get_json(silent=True) or {}).get("error", {}).get("code") == "invalid_token":
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
    elif response.status_code == 405 and "Allow" not in response.headers:
        response.headers["Allow"] = allowed_methods()
    if response.status_code == 204 or (request.method == "OPTIONS" and not response.data):
        response.headers.pop("Content-Type", None)
    return response
