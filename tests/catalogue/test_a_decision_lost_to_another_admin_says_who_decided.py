"""An admin deciding a request another admin decided first is told what became of it, by
whom and when (« Cette demande a déjà été traitée. » said neither), and with htmx the
heading saying how many requests wait follows, as after a decision of their own."""

import re

import pytest

from app.catalogue import routes
from app.catalogue import services as catalogue
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.conftest import Auth, login

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def this_year(monkeypatch):
    monkeypatch.setattr(routes, "utcnow", lambda: NOW)


@pytest.fixture
def waiting(make, make_item):
    """Three requests sent; the first is decided below by another admin."""
    requests = []
    for _ in range(3):
        person = make.user()
        catalogue.add_to_basket(person, make_item(kind="service"), 1, NOW)
        requests.append(catalogue.submit_basket(person, "", NOW))
    db.session.commit()
    return requests


def _decide_late(client, request_id: int, headers=None):
    return Auth(client).post(
        f"/catalogue/admin/requests/{request_id}/decide",
        {"decision": "approve", "note": ""},
        headers=headers or {},
    )


@pytest.mark.parametrize(
    ("approve", "outcome"),
    [(True, "already approved by Claire Dubois on 15 Jun 2026, 12:00"),
     (False, "already refused by Claire Dubois on 15 Jun 2026, 12:00")],
)  # fmt: skip
def test_the_loser_is_told_the_decision_by_whom_and_when(client, make, waiting, approve, outcome):
    first = make.user(roles=("admin",), display_name="Claire Dubois")
    catalogue.decide_request(waiting[0], first, approve, "" if approve else "No stock", NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    response = _decide_late(client, waiting[0].id, HX)
    assert response.status_code == 409
    assert f"This request was {outcome}." in response.text


def test_the_waiting_count_follows_after_a_decision_lost(client, make, waiting):
    catalogue.decide_request(waiting[0], make.user(roles=("admin",)), True, "", NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/catalogue/admin/requests").text
    assert "2 requests are waiting for a decision." in page
    response = _decide_late(client, waiting[0].id, HX)
    waiting_count = re.search(
        r'<p id="requests-waiting" hx-swap-oob="true">(.*?)</p>', response.text
    )
    assert waiting_count and waiting_count.group(1) == "2 requests are waiting for a decision."


def test_without_javascript_the_loser_reads_it_on_the_queue(client, make, waiting):
    first = make.user(roles=("admin",), display_name="Claire Dubois")
    catalogue.decide_request(waiting[0], first, True, "", NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    response = _decide_late(client, waiting[0].id)
    page = client.get(response.location).text
    assert "This request was already approved by Claire Dubois on 15 Jun 2026, 12:00." in page
