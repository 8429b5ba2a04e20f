"""The API's rate limit counts each token's person on their own: one script calling
hard from an intranet server (every call from the same address) leaves the others who
call from there untouched. A token that is not valid is still counted by address, so
guessing stays limited."""

from datetime import timedelta

from app.auth import services as auth_services
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import build_campaign


def _bearer(user, scope="read") -> dict:
    _token, secret = auth_services.create_api_token(user, "script", scope)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_one_person_over_the_limit_leaves_another_from_the_same_address_alone(make_app, make):
    limited = make_app(API_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    busy, other = _bearer(make.user()), _bearer(make.user())
    answers = [client.get("/api/v1/me", headers=busy).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get("/api/v1/me", headers=other).status_code == 200


def test_tokens_that_are_not_valid_are_limited_by_address(make_app, make):
    limited = make_app(API_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    wrong = {"Authorization": "Bearer not-a-token"}
    answers = [client.get("/api/v1/me", headers=wrong).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]
    assert client.get("/api/v1/me", headers=_bearer(make.user())).status_code == 200


def test_a_read_only_token_is_still_refused_a_write(client, make):
    headers = _bearer(make.user())
    answer = client.post("/api/v1/device-returns", json={}, headers=headers)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "read_only_token"


def test_a_quantity_of_zero_is_told_as_zero_not_as_missing(client, make):
    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5)
    )
    headers = _bearer(make.user(), "read_write")
    answer = client.post(
        f"/api/v1/campaigns/{campaign.id}/actions",
        json={"action_type": "delete-mail", "quantity": 0},
        headers=headers,
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "invalid_quantity"
    missing = client.post(
        f"/api/v1/campaigns/{campaign.id}/actions",
        json={"action_type": "delete-mail"},
        headers=headers,
    )
    assert missing.get_json()["error"]["details"]["quantity"] == ["Ce champ est obligatoire."]
