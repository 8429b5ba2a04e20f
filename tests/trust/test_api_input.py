"""Regressions found by fuzzing the API: each is refused with a JSON 4xx, nothing changed."""

import pytest
from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.recycling.models import DeviceReturn
from tests.trust.world import build_world


@pytest.fixture
def world(make):
    return build_world(make, utcnow())


def _returns() -> int:
    return db.session.scalar(select(func.count()).select_from(DeviceReturn))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/campaigns/4672371263899431015022592/leaderboard",
        "/api/v1/campaigns/2147483648",
        "/api/v1/catalogue/items/99999999999999999999",
        "/api/v1/dispatches/9223372036854775808",
    ],
)
def test_an_id_no_column_can_hold_is_a_json_404(client, make, token_for, url):
    response = client.get(url, headers={"Authorization": f"Bearer {token_for(make.user())}"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("[null, null]", 422),
        ('{"device_type": ["laptop"]}', 422),
        ('{"device_type": {"a": 1}}', 422),
        ("{not json", 400),
    ],
)
def test_a_body_that_is_not_a_flat_json_object_is_refused(client, world, token_for, body, status):
    response = client.post(
        "/api/v1/device-returns",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(world.admin)}"},
    )
    assert response.status_code == status
    assert set(response.get_json()["error"]) >= {"code", "message"}
    assert _returns() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"wipe_requested": None},  # WTForms would read a null checkbox as ticked
        {"data_wiped": "yes"},
        {"collection_point_id": 1.5},
        {"collection_point_id": True},
        {"collection_point_id": 2**40},
        {"device_type": 3},
    ],
)
def test_a_return_field_of_the_wrong_type_is_refused(client, world, token_for, changes):
    body = {"collection_point_id": world.point.id, "device_type": "laptop", "condition": "working"}
    body.update(changes)
    response = client.post(
        "/api/v1/device-returns",
        json=body,
        headers={"Authorization": f"Bearer {token_for(world.admin)}"},
    )
    assert response.status_code == 422
    assert _returns() == 0


@pytest.mark.parametrize("quantity", ["2", True, None])
def test_an_action_quantity_must_be_a_json_number(client, world, token_for, quantity):
    response = client.post(
        f"/api/v1/campaigns/{world.campaign.id}/actions",
        json={"action_type": "delete-mail", "quantity": quantity},
        headers={"Authorization": f"Bearer {token_for(world.admin)}"},
    )
    assert response.status_code == 422


def test_every_operation_documents_the_rate_limit_and_its_json_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "429" in responses and "401" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "422"} <= set(responses), (method, path)
