"""What the catalogue gives messaging: the variables of a decided request's notice."""

from collections.abc import Sequence
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.catalogue.models import CatalogueRequest
from app.core.i18n import integer_writer, long_date
from app.core.personalisation import Variable, only_in_notices, owner_variables
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
    request = db.session.get(CatalogueRequest, request_id) if request_id is not None else None
    if request is None:
        return {}
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    sent = request.submitted_at or request.created_at

    def build(language: str) -> dict:
        write = integer_writer(language)
        return {
            "request_date": long_date(sent.astimezone(local_zone()), language),
            "request_items": ", ".join(
                f"{write(line.quantity)} × {line.item.name(language)}" for line in request.lines
            ),
            "decision_note": request.decision_note or "",
            "request_url": f"{base}/catalogue/requests/{request.id}",
        }

    return owner_variables(users, request.user_id, build)
