"""Messaging API: my inbox (reading, deleting), and a dispatch's counts for organisers."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.api import ApiError, api_blueprint, page_links, page_number
from app.core.i18n import current_language
from app.core.time import utcnow
from app.extensions import db
from app.messaging import queries, services
from app.messaging.audiences import needs_consent
from app.messaging.inbox import in_reader_language

bp = api_blueprint("messaging_api", __name__)

MESSAGE_SCHEMA = {
    "type": "object",
    "required": ["id", "subject", "body", "delivered_at", "read"],
    "properties": {
        "id": {"type": "integer"},
        "subject": {"type": "string", "nullable": True},
        "body": {"type": "string", "nullable": True, "description": "null once purged"},
        "delivered_at": {"type": "string", "format": "date-time", "nullable": True},
        "read": {"type": "boolean"},
    },
}
INBOX_SCHEMA = {
    "type": "object",
    "required": ["messages", "unread", "total", "page", "links"],
    "properties": {
        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
        "unread": {"type": "integer"},
        "total": {"type": "integer", "description": "messages in the inbox, read or not"},
        "page": {"type": "integer"},
        "links": {"$ref": "#/components/schemas/PageLinks"},
    },
}
STATUS_COUNTS = {
    "type": "object",
    "required": ["delivered", "pending", "skipped", "failed"],
    "properties": {
        name: {"type": "integer", "nullable": True}
        for name in ("delivered", "pending", "skipped", "failed")
    },
}
DISPATCH_SCHEMA = {
    "type": "object",
    "required": ["id", "status", "recipients", "counts", "channels", "opened"],
    "properties": {
        "id": {"type": "integer"},
        "status": {
            "type": "string",
            "enum": ["scheduled", "sending", "done", "partial", "failed", "cancelled", "skipped"],
            "description": "done: every row settled, none failed; partial: some failed; "
            "failed: rows failed and none was delivered",
        },
        "recipients": {
            "type": "integer",
            "nullable": True,
            "description": "people the dispatch is written for, as its page says; "
            "null while not counted yet (still scheduled)",
        },
        "counts": {
            **STATUS_COUNTS,
            "description": "outbox rows of both channels added together, not people: "
            "a person with an inbox copy and an e-mail counts twice",
        },
        "channels": {
            "type": "object",
            "description": "per channel, as the dispatch's page: its rows by status "
            "(one row per recipient and channel)",
            "required": ["inbox", "email"],
            "properties": {"inbox": STATUS_COUNTS, "email": STATUS_COUNTS},
        },
        "opened": {
            "type": "integer",
            "nullable": True,
            "description": "inbox copies read; null when `fewer_than` is set",
        },
        "fewer_than": {
            "type": "integer",
            "nullable": True,
            "description": "set (LEADERBOARD_MIN_TEAM) when the dispatch reached fewer "
            "people than that: its opened count and e-mail figures (which tell who read "
            "it or consented to e-mails) are null, and `counts` too",
        },
    },
}


def _message_json(message) -> dict:
    message = in_reader_language(message, current_language())
    return {
        "id": message.id,
        "subject": message.subject,
        "body": message.body,
        "delivered_at": message.delivered_at.isoformat() if message.delivered_at else None,
        "read": message.read_at is not None,
    }


@bp.get("/me/messages")
@login_required
def my_messages():
    """My portal inbox, newest first, with the unread count and the number of messages.
    ---
    get:
      summary: My inbox (20 messages a page)
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 100000}}
      responses:
        200:
          description: The caller's messages, newest first
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Inbox'}
        401: {$ref: '#/components/responses/Unauthorized'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    page = page_number(request.args.get("page"))
    messages, total = queries.list_inbox(current_user.id, page)
    return jsonify(
        {
            "messages": [_message_json(m) for m in messages],
            "unread": queries.unread_count(current_user.id),
            "total": total,
            "page": page,
            "links": page_links(page, queries.PAGE_SIZE, total),
        }
    )


@bp.post("/me/messages/<int:message_id>/read")
@login_required
def read_my_message(message_id: int):
    """Mark one of my messages read.
    ---
    post:
      summary: Mark one of my messages read
      description: Anyone else's message, or one deleted, gets 404. Marking it again changes nothing.
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: message_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
      responses:
        200:
          description: The message, read
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Message'}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
    """
    message = services.mark_read(current_user, message_id, utcnow())
    if message is None:
        raise ApiError(404, "not_found", _("No such message."))
    db.session.commit()
    return jsonify(_message_json(message))


@bp.delete("/me/messages/<int:message_id>")
@login_required
def delete_my_message(message_id: int):
    """Delete one of my messages: it leaves the inbox and its content is erased.
    ---
    delete:
      summary: Delete one of my messages
      description: >-
        The inbox copy and the e-mail copy already sent lose their subject and body at
        once; the dispatch's figures do not change. Anyone else's message, or one
        already deleted, gets 404.
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: message_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
      responses:
        204:
          description: Deleted
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
    """
    if not services.delete_message(current_user, message_id, utcnow()):
        raise ApiError(404, "not_found", _("No such message."))
    db.session.commit()
    return "", 204


@bp.get("/dispatches/<int:dispatch_id>")
@login_required
def dispatch_status(dispatch_id: int):
    """A dispatch's recipients and its deliveries counted by channel and status
    (organisers and admins).
    ---
    get:
      summary: A dispatch's recipients, and its deliveries by channel and status
      description: >-
        `recipients` counts people; `channels` counts each channel's rows (inbox, email)
        as the dispatch's page does; `counts` adds both channels' rows together, so a
        person sent both an inbox copy and an e-mail counts twice there.
      security: [{bearerAuth: []}, {cookieAuth: []}]
      parameters:
        - {name: dispatch_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
      responses:
        200:
          description: Recipients, and rows by channel and status
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DispatchStatus'}
        401: {$ref: '#/components/responses/Unauthorized'}
        403: {$ref: '#/components/responses/Forbidden'}
        404: {$ref: '#/components/responses/NotFound'}
    """
    if not current_user.has_role("organiser"):
        raise ApiError(403, "forbidden", _("Only organisers can follow dispatches."))
    dispatch = queries.organiser_dispatch(dispatch_id, current_user)
    if dispatch is None:
        raise ApiError(404, "not_found", _("No such dispatch."))
    withheld = queries.withheld_below(dispatch)
    detail = queries.dispatch_counts(
        dispatch.id, withheld, consent_only=needs_consent(dispatch.audience_key)
    )
    channels = detail["channels"]
    counted = dispatch.prepared_at is not None or dispatch.status in ("skipped", "cancelled")
    return jsonify(
        {
            "id": dispatch.id,
            "status": dispatch.status,
            # As the page: "not counted yet" (null) is not "nobody" (0).
            "recipients": dispatch.recipients if counted else None,
            # A small group's e-mail figures are withheld (null): their sums too.
            "counts": {
                status: None
                if withheld
                else sum(by_status[status] for by_status in channels.values())
                for status in STATUS_COUNTS["properties"]
            },
            "channels": channels,
            "opened": detail["opened"],
            "fewer_than": withheld,
        }
    )
