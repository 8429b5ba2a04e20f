"""Defects of the 5 December security sweep: one basket per person whatever the clicks
(the database holds it), the item form without its alternatives field, and an admin
deciding their own request."""

import threading
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import column, event, func, select, table
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.catalogue import services
from app.catalogue.models import CatalogueItem, CatalogueRequest, CatalogueRequestLine
from app.config import TestConfig
from app.core.types import UTCDateTime
from app.extensions import db
from tests.catalogue.conftest import NOW
from tests.catalogue.test_item_codes import FORM as ITEM_FORM
from tests.conftest import Auth, csrf_token, login
from tests.factories import Factories

HX = {"HX-Request": "true"}
OWN = "You sent this request yourself: another administrator decides on it."


def _drafts(user) -> list[CatalogueRequest]:
    db.session.expire_all()
    return db.session.scalars(
        select(CatalogueRequest).where(
            CatalogueRequest.user_id == user.id, CatalogueRequest.status == "draft"
        )
    ).all()


def _held(request: CatalogueRequest) -> dict[int, int]:
    return {line.item_id: line.quantity for line in request.lines}


# One basket per person ---------------------------------------------------------------


@contextmanager
def basket_opened_meanwhile(user, item):
    """The person's other click, committed on a connection of its own just before this
    one writes its basket: a draft holding one `item`."""
    done = []

    def other_click(_conn, _cursor, statement, *_args):
        if done or not statement.lstrip().startswith("INSERT INTO catalogue_request "):
            return
        done.append(True)
        with db.engine.begin() as other:
            request_id = other.execute(
                CatalogueRequest.__table__.insert().values(
                    user_id=user.id, department_id=user.department_id, status="draft"
                ),
                {"created_at": NOW},
            ).inserted_primary_key[0]
            other.execute(
                CatalogueRequestLine.__table__.insert().values(
                    request_id=request_id, item_id=item.id, quantity=1
                )
            )

    event.listen(db.engine, "before_cursor_execute", other_click)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", other_click)
    assert done, "the basket was never written"


def test_an_add_racing_another_click_lands_in_the_basket_it_opened(
    make, make_item, request_context
):
    user, first, second = make.user(), make_item(), make_item()
    with basket_opened_meanwhile(user, first):
        services.add_to_basket(user, second, 2, NOW)
    db.session.commit()
    assert [_held(d) for d in _drafts(user)] == [{first.id: 1, second.id: 2}]


def test_two_adds_of_one_item_at_once_count_both(make, make_item, request_context):
    user, item = make.user(), make_item()
    with basket_opened_meanwhile(user, item):
        services.add_to_basket(user, item, 1, NOW)
    db.session.commit()
    assert [_held(d) for d in _drafts(user)] == [{item.id: 2}]


def test_many_adds_on_one_connection_keep_finding_the_basket(make, make_item, request_context):
    """PostgreSQL prepares a statement sent many times over: its ON CONFLICT must still
    name the index's condition (a bound 'draft' no longer matched it)."""
    user, items = make.user(), [make_item() for _ in range(12)]
    for item in items:
        services.add_to_basket(user, item, 1, NOW)
    db.session.commit()
    assert [_held(d) for d in _drafts(user)] == [{item.id: 1 for item in items}]


def test_the_database_holds_one_draft_per_person(make, make_item):
    user = make.user()
    db.session.add_all(
        [CatalogueRequest(user_id=user.id, status="draft", created_at=NOW) for _ in range(2)]
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def _clicks(app, user, items) -> list[int]:
    """Each item added at the same instant by the same person, each in its own request
    (threads, each its own client and database connection). Returns the statuses."""
    clients = []
    for _ in items:
        client = app.test_client()
        login(client, user)
        clients.append((client, csrf_token(client)))
    barrier = threading.Barrier(len(items))
    statuses = []

    def click(client, token, item_id):
        with app.app_context():
            barrier.wait()
            response = client.post(
                f"/catalogue/items/{item_id}/request", data={"quantity": "1", "csrf_token": token}
            )
            statuses.append(response.status_code)
            db.session.remove()

    threads = [
        threading.Thread(target=click, args=(*clients[n], item.id)) for n, item in enumerate(items)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_twelve_adds_at_once_fill_one_basket(app, make, make_item):
    user = make.user()
    items = [make_item() for _ in range(12)]
    statuses = _clicks(app, user, items)
    assert statuses == [302] * 12
    assert [_held(d) for d in _drafts(user)] == [{item.id: 1 for item in items}]


def test_a_double_click_leaves_no_basket_behind_once_sent(app, client, auth, make, make_item):
    user, item = make.user(), make_item()
    assert _clicks(app, user, [item, item]) == [302, 302]
    login(client, user)
    assert auth.post("/catalogue/requests/submit", {}).status_code == 302
    assert _drafts(user) == []
    sent = db.session.scalar(select(CatalogueRequest).where(CatalogueRequest.user_id == user.id))
    assert _held(sent) == {item.id: 2}


# The requests' table at revision 20261205_catalogue_one_basket-1.
REQUESTS_THEN = table(
    "catalogue_request",
    column("id"),
    column("user_id"),
    column("status"),
    column("created_at", UTCDateTime()),
    column("comment"),
    column("decision_note"),
)


def test_the_upgrade_merges_a_persons_drafts_into_their_first(empty_database_url, make_item):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="20261205_catalogue_one_basket-1")
        make = Factories()
        # A pseudonym given: at this revision closed boards keep no label, which a draw reads.
        user, other = make.user(pseudonym="Ancien 1"), make.user(pseudonym="Ancien 2")
        a, b, c = (make_item().id for _ in range(3))

        def draft(owner, lines, status="draft"):
            # The request and its lines as this revision holds them (not the model's
            # later columns).
            request_id = db.session.execute(
                REQUESTS_THEN.insert()
                .values(user_id=owner.id, status=status, created_at=NOW, comment="",
                        decision_note="")
                .returning(REQUESTS_THEN.c.id)
            ).scalar_one()  # fmt: skip
            db.session.commit()
            for item_id, quantity in lines:
                db.session.execute(
                    CatalogueRequestLine.__table__.insert().values(
                        request_id=request_id, item_id=item_id, quantity=quantity
                    )
                )
            db.session.commit()
            return request_id

        first = draft(user, [(a, 2)])
        draft(user, [(a, 49), (b, 1)])
        draft(user, [(c, 3)])
        sent = draft(user, [(a, 5)], status="submitted")
        others = draft(other, [(b, 4)])
        db.session.remove()
        upgrade(revision="heads")
        requests = {
            r.id: (r.status, _held(r))
            for r in db.session.scalars(select(CatalogueRequest).order_by(CatalogueRequest.id))
        }
        line_count = db.session.scalar(select(func.count(CatalogueRequestLine.id)))
        db.session.remove()
        db.engine.dispose()
    assert requests == {
        first: ("draft", {a: 50, b: 1, c: 3}),  # 2 + 49, at most 50
        sent: ("submitted", {a: 5}),
        others: ("draft", {b: 4}),
    }
    assert line_count == 5


# The item form without its alternatives --------------------------------------------------


@pytest.fixture
def item_with_alternative(make_item):
    item, lighter = make_item(code="LAP-EDIT-1"), make_item(code="LAP-LIGHT-1")
    item.alternatives = [lighter]
    db.session.commit()
    return item


def _alternatives(item) -> list[str]:
    db.session.expire_all()
    return [a.code for a in db.session.get(CatalogueItem, item.id).alternatives]


def test_an_edit_sent_without_alternatives_keeps_them(client, auth, make, item_with_alternative):
    item = item_with_alternative
    login(client, make.user(roles=("admin",), locale="en"))
    form = ITEM_FORM | {"code": "LAP-EDIT-1", "name_en": "Renamed laptop"}
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    assert response.status_code == 302
    assert _alternatives(item) == ["LAP-LIGHT-1"]


def test_an_edit_sent_with_its_token_alone_is_no_error(client, auth, make, item_with_alternative):
    item = item_with_alternative
    login(client, make.user(roles=("admin",), locale="en"))
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", {})
    assert response.status_code < 500
    assert _alternatives(item) == ["LAP-LIGHT-1"]


def test_the_edit_form_shows_the_alternatives_codes(client, make, item_with_alternative):
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get(f"/catalogue/admin/items/{item_with_alternative.id}/edit").text
    assert 'value="LAP-LIGHT-1"' in page


# An admin's own request ---------------------------------------------------------------


@pytest.fixture
def own_request(client, auth, make, make_item):
    """An admin's request sent by themselves, the client signed in as them."""
    admin = make.user(roles=("admin",), locale="en")
    login(client, admin)
    auth.post(f"/catalogue/items/{make_item().id}/request", {"quantity": "1"})
    auth.post("/catalogue/requests/submit", {})
    return db.session.scalar(select(CatalogueRequest).where(CatalogueRequest.user_id == admin.id))


def _status(request_id: int) -> str:
    db.session.expire_all()
    return db.session.get(CatalogueRequest, request_id).status


def test_an_admin_cannot_approve_their_own_request(client, auth, own_request):
    response = auth.post(
        f"/catalogue/admin/requests/{own_request.id}/decide", {"decision": "approve"}
    )
    assert response.status_code == 403 and OWN in response.text
    assert _status(own_request.id) == "submitted"


def test_an_admin_cannot_refuse_their_own_request_with_htmx(client, auth, own_request):
    response = auth.post(
        f"/catalogue/admin/requests/{own_request.id}/decide",
        {"decision": "refuse", "note": "no"},
        headers=HX,
    )
    assert response.status_code == 403 and OWN in response.text
    assert 'value="approve"' not in response.text
    assert _status(own_request.id) == "submitted"


def test_the_queue_offers_no_decision_on_ones_own_request(client, own_request):
    page = client.get("/catalogue/admin/requests").text
    block = page.split(f'id="request-{own_request.id}"', 1)[1].split("</section>", 1)[0]
    assert OWN in block and "/decide" not in block


def test_another_admin_decides_it(app, make, own_request):
    other = app.test_client()
    login(other, make.user(roles=("admin",), locale="en"))
    page = other.get("/catalogue/admin/requests").text
    assert f"/catalogue/admin/requests/{own_request.id}/decide" in page
    response = Auth(other).post(
        f"/catalogue/admin/requests/{own_request.id}/decide", {"decision": "approve"}
    )
    assert response.status_code == 302 and _status(own_request.id) == "approved"


def test_the_service_refuses_an_admins_own_request(make, own_request, request_context):
    with pytest.raises(services.OwnRequest):
        services.decide_request(own_request, own_request.user, True, "", NOW)
