"""A tagged device declared again through the API once its first return is processed:
the same answers give that return (200, never 201: no new return), and other answers a
409 whose message and details fit it: an agent received it, so it can no longer be
withdrawn (its withdrawal would be a 409 `not_withdrawable`), unlike a return still
waiting for the device, whose 409 gives where to withdraw it."""

from app.extensions import db
from app.recycling import services
from tests.conftest import csrf_token, login
from tests.recycling.conftest import NOW


def _post(client, point, **overrides):
    body = {"collection_point_id": point.id, "device_type": "laptop", "condition": "working",
            "wipe_requested": True, "asset_tag": "BM-PC-9"}  # fmt: skip
    body.update(overrides)
    headers = {"X-CSRFToken": csrf_token(client)}
    return client.post("/api/v1/device-returns", json=body, headers=headers)


def _received(rec, user, point):
    device_return = rec.device_return(user, point, asset_tag="BM-PC-9")
    services.confirm_receipt(device_return, rec.agent(point), NOW)
    db.session.commit()
    return device_return


def test_other_answers_for_a_received_device_do_not_advise_withdrawing(client, make, rec):
    point, user = rec.point(), make.user(locale="en")
    first = _received(rec, user, point)
    login(client, user)
    answer = _post(client, point, condition="broken")
    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "asset_tag_declared"
    assert "withdraw that declaration before" not in error["message"]
    assert "can no longer be withdrawn" in error["message"]
    assert error["details"] == {
        "receipt_number": first.receipt_number,
        "url": f"/api/v1/device-returns/{first.receipt_number}",
        "status": "received",
        "withdrawable": False,
    }


def test_other_answers_for_a_waiting_device_give_where_to_withdraw_it(client, make, rec):
    point, user = rec.point(), make.user(locale="en")
    first = rec.device_return(user, point, asset_tag="BM-PC-9")
    login(client, user)
    details = _post(client, point, condition="broken").get_json()["error"]["details"]
    assert (details["status"], details["withdrawable"]) == ("declared", True)
    assert details["withdraw_url"] == f"/api/v1/device-returns/{first.receipt_number}/withdraw"


def test_the_same_answers_for_a_received_device_give_it_back_as_a_200(client, make, rec):
    point, user = rec.point(), make.user()
    first = _received(rec, user, point)
    login(client, user)
    answer = _post(client, point)
    assert answer.status_code == 200
    assert (answer.get_json()["receipt_number"], answer.get_json()["status"]) == (
        first.receipt_number,
        "received",
    )
