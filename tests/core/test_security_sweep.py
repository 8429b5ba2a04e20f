"""The security sweep's findings, each through the real routes on the real database:
JSON posted to web forms, simultaneous sign-in link requests, guesses of the current
password, and an admin's erasure that would leave the portal without one."""

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from app.api import API_PREFIX
from app.auth import services as auth_services
from app.auth.models import SignInLink, User
from app.core import privacy_services
from app.core.privacy_models import ErasureRequest
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.trust.world import build_world

STAFF = ("employee", "organiser", "agent", "admin")
# What a program sends: numbers, a boolean and a null where the forms read text.
JSON_BODY = {"action_type": "delete-mail", "quantity": 2, "confirm": True, "note": None}
REFUSED_FR = (
    "Les pages du portail reçoivent des champs de formulaire, pas du JSON. Un programme "
    "utilise plutôt l'API sous /api/v1."
)


def at_once(app, calls: list) -> list:
    """Each call in a thread of its own (and an app context, as a worker has), all
    released together; their results, in the order they ended."""
    start, results = threading.Barrier(len(calls)), []

    def run(call):
        start.wait()
        with app.app_context():
            results.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@contextmanager
def pause_after(picked, seconds: float = 0.3):
    """A pause after each statement `picked(sql)` chooses, on every engine: a busy
    server's time between a check and the write that follows it, in which a
    simultaneous request runs its own check. Nothing else changes."""

    def pause(_connection, _cursor, statement, *_args):
        if picked(statement):
            time.sleep(seconds)

    event.listen(Engine, "after_cursor_execute", pause)
    try:
        yield
    finally:
        event.remove(Engine, "after_cursor_execute", pause)


def _rows() -> dict[str, int]:
    """How many rows each table holds."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _post_json(client, path, **headers):
    return client.post(path, json=JSON_BODY, headers={"X-CSRFToken": csrf_token(client), **headers})


# 1. JSON bodies on web forms: a 415 saying where JSON goes, never a 500.


def test_json_posted_to_every_web_form_is_refused_with_a_415(app, client, make):
    """Every address outside the API that takes a write, whatever its form."""
    login(client, make.user(roles=STAFF))
    adapter = app.url_map.bind("localhost")
    answers = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX) or not rule.methods & {"POST", "PUT", "PATCH"}:
            continue
        path = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1))
        answers[rule.endpoint] = _post_json(client, path).status_code
    assert len(answers) > 40
    assert {endpoint for endpoint, status in answers.items() if status != 415} == set()


@pytest.mark.parametrize(
    "path",
    [
        "/cleanup/campaigns/{campaign}/actions",
        "/recycling/returns/new",
        "/catalogue/items/{item}/request",
        "/messaging/templates/new",
        "/auth/profile/tokens",
        "/admin/departments",
    ],
)
def test_json_to_a_domains_form_says_why_in_the_readers_language_and_saves_nothing(
    client, make, path
):
    world = build_world(make, utcnow())
    login(client, make.user(roles=STAFF, locale="fr"))
    before = _rows()

    response = _post_json(client, path.format(campaign=world.campaign.id, item=world.item.id))

    assert response.status_code == 415
    assert REFUSED_FR in response.get_data(as_text=True).replace("&#39;", "'")
    assert _rows() == before


def test_json_to_a_form_sent_through_htmx_says_why_where_the_page_shows_messages(client, make):
    world = build_world(make, utcnow())
    login(client, make.user(locale="en"))

    response = _post_json(
        client, f"/cleanup/campaigns/{world.campaign.id}/actions", **{"HX-Request": "true"}
    )

    assert response.status_code == 415
    assert response.headers["HX-Retarget"] == "#flashes"
    assert "not JSON. A program uses the API under /api/v1" in response.get_data(as_text=True)


def test_the_api_still_takes_json(client, make):
    world = build_world(make, utcnow())
    login(client, make.user())
    response = client.post(
        f"/api/v1/campaigns/{world.campaign.id}/actions",
        json={"action_type": "delete-mail", "quantity": 2},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 201


# 2. At most OPEN_LINKS_PER_PERSON sign-in links, however many requests arrive at once.


def test_simultaneous_link_requests_open_no_more_links_than_allowed(make_app, make, smtp):
    # A mail server that answers: without one, every request is told to try again later.
    busy = make_app(
        SIGN_IN_RATE_LIMIT="99 per minute", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port
    )
    person = make.user(password=None)
    requests = 9
    clients = [busy.test_client() for _ in range(requests)]
    bodies = [{"link-email": person.email, "csrf_token": csrf_token(c)} for c in clients]
    asks = [
        # `buffered`: the link is made once the answer has left (the server closes it).
        lambda client=client, body=body: client.post("/auth/sign-in/link", data=body, buffered=True)
        for client, body in zip(clients, bodies, strict=True)
    ]

    with pause_after(lambda sql: "count(*)" in sql and "FROM sign_in_link" in sql):
        answers = [answer.status_code for answer in at_once(busy, asks)]

    assert answers == [200] * requests  # every answer the same: nobody learns anything
    links = db.session.scalar(
        select(func.count()).select_from(SignInLink).where(SignInLink.user_id == person.id)
    )
    assert links == auth_services.OPEN_LINKS_PER_PERSON


# 3. Guesses of the current password stop at the account's sign-in limit.


def _change_password(client, current: str, new: str = "a brand new password", **headers):
    return client.post(
        "/auth/profile/password",
        data={
            "csrf_token": csrf_token(client),
            "current_password": current,
            "new_password": new,
            "confirm_password": new,
        },
        headers=headers,
    )


def test_guessing_the_current_password_stops_at_the_accounts_limit(make_app, make):
    guarded = make_app(ACCOUNT_SIGN_IN_RATE_LIMIT="3 per hour")
    person, other = make.user(password="the right one 1"), make.user(password="the right one 2")
    first, second, theirs = (guarded.test_client() for _ in range(3))
    login(first, person)
    login(second, person)
    login(theirs, other)

    guesses = [_change_password(first, f"guess {n}").status_code for n in range(3)]
    refused = _change_password(second, "the right one 1", **{"Accept-Language": "fr"})

    assert guesses == [422, 422, 422]
    # Counted for the account, whichever session asks; the right password is not checked.
    assert refused.status_code == 429
    page = refused.get_data(as_text=True).replace("&#39;", "'")
    assert "Trop de tentatives de mot de passe pour ce compte" in page
    assert "<title>Erreur" in page  # the profile again, its title saying so
    assert auth_services.authenticate(person.email, "the right one 1") is not None
    # Another account keeps its own count.
    assert _change_password(theirs, "the right one 2").status_code == 302


def test_guesses_of_the_current_password_sent_at_once_are_counted_before_any_check(make_app, make):
    guarded = make_app(ACCOUNT_SIGN_IN_RATE_LIMIT="3 per hour")
    person = make.user(password="the right one 1")
    attempts = 8
    clients = [guarded.test_client() for _ in range(attempts)]
    for client in clients:
        login(client, person)
    tokens = [csrf_token(client) for client in clients]
    fields = {"current_password": "guess", "new_password": "a brand new password",
              "confirm_password": "a brand new password"}  # fmt: skip
    guesses = [
        lambda client=client, token=token: client.post(
            "/auth/profile/password", data={"csrf_token": token, **fields}
        )
        for client, token in zip(clients, tokens, strict=True)
    ]

    answers = [answer.status_code for answer in at_once(guarded, guesses)]

    assert sorted(answers) == [422] * 3 + [429] * (attempts - 3)


# 4. An erasure never leaves the portal without an active admin.


def _request_erasure(client) -> int:
    answer = client.post(
        "/auth/profile/erasure", data={"confirm": "y", "csrf_token": csrf_token(client)}
    )
    assert answer.status_code == 302
    return db.session.scalar(select(ErasureRequest.id).order_by(ErasureRequest.id.desc()))


def _execute(client, request_id: int, **headers):
    return client.post(
        f"/admin/erasures/{request_id}/execute",
        data={"csrf_token": csrf_token(client)},
        headers=headers,
    )


def test_an_admin_cannot_carry_out_their_own_erasure_request(client, make):
    admin = make.user(roles=("admin",))
    login(client, admin)
    request_id = _request_erasure(client)

    page = client.get("/admin/erasures").get_data(as_text=True)
    refused = _execute(client, request_id, **{"Accept-Language": "fr"})

    assert f"/admin/erasures/{request_id}/execute" not in page  # no button to press
    assert "un autre administrateur l'exécute" in page.replace("&#39;", "'")
    assert refused.status_code == 409
    assert "Vous ne pouvez pas exécuter votre propre demande d'effacement" in (
        refused.get_data(as_text=True).replace("&#39;", "'")
    )
    assert db.session.get(ErasureRequest, request_id).pending
    assert privacy_services.active_admin_ids() == [admin.id]


def test_another_admin_carries_out_an_admins_request(client, make):
    leaving, staying = make.user(roles=("admin",)), make.user(roles=("admin",))
    login(client, leaving)
    request_id = _request_erasure(client)
    login(client, staying)

    assert _execute(client, request_id).status_code == 302
    assert privacy_services.active_admin_ids() == [staying.id]


def test_an_erasure_leaving_no_active_admin_is_refused(make):
    """The rule itself, whoever carries the request out."""
    admin = make.user(roles=("admin",))
    request = privacy_services.request_erasure(admin, utcnow())
    db.session.commit()

    with pytest.raises(privacy_services.ErasureRefused, match="last-admin"):
        privacy_services.execute_erasure_request(request.id, make.user(), utcnow())


def test_two_admins_erasing_each_other_at_once_leave_one_admin(app, make):
    first, second = make.user(roles=("admin",)), make.user(roles=("admin",))
    clients = {first.id: app.test_client(), second.id: app.test_client()}
    requests = {}
    for person in (first, second):
        login(clients[person.id], person)
        requests[person.id] = _request_erasure(clients[person.id])
    tokens = {person_id: csrf_token(client) for person_id, client in clients.items()}
    # Each executes the other's request.
    executions = [
        lambda actor=actor, target=target: clients[actor.id].post(
            f"/admin/erasures/{requests[target.id]}/execute",
            data={"csrf_token": tokens[actor.id]},
        )
        for actor, target in ((first, second), (second, first))
    ]

    pause = lambda sql: "JOIN user_role" in sql and "anonymised_at IS NULL" in sql  # noqa: E731
    with pause_after(pause):
        answers = [answer.status_code for answer in at_once(app, executions)]

    # The second is refused (409), or finds its own session ended by the first (302 to
    # sign in): either way, never both erased.
    assert len(answers) == 2 and set(answers) <= {302, 409}
    assert len(privacy_services.active_admin_ids()) == 1
    erased = db.session.scalar(select(func.count(User.id)).where(User.anonymised_at.is_not(None)))
    assert erased == 1
