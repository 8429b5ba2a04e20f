"""An admin deciding on a request whose sender was erased meanwhile is told why it was
withdrawn: the person's data was erased, they did not take it back themselves."""

import html
import re
from datetime import UTC, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import column, func, select, table

from app import create_app
from app.catalogue.models import CatalogueRequest
from app.config import TestConfig
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.core.types import UTCDateTime
from app.extensions import db
from tests.conftest import Auth, login

ERASED = {
    "fr": "Cette demande a été retirée parce que les données personnelles de la personne "
    "qui l'a envoyée ont été effacées.",
    "en": "This request was withdrawn because the personal data of the person who sent it "
    "was erased.",
}
BY_THEM = {
    "fr": "Cette demande a été retirée par la personne qui l'a envoyée.",
    "en": "This request was withdrawn by the person who sent it.",
}


def _words(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def sent_then_erased(app, client, auth, make, make_item):
    """An employee sends a request; an admin opens the queue; the employee is erased
    (as `flask privacy erase` does), having withdrawn it first or not. Returns the
    admin's client and the request's id."""
    employee = make.user(locale="fr")
    login(client, employee)
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    auth.post("/catalogue/requests/submit", {})
    request_id = db.session.scalar(select(func.max(CatalogueRequest.id)))

    def admin_opens_the_queue(locale, withdrawn_first=False):
        admin = app.test_client()
        login(admin, make.user(roles=("admin",), locale=locale))
        assert f"/catalogue/admin/requests/{request_id}/decide" in admin.get(
            "/catalogue/admin/requests"
        ).get_data(as_text=True)
        if withdrawn_first:
            assert auth.post(f"/catalogue/requests/{request_id}/withdraw", {}).status_code == 302
        erase_user(employee, utcnow())
        db.session.commit()
        return admin, request_id

    return admin_opens_the_queue


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_accepting_an_erased_persons_request_says_their_data_was_erased(sent_then_erased, locale):
    admin, request_id = sent_then_erased(locale)
    response = Auth(admin).post(
        f"/catalogue/admin/requests/{request_id}/decide", {"decision": "approve"}
    )
    page = _words(admin.get(response.headers["Location"]).get_data(as_text=True))
    assert ERASED[locale] in page
    assert BY_THEM[locale] not in page


def test_with_htmx_the_409_says_their_data_was_erased(sent_then_erased):
    admin, request_id = sent_then_erased("fr")
    response = Auth(admin).post(
        f"/catalogue/admin/requests/{request_id}/decide",
        {"decision": "approve"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert ERASED["fr"] in _words(response.get_data(as_text=True))


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_request_withdrawn_by_its_sender_before_their_erasure_still_says_so(
    sent_then_erased, locale
):
    """The erasure detaches it as it does the requests it withdraws itself: it must not
    take over the withdrawal the person made."""
    admin, request_id = sent_then_erased(locale, withdrawn_first=True)
    response = Auth(admin).post(
        f"/catalogue/admin/requests/{request_id}/decide", {"decision": "approve"}
    )
    page = _words(admin.get(response.headers["Location"]).get_data(as_text=True))
    assert BY_THEM[locale] in page
    assert ERASED[locale] not in page


def test_the_upgrade_marks_the_withdrawals_erasures_made_and_only_them(empty_database_url):
    """Before the column, an erasure's withdrawals are told by their moment, the person's
    "erase" event's, or by none (withdrawn by the migration of 6 December)."""
    erased_at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    own_at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    requests = table(
        "catalogue_request", column("id"), column("user_id"), column("status"),
        column("created_at", UTCDateTime()), column("decided_at", UTCDateTime()),
        column("comment"), column("decision_note"),
    )  # fmt: skip
    events = table(
        "audit_event", column("at", UTCDateTime()), column("action"), column("object_type"),
        column("object_id"), column("summary"),
    )  # fmt: skip
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with portal.app_context():
        upgrade(revision="20261206_catalogue_withdrawals")
        db.session.execute(
            events.insert().values(at=erased_at, action="erase", object_type="user",
                                   object_id="7", summary="personal data erased")
        )  # fmt: skip
        rows = (
            ("withdrawn", erased_at),  # withdrawn by the erasure
            ("withdrawn", own_at),  # withdrawn by its sender, erased the day after
            ("withdrawn", None),  # withdrawn by the migration of 6 December
            ("approved", erased_at),  # decided: no withdrawal at all
        )
        db.session.execute(
            requests.insert(),
            [{"user_id": None, "status": status, "created_at": own_at, "decided_at": at,
              "comment": "", "decision_note": ""} for status, at in rows],
        )  # fmt: skip
        db.session.commit()
        upgrade(revision="heads")
        marked = db.session.scalars(
            select(CatalogueRequest.withdrawn_on_erasure).order_by(CatalogueRequest.id)
        ).all()
        db.session.remove()
        db.engine.dispose()
    assert marked == [True, False, True, False]
