"""JSON API of the clean-up campaigns under /api/v1/campaigns."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import Field, StringField
from wtforms.validators import DataRequired, Length, StopValidation

from app.api import (
    ApiError,
    api_blueprint,
    check_json_types,
    field_error,
    form_error,
    page_links,
    page_number,
)
from app.auth.decorators import role_required
from app.cleanup import queries, services
from app.cleanup.catalogue import SYSTEM_ACTION_TYPES
from app.cleanup.results_export import open_data_document
from app.core.forms import PortalForm
from app.core.i18n import current_language
from app.core.time import local_iso, utcnow
from app.extensions import db

bp = api_blueprint("cleanup_api", __name__)


class RawField(Field):
    """Keeps what the JSON body sent (number or string) for the service to check."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else None


def sent(_form, field) -> None:
    """Required, a zero or false counting as sent (the service then says what is wrong)."""
    if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
        raise StopValidation(field.gettext("This field is required."))


class ActionInput(PortalForm):
    action_type = StringField(validators=[DataRequired(), Length(max=40)])
    # A quantity of 0 was sent (the service says it must be more than zero): DataRequired
    # and InputRequired read it as missing, "This field is required."
    quantity = RawField(validators=[sent])


#: The body field each of the service's refusals of an action is about.
ACTION_ERROR_FIELDS = {
    "unknown_action": "action_type",
    "invalid_quantity": "quantity",
    "cap_reached": "quantity",
}


def unknown_action(campaign) -> ApiError:
    """The one answer to an action type the caller cannot log, whether the campaign does
    not count it or only another service logs it (a device return an agent received):
    the same code, listing the keys the caller may send."""
    keys = sorted(
        rule.action_type.key
        for rule in campaign.action_rules
        if rule.action_type.key not in SYSTEM_ACTION_TYPES
    )
    message = _(
        "This action does not count in this campaign: the action type must be one of %(allowed)s.",
        allowed=", ".join(keys),
    )
    return field_error(422, "unknown_action", "action_type", message)


def _campaign(campaign_id: int):
    campaign = queries.get_campaign(campaign_id)
    if campaign is None:
        raise ApiError(404, "not_found", _("No such campaign."))
    return campaign


def campaign_json(campaign, now) -> dict:
    totals = queries.campaign_totals(campaign)
    locale = current_language()
    return {
        "id": campaign.id,
        "name": campaign.name(locale),
        # With the Paris offset, as open data writes them: the same instants, the day and
        # the hour those of the portal's pages.
        "starts_at": local_iso(campaign.starts_at),
        "ends_at": local_iso(campaign.ends_at),
        "state": campaign.state(now),
        "goals": [
            {"key": g["key"], "unit": g["unit"], "target": g["target"], "achieved": g["achieved"]}
            for g in queries.goal_progress(campaign, totals)
        ],
        "totals": totals,
    }


@bp.get("/campaigns")
@login_required
def list_campaigns():
    """Published campaigns.
    ---
    get:
      summary: Published clean-up campaigns with goals and totals
      security: [{bearerAuth: []}, {cookieAuth: []}]
      responses:
        200:
          description: The campaigns, latest first
          content:
            application/json:
              schema:
                type: object
                properties:
                  campaigns: {type: array, items: {$ref: '#/components/schemas/CleanupCampaign'}}
        401: {$ref: '#/components/responses/Unauthorized'}
    """
    now = utcnow()
    return jsonify({"campaigns": [campaign_json(c, now) for c in queries.list_campaigns()]})


@bp.get("/campaigns/<int:campaign_id>")
@login_required
def get_campaign(campaign_id: int):
    """One campaign with its action types and the caller's points and rank.
    ---
    get:
      summary: A campaign with its action types and the caller's standing
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: campaign_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
      responses:
        200:
          description: The campaign
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CleanupCampaignDetail'}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
    """
    campaign = _campaign(campaign_id)
    now = utcnow()
    if services.freeze_campaign(campaign, now):
        db.session.commit()
    locale = current_language()
    standing = queries.my_standing(campaign, current_user)
    body = campaign_json(campaign, now)
    body["action_types"] = [
        {
            "key": r.action_type.key,
            "name": r.action_type.name(locale),
            "unit": r.action_type.unit,
            "points_per_unit": r.points_per_unit,
            "daily_cap": r.daily_cap,
        }
        for r in campaign.action_rules
    ]
    body["points"] = standing["points"]
    body["rank"] = standing["rank"]
    return jsonify(body)


#: The order a leaderboard without `order` ranks by: communes per participant, as their page
#: opens (by total points the largest commune leads whatever others do); `total` otherwise.
DEFAULT_ORDERS = {"communes": "per_head"}


@bp.get("/campaigns/<int:campaign_id>/leaderboard")
@login_required
def get_leaderboard(campaign_id: int):
    """A page of a campaign's leaderboard.
    ---
    get:
      summary: Ranked individuals, departments or communes (50 a page)
      description: >-
        `order=per_head` ranks departments and communes only; with individuals (the
        default scope) only `total` is accepted, anything else a 422 `invalid_order`.
        Without `order`, communes are ranked by points per participant, as the
        communes' page opens (by total points the largest commune leads whatever others
        do: ask `order=total` for it); individuals and departments by `total`.
        Individuals: people who chose not to appear keep their place in the ranking
        but are not listed, so ranks may skip numbers (1, 2, 4…), and `total` counts
        the people listed, not everyone ranked: the last rank may be greater than
        `total`. An erased account takes no rank (its points stay in its department's
        and commune's totals).
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: campaign_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
        - {name: scope, in: query, schema: {type: string, enum: [individuals, departments, communes]}}
        - {name: order, in: query, schema: {type: string, enum: [total, per_head]}, description: "per_head for departments and communes only; the default is per_head for communes, total otherwise"}
        - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 100000}}
      responses:
        200:
          description: Ranked entries; individuals never include an e-mail address
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CleanupLeaderboard'}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    campaign = _campaign(campaign_id)
    scope = request.args.get("scope", "individuals")
    order = request.args.get("order", DEFAULT_ORDERS.get(scope, "total"))
    if scope not in ("individuals", "departments", "communes"):
        # The values as a script sends them, quoted as values: not words of the sentence.
        message = _("The `scope` parameter must be `individuals`, `departments` or `communes`.")
        raise field_error(422, "invalid_scope", "scope", message)
    if order not in ("total", "per_head"):
        message = _("The `order` parameter must be `total` or `per_head`.")
        raise field_error(422, "invalid_order", "order", message)
    if scope == "individuals" and order != "total":
        # A person is ranked on their points alone: "per head" was accepted, and ignored.
        message = _(
            "For individuals, the `order` parameter must be `total` (`per_head` ranks "
            "departments and communes)."
        )
        raise field_error(422, "invalid_order", "order", message)
    page = page_number(request.args.get("page"))
    if scope == "individuals":
        entries, total = queries.individual_leaderboard(campaign, page)
    else:
        entries, total = queries.team_leaderboard(campaign, scope, order, current_language(), page)
    links = page_links(page, queries.PER_PAGE, total)
    return jsonify({"entries": entries, "total": total, "page": page, "links": links})


@bp.get("/campaigns/<int:campaign_id>/open-data")
@role_required("organiser")
def get_open_data(campaign_id: int):
    """A closed campaign's frozen aggregates as open data, for scripts.
    ---
    get:
      summary: A closed campaign's open data (organisers and admins)
      description: >-
        The same document as the campaign's `open-data.json` download (no personal data;
        teams below LEADERBOARD_MIN_TEAM withheld), for a script holding a personal token
        (`flask tokens create`, or the profile page); a read-only token is enough. The
        figures are frozen when the campaign ends: before that, a 404 `not_closed`.
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: campaign_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
      responses:
        200:
          description: The open data, licence etalab-2.0
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CleanupOpenData'}
        401: {$ref: '#/components/responses/Unauthorized'}
        403: {$ref: '#/components/responses/Forbidden'}
        404:
          description: >-
            No such campaign (`not_found`), or one not closed yet, whose results are not
            published (`not_closed`)
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
    """
    campaign, results = _closed_results(campaign_id)
    return jsonify(open_data_document(campaign, results))


def _closed_results(campaign_id: int):
    """The frozen results of a closed campaign, freezing them on first read, as its
    results page and downloads read them (app.cleanup.routes); 404 before it ends."""
    campaign = queries.get_campaign(campaign_id, include_drafts=True)  # organisers only
    if campaign is None:
        raise ApiError(404, "not_found", _("No such campaign."))
    results = services.published_results(campaign, utcnow())
    if results is None:
        raise ApiError(404, "not_closed", _("Results are published when the campaign ends."))
    return campaign, results


@bp.post("/campaigns/<int:campaign_id>/actions")
@login_required
def post_action(campaign_id: int):
    """Log an action for the caller.
    ---
    post:
      summary: Log an action; answers the caller's new points and rank
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: campaign_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [action_type, quantity]
              properties:
                action_type: {type: string, minLength: 1, maxLength: 40, example: delete-mail, description: "one of the campaign's action types, except return-device (counted when an agent receives the device)"}
                quantity: {type: number, exclusiveMinimum: true, minimum: 0, example: 2.5}
      responses:
        201:
          description: Logged (status accepted, or flagged for review)
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CleanupLoggedAction'}
        401: {$ref: '#/components/responses/Unauthorized'}
        400: {$ref: '#/components/responses/BadRequest'}
        403: {$ref: '#/components/responses/Forbidden'}
        404: {$ref: '#/components/responses/NotFound'}
        409: {$ref: '#/components/responses/Conflict'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    campaign = _campaign(campaign_id)
    check_json_types({"action_type": str, "quantity": (int, float)})
    form = ActionInput(meta={"csrf": False})
    if not form.validate():
        raise form_error(form)
    if form.action_type.data in SYSTEM_ACTION_TYPES:  # refused as the web form refuses it
        raise unknown_action(campaign)
    quantity = form.quantity.data
    if isinstance(quantity, bool):
        message = _("Enter the quantity as a number.")
        raise field_error(422, "invalid_quantity", "quantity", message)
    try:
        action = services.log_action(
            current_user, campaign, form.action_type.data, quantity, utcnow()
        )
    except services.CleanupError as error:
        db.session.rollback()
        raise _action_error(campaign, error) from None
    db.session.commit()
    standing = queries.my_standing(campaign, current_user)
    return jsonify(
        {
            "action": {
                "id": action.id,
                "action_type": action.action_type.key,
                "quantity": action.quantity,
                "points": action.points,
                "status": action.status,
            },
            "points": standing["points"],
            "rank": standing["rank"],
        }
    ), 201


def _action_error(campaign, error) -> ApiError:
    """The service's refusal of an action; one about a field of the body names it."""
    if error.code == "unknown_action":
        return unknown_action(campaign)
    field = ACTION_ERROR_FIELDS.get(error.code)
    if field is None:
        return ApiError(error.status, error.code, error.message)
    return field_error(error.status, error.code, field, str(error.message))


def _object(properties: dict, required=None) -> dict:
    """A closed description: every listed property is always present."""
    return {"type": "object", "required": list(required or properties), "properties": properties}


NUMBER = {"type": "number"}
INTEGER = {"type": "integer"}
STRING = {"type": "string"}
BADGES = {"type": "array", "items": STRING}
PARIS_TIME = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 with the offset of the portal's time zone (TIMEZONE, "
    "Europe/Paris by default: +01:00 in winter, +02:00 in summer), as the open data writes it",
    "example": "2026-12-18T18:00:00+01:00",
}
# A campaign's end: exclusive, as the calendar file's DTEND (pages write one at midnight
# as the day before's 23:59).
END_TIME = {
    **PARIS_TIME,
    "description": PARIS_TIME["description"]
    + "; the first moment the campaign is closed (exclusive): one open to the end of "
    "27 December ends at 2026-12-28T00:00:00+01:00, which its pages write as 27 Dec, 23:59",
    "example": "2026-12-28T00:00:00+01:00",
}

SCHEMAS = {
    "CleanupCampaign": _object(
        {
            "id": INTEGER,
            "name": STRING,
            "starts_at": PARIS_TIME,
            "ends_at": END_TIME,
            "state": {"type": "string", "enum": ["draft", "scheduled", "running", "closed"]},
            "goals": {
                "type": "array",
                "items": _object(
                    {"key": STRING, "unit": STRING, "target": NUMBER, "achieved": NUMBER}
                ),
            },
            "totals": _object({"participants": INTEGER, "points": INTEGER}),
        }
    ),
    "CleanupCampaignDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/CleanupCampaign"},
            _object(
                {
                    "action_types": {
                        "type": "array",
                        "items": _object(
                            {
                                "key": STRING,
                                "name": STRING,
                                "unit": STRING,
                                "points_per_unit": NUMBER,
                                "daily_cap": NUMBER,
                            }
                        ),
                    },
                    "points": INTEGER,
                    "rank": {"type": "integer", "nullable": True},
                }
            ),
        ]
    },
    "CleanupLeaderboard": _object(
        {
            "entries": {
                "type": "array",
                "description": "individuals: rank, name, points, badges; "
                "departments and communes: rank, name, code (a department's code, a "
                "commune's INSEE code, as in the open data), points, participants, "
                "points_per_head, withheld (a team with fewer participants than "
                "LEADERBOARD_MIN_TEAM, or the smallest others needed so that its figures "
                "cannot be worked out from the campaign's totals: listed last, rank and "
                "figures null), protecting (withheld for the latter reason)",
                "items": _object(
                    {
                        "rank": {"type": "integer", "nullable": True},
                        "name": STRING,
                        "code": STRING,
                        "points": {"type": "integer", "nullable": True},
                        "badges": BADGES,
                        "participants": {"type": "integer", "nullable": True},
                        "points_per_head": {"type": "number", "nullable": True},
                        "withheld": {"type": "boolean"},
                        "protecting": {"type": "boolean"},
                    },
                    required=["rank", "name", "points"],
                ),
            },
            "total": INTEGER,
            "page": INTEGER,
            "links": {"$ref": "#/components/schemas/PageLinks"},
        }
    ),
    "CleanupOpenData": {
        "type": "object",
        "description": "The frozen results of `open-data.json`: the campaign's names, "
        "licence, instants (computed_at, starts_at, ends_at) with the offset of the portal's "
        "time zone (TIMEZONE, Europe/Paris by default), "
        "goals with their real ratio, totals, departments and communes (aggregates only; "
        "small teams withheld)",
        "required": ["name_fr", "name_en", "licence"],
        "properties": {
            "name_fr": STRING,
            "name_en": STRING,
            "licence": {"type": "string", "example": "etalab-2.0"},
            "computed_at": PARIS_TIME,
            "starts_at": PARIS_TIME,
            "ends_at": END_TIME,
            "goals": {"type": "array", "items": {"type": "object"}},
        },
        "additionalProperties": True,
    },
    "CleanupLoggedAction": _object(
        {
            "action": _object(
                {
                    "id": INTEGER,
                    "action_type": STRING,
                    "quantity": NUMBER,
                    "points": INTEGER,
                    "status": {"type": "string", "enum": ["accepted", "flagged"]},
                }
            ),
            "points": INTEGER,
            "rank": {"type": "integer", "nullable": True},
        }
    ),
}
