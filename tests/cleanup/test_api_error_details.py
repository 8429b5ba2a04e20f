"""Errors of an action logged through the API: each names its field, as invalid_input does."""

from datetime import timedelta

from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login

FR = {"Accept-Language": "fr"}


def _post(client, make, make_campaign, **body):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    login(client, make.user())
    headers = {"X-CSRFToken": csrf_token(client), **FR}
    url = f"/api/v1/campaigns/{campaign.id}/actions"
    return client.post(url, json=body, headers=headers), campaign


def test_a_quantity_refused_names_the_quantity_field(client, make, make_campaign):
    response, _ = _post(client, make, make_campaign, action_type="delete-mail", quantity=0)
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "invalid_quantity"
    assert error["details"] == {"quantity": [error["message"]]}


def test_a_daily_cap_reached_names_the_quantity_field(client, make, make_campaign):
    response, campaign = _post(client, make, make_campaign, action_type="delete-mail", quantity=20)
    while response.status_code == 201:  # the day's cap reached, entry after entry
        response = _again(client, campaign)
    error = response.get_json()["error"]
    assert error["code"] == "cap_reached" and list(error["details"]) == ["quantity"]


def _again(client, campaign):
    headers = {"X-CSRFToken": csrf_token(client), **FR}
    body = {"action_type": "delete-mail", "quantity": 1}
    return client.post(f"/api/v1/campaigns/{campaign.id}/actions", json=body, headers=headers)


def test_an_unknown_action_type_names_the_field_and_lists_the_keys(client, make, make_campaign):
    response, campaign = _post(client, make, make_campaign, action_type="nope", quantity=1)
    error = response.get_json()["error"]
    keys = [rule.action_type.key for rule in campaign.action_rules]
    assert response.status_code == 422 and error["code"] == "unknown_action"
    assert error["details"] == {"action_type": [error["message"]]}
    assert "delete-mail" in error["message"] and "return-device" not in error["message"]
    assert any(key in error["message"] for key in keys)


def test_an_action_type_only_agents_log_gets_the_same_code(client, make, make_campaign):
    response, _ = _post(client, make, make_campaign, action_type="return-device", quantity=1)
    error = response.get_json()["error"]
    assert error["code"] == "unknown_action" and "delete-mail" in error["message"]
    assert db.session.query(CleanupAction).count() == 0


def test_a_wrong_json_type_says_the_type_expected(client, make, make_campaign):
    response, _ = _post(client, make, make_campaign, action_type=3, quantity="2")
    details = response.get_json()["error"]["details"]
    assert details == {
        "action_type": ["Cette valeur doit être un texte."],
        "quantity": ["Cette valeur doit être un nombre."],
    }
