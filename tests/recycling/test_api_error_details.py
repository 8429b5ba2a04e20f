"""Errors of a return declared through the API: choices list their values, types are named."""

from app.extensions import db
from app.recycling.models import DeviceReturn
from tests.conftest import csrf_token, login


def _post(client, make, rec, **overrides):
    point = rec.point()
    login(client, make.user())
    body = {"collection_point_id": point.id, "device_type": "laptop", "condition": "working",
            "wipe_requested": True}  # fmt: skip
    body.update(overrides)
    headers = {"X-CSRFToken": csrf_token(client), "Accept-Language": "fr"}
    return client.post("/api/v1/device-returns", json=body, headers=headers)


def test_a_condition_outside_the_choices_lists_the_accepted_values(client, make, rec):
    response = _post(client, make, rec, condition="dead")
    details = response.get_json()["error"]["details"]
    assert response.status_code == 422 and list(details) == ["condition"]
    assert "working" in details["condition"][0] and "broken" in details["condition"][0]
    assert db.session.query(DeviceReturn).count() == 0


def test_a_device_type_outside_the_choices_lists_the_accepted_values(client, make, rec):
    details = _post(client, make, rec, device_type="toaster").get_json()["error"]["details"]
    assert "laptop" in details["device_type"][0]


def test_an_unknown_collection_point_names_its_field(client, make, rec):
    error = _post(client, make, rec, collection_point_id=999999).get_json()["error"]
    assert error["code"] == "invalid_input" and list(error["details"]) == ["collection_point_id"]


def test_a_wrong_json_type_says_the_type_expected(client, make, rec):
    response = _post(client, make, rec, data_wiped="yes", collection_point_id="3")
    assert response.get_json()["error"]["details"] == {
        "collection_point_id": ["Cette valeur doit être un nombre entier."],
        "data_wiped": ["Cette valeur doit être vrai ou faux."],
    }
