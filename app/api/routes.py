"""Core API views: the signed-in user and the OpenAPI document."""

from flask import jsonify
from flask_login import current_user, login_required

from app.api import api_blueprint
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
