"""What the catalogue gives messaging: the variables of a decided request's notice."""

from collections.abc import Sequence
from datetime import datetime

from babel.dates import format_date
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.catalogue.models import CatalogueRequest
from app.core.i18n import integer_writer
from app.core.personalisation import Variable, only_in_notices
from app.core.time import local_zone
from app.core.urls import database_id
from app.extensions import db

# Of one request an admin decided: the notice to the person who asked (context `request_id`).
REQUEST_VARIABLES = only_in_notices(
    _l("notices about a decided request"),
    (
        Variable("request_date", _l("When the request was sent"), _l("3 December 2026")),
        Variable(
            "request_items", _l("What was asked for, with quantities"), _l("1 × Laptop 14 inches")
        ),
        Variable("decision_note", _l("The admin's note on the decision"), _l("Budget used up")),
        Variable("request_url", _l("Link to the request"), "https://…/catalogue/requests/12"),
    ),
)


def request_variables(users: Sequence, now: datetime, context: dict) -> dict[int, dict]:
    """The request of a notice, for the person who asked only (nobody else is given it)."""
    request_id = database_id(context.get("request_id"))
    if request_id is None or not users:
        return {}
    request = db.session.get(CatalogueRequest, request_id)
    if request is None:
        return {}
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    result = {}
    for user in users:
        if user.id != request.user_id:
            continue
        locale = user.locale if user.locale in ("fr", "en") else "fr"
        write = integer_writer(locale)
        sent = request.submitted_at or request.created_at
        result[user.id] = {
            "request_date": format_date(sent.astimezone(local_zone()), "long", locale=locale),
            "request_items": ", ".join(
                f"{write(line.quantity)} × {line.item.name(locale)}" for line in request.lines
            ),
            "decision_note": request.decision_note or "",
            "request_url": f"{base}/catalogue/requests/{request.id}",
        }
    return result
