"""API: the person's own data export."""

from flask import jsonify
from flask_login import current_user, login_required

from app.api import api_blueprint
from app.api.spec import USER_PROPERTIES, USER_REQUIRED
from app.core import privacy_services
from app.core.privacy import EXPORT_SECTIONS
from app.core.time import utcnow

bp = api_blueprint("privacy_api", __name__)

STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}
NUMBER = {"type": "number"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}


def _list_of(properties: dict) -> dict:
    return {
        "type": "array",
        "items": {"type": "object", "required": list(properties), "properties": properties},
    }


# The shape of each domain's section (see the domains' PersonalData exports).
SECTION_SCHEMAS = {
    "actions": _list_of(
        {
            "campaign": STRING,
            "action_type": STRING,
            "quantity": NUMBER,
            "points": INTEGER,
            "logged_at": STRING,
            "status": STRING,
            "review_reason": STRING,
        }
    ),
    "badges": _list_of({"campaign": STRING, "badges": {"type": "array", "items": STRING}}),
    "returns": _list_of(
        {
            "receipt_number": STRING,
            "collection_point": STRING,
            "device_type": STRING,
            "asset_tag": NULLABLE_STRING,
            "condition": STRING,
            "data_wiped": BOOLEAN,
            "wipe_requested": BOOLEAN,
            "status": STRING,
            "declared_at": STRING,
            "custody": {"type": "array", "items": {"type": "object"}},
        }
    ),
    "messages": _list_of(
        {
            "channel": STRING,
            "subject": NULLABLE_STRING,
            "body": NULLABLE_STRING,
            "delivered_at": NULLABLE_STRING,
            "read_at": NULLABLE_STRING,
        }
    ),
    "requests": {
        "description": "Catalogue requests and usefulness marks",
        "oneOf": [
            {"type": "array", "maxItems": 0},
            {
                "type": "object",
                "required": ["requests", "useful_marks"],
                "properties": {
                    "requests": {"type": "array", "items": {"type": "object"}},
                    "useful_marks": {"type": "array", "items": {"type": "object"}},
                },
            },
        ],
    },
}

EXPORT_SCHEMA = {
    "type": "object",
    "required": ["format", "exported_at", *EXPORT_SECTIONS],
    "properties": {
        "format": {"type": "string"},
        "exported_at": {"type": "string", "format": "date-time"},
        "profile": {
            "type": "object",
            "required": USER_REQUIRED,
            "properties": USER_PROPERTIES
            | {
                "staff_number": {"type": "string", "nullable": True},
                "sso_subject": {"type": "string", "nullable": True},
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
        **SECTION_SCHEMAS,
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
