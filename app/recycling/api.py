"""JSON API of the recycling domain under /api/v1."""

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from app.api import ApiError, api_blueprint, check_json_types, field_error, form_error
from app.api.spec import register_schema
from app.auth.decorators import role_required
from app.core.devices import DEVICE_TYPES
from app.core.return_notes import COUNTED, NOT_COUNTED, PENDING, return_notes
from app.core.time import utcnow
from app.core.urls import MAX_ID
from app.extensions import db
from app.recycling import queries, services, statistics_export
from app.recycling.forms import ASSET_TAG, ASSET_TAG_LENGTH, ReturnForm
from app.recycling.models import CUSTODY_STEPS, EVERY_STATUS, WIPE_STATUSES, DeviceReturn

bp = api_blueprint("recycling_api", __name__)

DEVICE_TYPE = {"type": "string", "enum": list(DEVICE_TYPES)}
NULLABLE_STRING = {"type": "string", "nullable": True}
CUSTODY_STEP = {
    "type": "object",
    "required": [
        *("step", "at", "by", "wipe_method", "wipe_date", "certificate_number"),
        *("recipient", "handover_slip", "note", "correction"),
    ],
    "properties": {
        "step": {"type": "string", "enum": list(CUSTODY_STEPS)},
        "at": {"type": "string", "format": "date-time"},
        "by": {
            "type": "string",
            "nullable": True,
            "description": 'The agent who signed the step; "Anonymised agent" (in the '
            "reader's language) once their account is erased; null for the owner's own steps "
            "(declared, withdrawn), where nobody is named",
        },
        "wipe_method": NULLABLE_STRING,
        "wipe_date": {"type": "string", "format": "date", "nullable": True},
        "certificate_number": NULLABLE_STRING,
        "recipient": {
            "type": "string",
            "nullable": True,
            "description": "The organisation an outcome handed the device over to (donated, "
            "refurbished, recycled), signed with the step; null on every other step, and on "
            "outcomes recorded before 18 December 2026",
        },
        "handover_slip": {
            "type": "string",
            "nullable": True,
            "description": "The hand-over slip (waybill) number, signed; null when none",
        },
        "note": NULLABLE_STRING,
        "correction": {
            "type": "object",
            "nullable": True,
            "description": "On a `correction` step only (null on every other): the step it "
            "corrects (`step` and `at`), the `field` (certificate_number, handover_slip, "
            "recipient), `old_value`, `new_value` and the agent's `reason` (null once "
            "erased with the owner's data), all signed. The step corrected gives the "
            "value as it stands",
            "properties": {
                "corrects": {"type": "object", "nullable": True},
                "field": {"type": "string"},
                "old_value": {"type": "string"},
                "new_value": {"type": "string"},
                "reason": NULLABLE_STRING,
            },
        },
        "signature": {"type": "string"},
    },
}


NOTE_KINDS = (PENDING, COUNTED, NOT_COUNTED)
NUMBER = {"type": "number"}


def register_schemas(app) -> None:
    """Component schemas referenced by the views below."""
    register_schema(
        app,
        "CollectionPoint",
        {
            "type": "object",
            "required": [
                "id",
                "name",
                "commune",
                "insee_code",
                "latitude",
                "longitude",
                "address",
                "opening_hours",
                "open_now",
                "accepted_device_types",
            ],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "commune": {"type": "string"},
                "insee_code": {"type": "string"},
                "latitude": {"type": "number"},
                "longitude": {"type": "number"},
                "address": {"type": "string"},
                "opening_hours": {"type": "string", "description": "OSM opening_hours syntax"},
                "open_now": {
                    "type": "boolean",
                    "description": "Evaluated in the portal's time zone (TIMEZONE, "
                    "Europe/Paris by default), with the French public holidays",
                },
                "accepted_device_types": {"type": "array", "items": DEVICE_TYPE},
            },
        },
    )
    register_schema(
        app,
        "DeviceReturnInput",
        {
            "type": "object",
            "required": ["collection_point_id", "device_type", "condition"],
            "properties": {
                "collection_point_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                "device_type": DEVICE_TYPE,
                "condition": {"type": "string", "enum": ["working", "broken"]},
                "asset_tag": {
                    "type": "string",
                    "maxLength": ASSET_TAG_LENGTH,
                    "pattern": ASSET_TAG,
                    "nullable": True,
                },
                "data_wiped": {
                    "type": "boolean",
                    "description": "The person wiped the device. For a data-bearing type, "
                    "exactly one of data_wiped and wipe_requested is true.",
                },
                "wipe_requested": {
                    "type": "boolean",
                    "description": "The person asks the agent for a certified wipe.",
                },
            },
        },
    )
    register_schema(
        app,
        "DeviceReturn",
        {
            "type": "object",
            "required": [
                "receipt_number",
                "status",
                "collection_point_id",
                "collection_point",
                "device_type",
                "asset_tag",
                "condition",
                "data_wiped",
                "wipe_requested",
                "wipe_status",
                "wipe_certificate",
                "declared_at",
                "custody",
            ],
            "properties": {
                "receipt_number": {"type": "string"},
                "status": {"type": "string", "enum": list(EVERY_STATUS)},
                "collection_point_id": {"type": "integer"},
                "collection_point": {"type": "string"},
                "device_type": DEVICE_TYPE,
                "asset_tag": {"type": "string", "nullable": True},
                "condition": {"type": "string", "enum": ["working", "broken"]},
                "data_wiped": {
                    "type": "boolean",
                    "description": "The owner's answer at declaring: they wiped the device "
                    "themselves before handing it in. False for a device an agent wiped: "
                    "see wipe_status",
                },
                "wipe_requested": {
                    "type": "boolean",
                    "description": "The owner's answer at declaring: they asked the agent "
                    "for a certified wipe",
                },
                "wipe_status": {
                    "type": "string",
                    "enum": list(WIPE_STATUSES),
                    "description": "What became of the data, from the chain of custody: "
                    "not_needed (a type that holds no data, the owner wiped it, or "
                    "the declaration was withdrawn or closed: no device was handed in), "
                    "requested (a certified wipe not recorded yet) or done (an agent "
                    "recorded it, with its certificate)",
                },
                "wipe_certificate": {
                    "type": "string",
                    "nullable": True,
                    "description": "The certified wipe's certificate number; null until done",
                },
                "declared_at": {"type": "string", "format": "date-time"},
                "custody": {"type": "array", "items": CUSTODY_STEP},
                "notes": {
                    "type": "array",
                    "description": "For its owner only (GET): whether the return counts in "
                    "other domains, e.g. the running clean-up campaigns, in the reader's "
                    "language; kind: pending, counted or not-counted",
                    "items": {
                        "type": "object",
                        "required": ["text", "kind"],
                        "properties": {
                            "text": {"type": "string"},
                            "kind": {"type": "string", "enum": list(NOTE_KINDS)},
                        },
                    },
                },
            },
        },
    )

    register_schema(
        app,
        "RecyclingStatistics",
        {
            "type": "object",
            "description": "The document of `statistics.json`, in English whoever asks",
            "required": [
                *("title", "licence", "months", "left_out", "kg_ewaste", "sources"),
                *("typical_weight_kg", "embodied_kgco2e", "collection_points", "records"),
            ],
            "properties": {
                "title": {"type": "string"},
                "licence": {"type": "string"},
                "months": {"type": "string", "description": "What a record's month counts"},
                "left_out": {"type": "string", "description": "Declarations not counted"},
                "kg_ewaste": {"type": "string", "description": "What kg_ewaste measures"},
                "sources": {"type": "object", "additionalProperties": {"type": "string"}},
                "typical_weight_kg": {"type": "object", "additionalProperties": NUMBER},
                "embodied_kgco2e": {"type": "object", "additionalProperties": NUMBER},
                "collection_points": {
                    "description": '"all" for an admin; an agent\'s own points, named',
                    "oneOf": [
                        {"type": "string", "enum": ["all"]},
                        {"type": "array", "items": {"type": "string"}},
                    ],
                },
                "records": {
                    "type": "array",
                    "description": "The rows of statistics.csv: returns by month of "
                    "declaration, point, device type and status (no personal data)",
                    "items": {
                        "type": "object",
                        "properties": {
                            "month": {"type": "string", "example": "2026-05"},
                            "received_month": {
                                "type": "string",
                                "nullable": True,
                                "description": "Month an agent received the devices; null "
                                "while declared",
                            },
                            "handover_month": {
                                "type": "string",
                                "nullable": True,
                                "description": "Month they left the point (donated, "
                                "refurbished, recycled); null before",
                            },
                            "insee_code": {"type": "string"},
                            "commune": {"type": "string"},
                            "point_id": {"type": "integer"},
                            "point": {"type": "string"},
                            "device_type": DEVICE_TYPE,
                            "status": {"type": "string", "enum": list(EVERY_STATUS)},
                            "wipe_status": {
                                "type": "string",
                                "enum": ["done", "owner_attested", "requested", "no_data"],
                            },
                            "devices": {"type": "integer"},
                            "kg_ewaste": NUMBER,
                            "kgco2e_avoided": NUMBER,
                        },
                    },
                },
                "departments_note": {"type": "string", "description": "What departments hold"},
                "departments": {
                    "type": "array",
                    "description": "Returns by the owner's current department; figures null "
                    "where withheld (fewer than LEADERBOARD_MIN_TEAM people, or protecting one)",
                    "items": {
                        "type": "object",
                        "properties": {
                            "department_code": {"type": "string", "nullable": True},
                            "department_fr": {"type": "string", "nullable": True},
                            "department_en": {"type": "string", "nullable": True},
                            "withheld": {
                                "type": "string",
                                "nullable": True,
                                "enum": ["small", "protecting"],
                            },
                            "devices": {"type": "integer", "nullable": True},
                            "declared_not_received": {"type": "integer", "nullable": True},
                            "kg_ewaste": {"type": "number", "nullable": True},
                            "kgco2e_avoided": {"type": "number", "nullable": True},
                        },
                    },
                },
            },
        },
    )


def return_json(device_return) -> dict:
    return {
        "receipt_number": device_return.receipt_number,
        "status": device_return.status,
        "collection_point_id": device_return.point_id,
        "collection_point": device_return.point.name,
        "device_type": device_return.device_type,
        "asset_tag": device_return.asset_tag,
        "condition": device_return.condition,
        "data_wiped": device_return.data_wiped,
        "wipe_requested": device_return.wipe_requested,
        **queries.wipe_json(device_return),
        "declared_at": device_return.declared_at.isoformat(),
        "custody": [queries.step_json(s) for s in device_return.steps],
    }


@bp.get("/collection-points")
@login_required
def collection_points():
    """Active collection points.
    ---
    get:
      summary: Every active collection point with its hours and whether it is open now
      security: [{bearerAuth: []}, {cookieAuth: []}]
      responses:
        200:
          description: The active points
          content:
            application/json:
              schema:
                type: object
                properties:
                  collection_points:
                    type: array
                    items: {$ref: '#/components/schemas/CollectionPoint'}
        401: {$ref: '#/components/responses/Unauthorized'}
    """
    now = utcnow()
    return jsonify(
        {"collection_points": [queries.point_json(p, now) for p in queries.list_points()]}
    )


@bp.post("/device-returns")
@login_required
def create_device_return():
    """Declare a device return.
    ---
    post:
      summary: Declare a device return (idempotent per asset tag and person)
      security: [{bearerAuth: []}, {cookieAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/DeviceReturnInput'}
      responses:
        201:
          description: A new return recorded
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeviceReturn'}
        200:
          description: >-
            No new return was recorded: the same person already declared this asset tag
            with the same answers (point, device type, condition, wipe answers), and this
            is that original return, unchanged, whatever became of it since (its `status`
            may be received or later). Only a 201 means a new return was recorded
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeviceReturn'}
        400: {$ref: '#/components/responses/BadRequest'}
        401: {$ref: '#/components/responses/Unauthorized'}
        409:
          description: >-
            The asset tag is taken: by someone else (`asset_tag_taken`), or by the
            caller's own return declared with other answers (`asset_tag_declared`, its
            details giving that return's `receipt_number`, `url`, `status` and
            `withdrawable`: true while no agent has received the device, with the
            `withdraw_url` to withdraw it before declaring again; false once received,
            when it can no longer be withdrawn); nothing is changed
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    check_json_types(
        {
            "collection_point_id": int,
            "device_type": str,
            "condition": str,
            "asset_tag": str,
            "data_wiped": bool,
            "wipe_requested": bool,
        },
        nullable=("asset_tag",),
    )
    formdata, flags = _return_input()
    form = ReturnForm(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        raise form_error(form)
    point = queries.get_point(form.collection_point_id.data)
    try:
        device_return, created = services.register_device_return(
            current_user, point, form.device_type.data, form.condition.data, utcnow(),
            asset_tag=form.asset_tag.data, **flags,
        )  # fmt: skip
    except services.AssetTagTaken as error:
        db.session.rollback()
        message = str(error.message)  # about the body's asset_tag: `details` names it
        raise field_error(409, "asset_tag_taken", "asset_tag", message) from None
    except services.ReturnError as error:
        db.session.rollback()
        # The person's own tag, declared for another type: the web form's words, as a 409.
        first = _own_return_tagged(form.asset_tag.data) if error.field == "asset_tag" else None
        if first is not None:
            raise _declared_already(first, str(error.message)) from None
        raise ApiError(
            422,
            "invalid_input",
            str(error.message),
            details={error.field or "form": [str(error.message)]},
        ) from None
    if not created and _answers_differ(device_return, point, form, flags):
        # The first return is kept as it was: answering it with a 200 let a script
        # believe its new answers were recorded.
        db.session.rollback()
        raise _declared_already(device_return, declared_with_other_answers(device_return))
    db.session.commit()
    return jsonify(return_json(device_return)), 201 if created else 200


def _answers_differ(device_return, point, form, flags: dict[str, bool]) -> bool:
    """Whether a declaration sent again for the same tag answers otherwise than the first
    (point, type, condition, wipe answers, as the service stores them)."""
    bearing = DEVICE_TYPES[form.device_type.data].data_bearing
    sent = (point.id, form.device_type.data, form.condition.data,
            *(flags[name] and bearing for name in WIPE_FLAGS))  # fmt: skip
    stored = (device_return.point_id, device_return.device_type, device_return.condition,
              *(getattr(device_return, name) for name in WIPE_FLAGS))  # fmt: skip
    return sent != stored


def _own_return_tagged(asset_tag: str | None) -> DeviceReturn | None:
    """The caller's return holding this asset tag (compared as the service compares it)."""
    key = services.normalise_asset_tag((asset_tag or "").strip()[:64])
    if key is None:
        return None
    return db.session.scalar(
        select(DeviceReturn).where(
            DeviceReturn.asset_tag_key == key, DeviceReturn.user_id == current_user.id
        )
    )


def declared_with_other_answers(device_return) -> str:
    """Why a tag the person declared already cannot be declared again otherwise: while
    no agent has the device, its declaration can be withdrawn first; once received, it
    cannot (a 409 `not_withdrawable`), as the web form says of it."""
    if _withdrawable(device_return):
        return _(
            "A return with this asset tag is already declared (receipt %(receipt)s), with "
            "other answers: check the tag, or withdraw that declaration before declaring "
            "the device again.",
            receipt=device_return.receipt_number,
        )
    return _(
        "A return with this asset tag is already declared (receipt %(receipt)s), with "
        "other answers, and an agent has received the device: that declaration can no "
        "longer be withdrawn, nor the device declared again. Check the tag.",
        receipt=device_return.receipt_number,
    )


def _withdrawable(device_return) -> bool:
    """Whether its owner may still withdraw it (`services.withdraw_return`): declared,
    no agent has received the device yet."""
    return device_return.status == "declared"  # as `services._leave_declared` moves it


def _declared_already(device_return, message: str) -> ApiError:
    """The 409 naming the person's first return of the tag, where to read it, its status
    and whether it can be withdrawn (then where)."""
    number = device_return.receipt_number
    details = {
        "receipt_number": number,
        "url": url_for("recycling_api.get_device_return", receipt_number=number),
        "status": device_return.status,
        "withdrawable": _withdrawable(device_return),
    }
    if details["withdrawable"]:
        details["withdraw_url"] = url_for(
            "recycling_api.withdraw_device_return", receipt_number=number
        )
    return ApiError(409, "asset_tag_declared", message, details=details)


WIPE_FLAGS = ("data_wiped", "wipe_requested")


def _return_input() -> tuple[ImmutableMultiDict, dict[str, bool]]:
    """The return's fields for the form, and its two wipe booleans for the service.

    The API keeps its two documented booleans (their JSON types checked first); the
    form's single choice between them is for people, so they stay out of its data. The
    body is JSON (`check_json_body` answers 415 to anything else), or absent."""
    body = dict(request.get_json(silent=True) or {}) if request.is_json else {}
    flags = {name: body.pop(name, None) is True for name in WIPE_FLAGS}
    return ImmutableMultiDict(body), flags


@bp.get("/device-returns/<receipt_number>")
@login_required
def get_device_return(receipt_number: str):
    """One return with its chain of custody.
    ---
    get:
      summary: A return and its chain of custody (owner, the point's agents, admins)
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: receipt_number, in: path, required: true, schema: {type: string, maxLength: 20}, example: RC-7K3M-9QXD}
      responses:
        200:
          description: The return
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeviceReturn'}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
    """
    device_return = queries.get_return_for_viewer(receipt_number, current_user)
    if device_return is None:
        raise ApiError(404, "not_found", _("No return with this receipt number."))
    notes = return_notes(device_return, current_user, utcnow())
    return jsonify(
        {**return_json(device_return), "notes": [{"text": n.text, "kind": n.kind} for n in notes]}
    )


@bp.post("/device-returns/<receipt_number>/withdraw")
@login_required
def withdraw_device_return(receipt_number: str):
    """Withdraw one's declaration while no agent has received the device.
    ---
    post:
      summary: Withdraw my declaration (until an agent receives the device)
      description: >-
        The return stays, withdrawn, with a signed step; its asset tag is free again and
        its entries waiting for the device in running clean-up campaigns are removed (a
        return scores only once received, so nothing was scored yet). Only the person
        who declared it may withdraw it: anyone else gets 404.
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: receipt_number, in: path, required: true, schema: {type: string, maxLength: 20}, example: RC-7K3M-9QXD}
      responses:
        200:
          description: The return, withdrawn
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeviceReturn'}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
        409: {$ref: '#/components/responses/Conflict'}
    """
    device_return = queries.get_return_for_viewer(receipt_number, current_user)
    if device_return is None or device_return.user_id != current_user.id:
        raise ApiError(404, "not_found", _("No return with this receipt number."))
    try:
        services.withdraw_return(current_user, device_return, utcnow())
    except services.ReturnError as error:
        db.session.rollback()
        raise ApiError(409, "not_withdrawable", str(error.message)) from None
    db.session.commit()
    return jsonify(return_json(device_return))


@bp.get("/recycling/statistics")
@role_required("agent")
def recycling_statistics():
    """The recycling open data, for scripts.
    ---
    get:
      summary: Device returns by month, point, type and status, as open data (agents, admins)
      description: >-
        The same document as the statistics page's `statistics.json` download: an
        admin's covers every collection point; an agent's only the points they are
        assigned to (read from their account, never from the request), which it names.
        Its `records` are the rows of `statistics.csv`. For a script holding a personal
        token (`flask tokens create`, or the profile page); a read-only token is enough.
      security: [{bearerAuth: []}, {cookieAuth: []}]
      responses:
        200:
          description: The open data, Licence Ouverte 2.0
          content:
            application/json:
              schema: {$ref: '#/components/schemas/RecyclingStatistics'}
        401: {$ref: '#/components/responses/Unauthorized'}
        403: {$ref: '#/components/responses/Forbidden'}
    """
    point_ids = queries.agent_point_ids(current_user)  # None: every point (admins)
    return jsonify(statistics_export.open_data_document(point_ids))
