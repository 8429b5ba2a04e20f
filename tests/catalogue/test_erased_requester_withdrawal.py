"""An admin deciding on a request whose sender was erased meanwhile is told why it was
withdrawn: the person's data was erased, they did not take it back themselves."""

import html
import re

import pytest
from sqlalchemy import func, select

from app.catalogue.models import CatalogueRequest
from app.core.privacy_services import erase_user
from app.core.time import utcnow
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
    (as `flask privacy erase` does). Returns the admin's client and the request's id."""
    employee = make.user(locale="fr")
    login(client, employee)
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    auth.post("/catalogue/requests/submit", {})
    request_id = db.session.scalar(select(func.max(CatalogueRequest.id)))

    def admin_opens_the_queue(locale):
        admin = app.test_client()
        login(admin, make.user(roles=("admin",), locale=locale))
        assert f"/catalogue/admin/requests/{request_id}/decide" in admin.get(
            "/catalogue/admin/requests"
        ).get_data(as_text=True)
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
