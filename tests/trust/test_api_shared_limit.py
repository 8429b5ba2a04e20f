"""API_RATE_LIMIT is one budget per person across the whole API, not one per route: a
person had 600 calls a minute on each endpoint. And a write refused before its view runs
(401, a read-only token's 403, 400, 415, 422 on the body) changed nothing, so it does not
use up the person's WRITE_RATE_LIMIT."""

from app.auth import services as auth_services
from app.extensions import db


def _bearer(user, scope="read") -> dict:
    _token, secret = auth_services.create_api_token(user, f"script {scope}", scope)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


READS = ("/api/v1/me", "/api/v1/campaigns", "/api/v1/collection-points", "/api/v1/me/messages")


def test_one_person_has_one_budget_across_every_route(make_app, make):
    client = make_app(API_RATE_LIMIT="3 per minute").test_client()
    headers = _bearer(make.user())
    answers = [client.get(url, headers=headers) for url in READS]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Limit"] for a in answers[:3]] == ["3"] * 3
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]


def test_calls_without_a_valid_token_share_their_addresss_budget(make_app, make):
    client = make_app(API_RATE_LIMIT="3 per minute").test_client()
    wrong = {"Authorization": "Bearer not-a-token"}
    answers = [client.get(url, headers=wrong).status_code for url in READS]
    assert answers == [401, 401, 401, 429]


ACTION = {"action_type": "delete-mail", "quantity": 1}


def test_a_read_only_tokens_refused_writes_leave_the_write_limit_whole(limited, make, actions):
    person = make.user()
    reader, writer = _bearer(person), _bearer(person, "read_write")
    refused = [limited.post(actions, json=ACTION, headers=reader).status_code for _ in range(3)]
    assert refused == [403] * 3
    written = [limited.post(actions, json=ACTION, headers=writer).status_code for _ in range(3)]
    assert written == [201, 201, 429]


def test_bodies_refused_before_the_view_leave_the_write_limit_whole(limited, make, actions):
    writer = _bearer(make.user(), "read_write")
    refused = [
        limited.post(actions, data="{", content_type="application/json", headers=writer),
        limited.post(actions, data="a=1", content_type="text/plain", headers=writer),
        limited.post(actions, json=[ACTION], headers=writer),
    ]
    assert [a.status_code for a in refused] == [400, 415, 422]
    written = [limited.post(actions, json=ACTION, headers=writer).status_code for _ in range(3)]
    assert written == [201, 201, 429]


def test_writes_without_a_session_or_token_are_told_401_not_429(limited, actions):
    answers = [limited.post(actions, json=ACTION).status_code for _ in range(4)]
    assert answers == [401] * 4
