"""API: the person's own data export."""

from flask import jsonify
from flask_login import current_user, login_required

from app.api import api_blueprint
from app.core import privacy_services
from app.core.privacy import EXPORT_SECTIONS
from app.core.time import utcnow

bp = api_blueprint("privacy_api", __name__)

EXPORT_SCHEMA = {
    "type": "object",
    "required": ["format", "exported_at", *EXPORT_SECTIONS],
    "properties": {
        "format": {"type": "string"},
        "exported_at": {"type": "string", "format": "date-time"},
        "profile": {
            "type": "object",
            "required": ["id", "email", "display_name", "pseudonym", "roles"],
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "display_name": {"type": "string"},
                "pseudonym": {"type": "string"},
                "locale": {"type": "string", "nullable": True},
                "roles": {"type": "array", "items": {"type": "string"}},
                "department": {"type": "string", "nullable": True},
                "commune": {"type": "string", "nullable": True},
                "leaderboard_visibility": {"type": "string"},
                "created_at": {"type": "string", "nullable": True},
                "anonymised_at": {"type": "string", "nullable": True},
                "api_tokens": {"type": "array", "items": {"type": "object"}},
                "erasure_requests": {"type": "array", "items": {"type": "object"}},
            },
        },
        "consents": {
            "type": "object",
            "required": ["email_opt_in"],
            "properties": {
                "email_opt_in": {"type": "boolean"},
                "email_opt_in_changed_at": {"type": "string", "nullable": True},
            },
        },
        **{section: {} for section in EXPORT_SECTIONS[2:]},
    },
}


@bp.get("/me/export")
@login_required
def export_me():
    """Everything the portal holds about the caller.
    ---
    get:
      summary: Export my personal data
      description: >
        One JSON document with the sections profile, consents, actions, badges,
        returns, messages and requests (empty lists where a part holds nothing).
      security: [{bearerAuth: []}, {cookieAuth: []}]
      responses:
        200:
          description: The caller's personal data
          content:
            application/json:
              schema: {$ref: '#/components/schemas/PersonalDataExport'}
        401: {$ref: '#/components/responses/Unauthorized'}
    """
    return jsonify(privacy_services.export_personal_data(current_user, utcnow()))
