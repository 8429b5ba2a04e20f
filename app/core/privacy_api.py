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


# The clean-up campaign's id (its name is beside it, in `campaign_name`).
CAMPAIGN_ID = {"type": "integer", "description": "The clean-up campaign's id"}

# A catalogue item: its code, and its name in the person's language.
ITEM_NAMED = {"item": STRING, "item_name": STRING}

# The shape of each domain's section (see the domains' PersonalData exports).
SECTION_SCHEMAS = {
    "actions": _list_of(
        {
            "campaign": CAMPAIGN_ID,
            "campaign_name": STRING,
            "action_type": STRING,
            "action_type_name": STRING,
            "quantity": NUMBER,
            "unit": {"type": "string", "description": "GB, items or devices"},
            "quantity_text": {"type": "string", "description": "The quantity with its unit"},
            "points_counted": {
                "type": "integer",
                "description": "The points the entry counts in the score: 0 unless accepted",
            },
            "points_claimed": {
                "type": "integer",
                "description": "The points the entry was logged for, counted or not",
            },
            "logged_at": STRING,
            "status": STRING,
            "status_name": STRING,
            "status_text": {"type": "string", "description": "As 'My entries' shows it"},
            "review_reason": STRING,
            "review_reason_lang": {
                "type": "string",
                "nullable": True,
                "description": "The language the reason was written in (fr, en), null without one",
            },
            "reviewed_at": NULLABLE_STRING,
            "flag_reason": {"type": "string", "description": "Why it was set aside: a code"},
            "flag_reason_text": STRING,
            "corrected_at": NULLABLE_STRING,
            "correction_refused": BOOLEAN,
            "corrected_from": {"type": "number", "nullable": True},
            "corrected_from_text": NULLABLE_STRING,
            "corrected_from_status": NULLABLE_STRING,
            "corrected_from_status_name": NULLABLE_STRING,
        }
    ),
    "badges": _list_of(
        {
            "campaign": CAMPAIGN_ID,
            "campaign_name": STRING,
            "badges": {"type": "array", "items": STRING},
            "badge_names": {"type": "array", "items": STRING, "description": "In badges' order"},
        }
    ),
    "returns": _list_of(
        {
            "receipt_number": STRING,
            "collection_point": STRING,
            "device_type": STRING,
            "device_type_name": STRING,
            "asset_tag": NULLABLE_STRING,
            "condition": STRING,
            "condition_name": STRING,
            "data_wiped": {
                "type": "boolean",
                "description": "The owner said they wiped the device themselves before "
                "handing it in (false for a device an agent wiped: see wipe_status)",
            },
            "wipe_requested": BOOLEAN,
            "data_wiped_name": STRING,
            "wipe_requested_name": STRING,
            "wipe_status": {
                "type": "string",
                "description": "From the chain of custody: not_needed, requested or done",
            },
            "wipe_status_name": STRING,
            "wipe_certificate": NULLABLE_STRING,
            "status": STRING,
            "status_name": STRING,
            "declared_at": STRING,
            "reminded_at": {
                "type": "string",
                "nullable": True,
                "description": "When the owner was reminded to bring a device no agent had "
                "received yet; null when never",
            },
            "custody": {"type": "array", "items": {"type": "object"}},
        }
    ),
    "custody_steps": {
        "description": "The custody steps the person signed as an agent (receipt, wipe, "
        "outcome) and the receipt each was signed for, nothing about the devices' owners "
        "(neither who they are, nor the asset tag, nor the notes, which speak of them)",
        **_list_of(
            {
                "receipt_number": STRING,
                "collection_point": STRING,
                "device_type": STRING,
                "device_type_name": STRING,
                "step": STRING,
                "step_name": STRING,
                "at": STRING,
                "wipe_method": NULLABLE_STRING,
                "wipe_method_name": NULLABLE_STRING,
                "wipe_date": NULLABLE_STRING,
                "certificate_number": NULLABLE_STRING,
                "signature": STRING,
            }
        ),
    },
    "messages": _list_of(
        {
            "channel": STRING,
            "channel_name": STRING,
            "status": STRING,
            "status_name": STRING,
            "skip_reason_name": {
                "type": "string",
                "nullable": True,
                "description": "Why a skipped message was not sent, in words; null otherwise",
            },
            "subject": NULLABLE_STRING,
            "body": NULLABLE_STRING,
            "delivered_at": NULLABLE_STRING,
            "read_at": NULLABLE_STRING,
            "deleted": {
                "type": "boolean",
                "description": "Deleted from the inbox: its content is gone, its moments kept",
            },
            "deleted_at": NULLABLE_STRING,
            "about": {
                "type": "object",
                "nullable": True,
                "description": "What a message sent to the person alone (a notice, a test) "
                "was about: the campaign, the entry, the return…; null otherwise",
            },
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
                    "requests": _list_of(
                        {
                            "id": INTEGER,
                            "status": STRING,
                            "status_name": STRING,
                            "comment": STRING,
                            "created_at": STRING,
                            "submitted_at": NULLABLE_STRING,
                            "decided_at": {
                                "type": "string",
                                "nullable": True,
                                "description": "When an admin approved or refused it",
                            },
                            "withdrawn_at": {
                                "type": "string",
                                "nullable": True,
                                "description": "When the person withdrew it",
                            },
                            "decision_note": STRING,
                            "lines": _list_of(ITEM_NAMED | {"quantity": INTEGER}),
                            "total_annual_kgco2e": NUMBER,
                        }
                    ),
                    "useful_marks": _list_of(ITEM_NAMED | {"at": STRING}),
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
                "leaderboard_visibility_name": STRING,
                "welcome_hidden": {
                    "type": "boolean",
                    "description": "Whether the person hid the home page's welcome (kept "
                    "without a date)",
                },
                "role_names": {"type": "array", "items": STRING},
                "locale_name": {"type": "string", "nullable": True},
                "department_name": {"type": "string", "nullable": True},
                "commune_name": {"type": "string", "nullable": True},
                "staff_number": {"type": "string", "nullable": True},
                "has_password": {
                    "type": "boolean",
                    "description": "Whether the account has a password (never the password "
                    "or its hash), as administrators see it",
                },
                "sso_subject": {"type": "string", "nullable": True},
                "created_at": {"type": "string", "nullable": True},
                "anonymised_at": {"type": "string", "nullable": True},
                "active": BOOLEAN,
                "deactivated_at": NULLABLE_STRING,
                "deactivated_by": {
                    "type": "string",
                    "nullable": True,
                    "description": "admin or directory (the staff directory)",
                },
                "deactivated_by_name": NULLABLE_STRING,
                "collection_points": {
                    "description": "The collection points the person is an agent of",
                    **_list_of({"id": INTEGER, "name": STRING}),
                },
                "cleanup_campaigns": {
                    "description": "The clean-up campaigns the person joined: when, and when "
                    "they last logged or changed an action there, how and under which label "
                    "the leaderboard of one that ended keeps showing them (null while it runs), "
                    "and any other column of their participation",
                    **_list_of(
                        {
                            "campaign": CAMPAIGN_ID,
                            "campaign_name": STRING,
                            "joined_at": STRING,
                            "last_logged_at": NULLABLE_STRING,
                            "board_shown_as": {
                                "type": "string",
                                "nullable": True,
                                "enum": ["name", "pseudonym", "hidden", None],
                            },
                            "board_shown_as_name": NULLABLE_STRING,
                            "board_label": {
                                "type": "string",
                                "nullable": True,
                                "description": "The name or pseudonym the ended campaign's "
                                "leaderboard shows the person under, as at its end",
                            },
                        }
                    ),
                },
                "api_tokens": {"type": "array", "items": {"type": "object"}},
                "sign_in_links": {
                    "description": "The sign-in links e-mailed to the person and still kept "
                    "(a day after use or expiry); never the link itself",
                    **_list_of(
                        {
                            "created_at": STRING,
                            "expires_at": STRING,
                            "used_at": NULLABLE_STRING,
                            "status": {"type": "string", "enum": ["open", "spent", "expired"]},
                            "status_name": STRING,
                        }
                    ),
                },
                "erasure_requests": {"type": "array", "items": {"type": "object"}},
            },
        },
        "consents": {
            "type": "object",
            "required": ["email_opt_in"],
            "properties": {
                "email_opt_in": {"type": "boolean"},
                "email_opt_in_changed_at": {"type": "string", "nullable": True},
                "history": {
                    "description": "Each e-mail consent given or withdrawn, oldest first: "
                    "how, and the version of the consent's wording the person read, in "
                    "which language (null for a change made before versions were kept)",
                    **_list_of(
                        {
                            "at": STRING,
                            "given": BOOLEAN,
                            "how": NULLABLE_STRING,
                            "how_name": NULLABLE_STRING,
                            "wording_language": NULLABLE_STRING,
                            "wording_version": NULLABLE_STRING,
                        }
                    ),
                },
                "wording": {
                    "type": "object",
                    "description": "The consent's wording now, by language: its text and "
                    "version (the first 12 hexadecimal digits of the text's SHA-256)",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"version": STRING, "text": STRING},
                    },
                },
            },
        },
        "audit_events": {
            "description": "The audit log's events about the person's account and their "
            "objects (requests, clean-up entries, device returns, deleted since or not), and "
            "those the person wrote as staff (actor self), oldest first; whoever made the "
            "change is named by role (admin, staff, system, self), never by name",
            **_list_of(
                {
                    "at": STRING,
                    "object_type": {"type": "string", "description": "user, catalogue_request…"},
                    "object": {"type": "string", "description": "Its id, or a receipt number"},
                    "action": STRING,
                    "action_name": STRING,
                    "details": STRING,
                    "actor": STRING,
                    "actor_name": STRING,
                }
            ),
        },
        "staff_records": {
            "type": "object",
            "description": "The rows naming the person as the staff member who created, "
            "reviewed, decided or carried them out (campaigns_created, entries_reviewed, "
            "requests_decided, templates_created, recurring_messages, dispatches_created, "
            "erasures_executed), each kind a list, nothing about the people they concern",
            "additionalProperties": {"type": "array", "items": {"type": "object"}},
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
        One JSON document with the sections profile, consents, audit_events,
        staff_records (what the person created, reviewed or decided as staff), actions,
        badges, returns, custody_steps (the steps the person signed as an agent), messages
        and requests (empty lists where a part holds nothing). An action gives the
        points it counts (`points_counted`, 0 unless accepted) apart from the points
        it was logged for (`points_claimed`).
        Each stored code (item, department, commune, action type, badge, device
        type, condition, status, custody step, channel, leaderboard visibility)
        comes with its name in the person's language (their preferred language,
        French by default), in the field named after it with `_name` (`item` and
        `item_name`; `badges` and `badge_names`); `campaign` is the campaign's id.
        Moments are ISO 8601 with the offset of the portal's time zone.
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
