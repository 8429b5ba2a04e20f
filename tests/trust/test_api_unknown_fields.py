"""Every API write takes the fields its operation documents, each once: a field it does not
know (a backdating `day`, another person's `user_id`, its own `points`) or one given twice
is a 422 naming it, in the caller's language, nothing written. A body that is not a JSON
object, not labelled JSON or too large is a 4xx on every write, never a 500."""

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app.api.spec import build_openapi
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Delivery
from app.recycling import services as recycling_services
from app.recycling.models import DeviceReturn
from tests.trust.world import build_world, send_message

WRITES = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Scene:
    world: object
    person: object
    device_return: object
    message: object
    headers: dict

    def writes(self) -> dict[str, tuple[str, str]]:
        """Each API write, by name: its method and an address that exists for the person."""
        return {
            "log_action": ("POST", f"/api/v1/campaigns/{self.world.campaign.id}/actions"),
            "declare_return": ("POST", "/api/v1/device-returns"),
            "withdraw_return": (
                "POST",
                f"/api/v1/device-returns/{self.device_return.receipt_number}/withdraw",
            ),
            "read_message": ("POST", f"/api/v1/me/messages/{self.message.id}/read"),
            "delete_message": ("DELETE", f"/api/v1/me/messages/{self.message.id}"),
        }


@pytest.fixture
def scene(make, token_for):
    world = build_world(make, utcnow())
    person = make.user(locale="en")
    device_return, _created = recycling_services.register_device_return(
        person, world.point, "laptop", "working", world.now, asset_tag="BM-UF-1",
        wipe_requested=True,
    )  # fmt: skip
    db.session.commit()
    send_message(world)
    message = db.session.scalar(
        select(Delivery).where(Delivery.user_id == person.id, Delivery.channel == "inbox")
    )
    headers = {"Authorization": f"Bearer {token_for(person)}"}
    return Scene(world, person, device_return, message, headers)


def _state(scene) -> tuple:
    """Everything an API write could change."""
    db.session.expire_all()
    actions = db.session.scalar(select(func.count()).select_from(CleanupAction))
    returns = db.session.scalar(select(func.count()).select_from(DeviceReturn))
    device_return = db.session.get(DeviceReturn, scene.device_return.id)
    message = db.session.get(Delivery, scene.message.id)
    return actions, returns, device_return.status, message.read_at, message.deleted_at


def _action(**extra) -> dict:
    return {"action_type": "delete-mail", "quantity": 2} | extra


@pytest.mark.parametrize(
    "extra",
    [{"day": "2026-02-30"}, {"logged_at": "1970-01-01"}, {"user_id": 4}, {"points": 100000}],
)
def test_an_action_with_a_field_the_api_does_not_know_is_refused_naming_it(client, scene, extra):
    before = _state(scene)
    response = client.post(
        f"/api/v1/campaigns/{scene.world.campaign.id}/actions",
        json=_action(**extra),
        headers=scene.headers,
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    (name,) = extra
    assert error["code"] == "unknown_fields"
    assert error["message"] == (
        f"This operation does not accept this field: {name}. It accepts: action_type, quantity."
    )
    assert list(error["details"]) == [name]
    assert _state(scene) == before


def test_unknown_fields_are_named_in_the_callers_language(client, make, scene, token_for):
    person = make.user(locale="fr")
    response = client.post(
        f"/api/v1/campaigns/{scene.world.campaign.id}/actions",
        json=_action(day="2026-02-30", user_id=4),
        headers={"Authorization": f"Bearer {token_for(person)}"},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == (
        "Cette opération n'accepte pas ces champs\u00a0: day, user_id. "
        "Elle accepte\u00a0: action_type, quantity."
    )
    assert error["details"] == {
        "day": ["Champ inconnu\u00a0: cette opération ne le prend pas."],
        "user_id": ["Champ inconnu\u00a0: cette opération ne le prend pas."],
    }


def test_an_action_with_a_repeated_key_is_refused_naming_it(client, scene):
    before = _state(scene)
    body = '{"action_type": "delete-mail", "quantity": 1, "quantity": 100000}'
    response = client.post(
        f"/api/v1/campaigns/{scene.world.campaign.id}/actions",
        data=body,
        content_type="application/json",
        headers=scene.headers,
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "duplicate_fields",
        "message": "The request body gives this field more than once: quantity. Give it once.",
        "details": {"quantity": ["This field is given more than once."]},
    }
    assert _state(scene) == before


def test_a_device_return_with_an_unknown_or_repeated_field_is_refused(client, scene):
    body = {"collection_point_id": scene.world.point.id, "device_type": "monitor",
            "condition": "working"}  # fmt: skip
    before = _state(scene)
    unknown = client.post(
        "/api/v1/device-returns", json=body | {"user_id": 4}, headers=scene.headers
    )
    repeated = client.post(
        "/api/v1/device-returns",
        data=json.dumps(body)[:-1] + ', "condition": "broken"}',
        content_type="application/json",
        headers=scene.headers,
    )
    assert (unknown.status_code, repeated.status_code) == (422, 422)
    assert unknown.get_json()["error"]["details"] == {
        "user_id": ["Unknown field: this operation does not take it."]
    }
    assert repeated.get_json()["error"]["details"] == {
        "condition": ["This field is given more than once."]
    }
    assert _state(scene) == before


def test_the_known_fields_alone_are_still_logged(client, scene):
    response = client.post(
        f"/api/v1/campaigns/{scene.world.campaign.id}/actions",
        json=_action(),
        headers=scene.headers,
    )
    assert response.status_code == 201


@pytest.mark.parametrize("name", ["withdraw_return", "read_message", "delete_message"])
def test_a_write_taking_no_field_refuses_one_sent(client, scene, name):
    method, url = scene.writes()[name]
    before = _state(scene)
    response = client.open(url, method=method, json={"force": True}, headers=scene.headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "unknown_fields"
    assert error["message"] == (
        "This operation does not accept this field: force. It takes no fields."
    )
    assert _state(scene) == before


@pytest.mark.parametrize("name", ["withdraw_return", "read_message", "delete_message"])
def test_a_write_taking_no_field_still_takes_an_empty_object(client, scene, name):
    method, url = scene.writes()[name]
    response = client.open(url, method=method, json={}, headers=scene.headers)
    assert response.status_code in (200, 204)


NOT_OBJECTS = ["[]", '["quantity", 2]', '"delete-mail"', "null", "2", "true"]


@pytest.mark.parametrize(
    "name", ["log_action", "declare_return", "withdraw_return", "read_message", "delete_message"]
)
def test_every_write_answers_a_bad_body_with_a_json_4xx_nothing_changed(client, app, scene, name):
    method, url = scene.writes()[name]
    before = _state(scene)
    too_large = '{"a": "%s"}' % ("x" * app.config["MAX_CONTENT_LENGTH"])
    sent = [(body, "application/json") for body in NOT_OBJECTS]
    sent += [('{"a": 1}', "text/plain"), (too_large, "application/json")]
    answers = [
        client.open(url, method=method, data=body, content_type=kind, headers=scene.headers)
        for body, kind in sent
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [422] * len(NOT_OBJECTS) + [415, 413]
    assert all(answer.get_json()["error"]["message"] for answer in answers)
    assert _state(scene) == before


def _api_writes(app) -> list[tuple[str, str]]:
    return sorted(
        (rule.rule, method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods & set(WRITES)
    )


def test_the_scene_covers_every_write_of_the_api(app, scene):
    covered = {(method.lower(), url) for method, url in scene.writes().values()}
    assert len(_api_writes(app)) == len(covered)


def test_the_openapi_document_lists_the_accepted_fields_of_every_write(app):
    document = build_openapi()
    schemas = document["components"]["schemas"]
    for rule, method in _api_writes(app):
        path = rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        operation = document["paths"][path][method]
        assert "422" in operation["responses"]
        body = operation.get("requestBody")
        if body is None:
            continue
        schema = body["content"]["application/json"]["schema"]
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        assert schema["additionalProperties"] is False, (rule, method)
    action = document["paths"]["/api/v1/campaigns/{campaign_id}/actions"]["post"]
    schema = action["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"action_type", "quantity"}
