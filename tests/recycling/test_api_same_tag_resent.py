"""A tagged return declared again through the API: the same resend gives the first
return back (200); a resend that differs (condition, device type) is a 409 naming the
first return, never a silent 200 that drops what was sent."""

from sqlalchemy import func, select

from app.extensions import db
from app.recycling.models import DeviceReturn
from tests.conftest import csrf_token, login


def _post(client, point, **overrides):
    body = {"collection_point_id": point.id, "device_type": "laptop", "condition": "working",
            "wipe_requested": True, "asset_tag": "BM-PC-7"}  # fmt: skip
    body.update(overrides)
    headers = {"X-CSRFToken": csrf_token(client)}
    return client.post("/api/v1/device-returns", json=body, headers=headers)


def _returns() -> int:
    return db.session.scalar(select(func.count(DeviceReturn.id)))


def test_the_same_resend_still_gives_the_first_return(client, make, rec):
    point = rec.point()
    login(client, make.user())
    first = _post(client, point)
    again = _post(client, point, asset_tag="bm pc 7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["receipt_number"] == first.get_json()["receipt_number"]


def test_another_condition_is_a_409_naming_the_first_return(client, make, rec):
    point = rec.point()
    login(client, make.user(locale="fr"))
    first = _post(client, point).get_json()["receipt_number"]
    answer = _post(client, point, condition="broken")
    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "asset_tag_declared"
    assert error["message"].startswith("Un dépôt portant ce numéro d'inventaire est déjà déclaré")
    assert first in error["message"]
    assert error["details"] == {
        "receipt_number": first,
        "url": f"/api/v1/device-returns/{first}",
        "status": "declared",
        "withdrawable": True,
        "withdraw_url": f"/api/v1/device-returns/{first}/withdraw",
    }
    assert _returns() == 1


def test_another_device_type_is_a_409_saying_what_the_web_form_says(client, make, rec):
    point = rec.point()
    login(client, make.user(locale="en"))
    first = _post(client, point).get_json()["receipt_number"]
    answer = _post(client, point, device_type="tablet")
    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "asset_tag_declared"
    assert error["message"] == (
        "You already declared this asset tag for another type of device, “Laptop” "
        f"(receipt {first}): check the tag."
    )
    assert error["details"]["receipt_number"] == first
    assert _returns() == 1


def test_other_wipe_answers_are_a_409_and_the_first_return_stays_as_it_was(client, make, rec):
    point = rec.point()
    login(client, make.user())
    first = _post(client, point).get_json()["receipt_number"]
    answer = _post(client, point, wipe_requested=False, data_wiped=True)
    assert answer.status_code == 409
    kept = client.get(f"/api/v1/device-returns/{first}").get_json()
    assert (kept["data_wiped"], kept["wipe_requested"]) == (False, True)


def test_a_type_without_data_sent_again_with_other_wipe_answers_is_the_same(client, make, rec):
    """The service keeps no wipe answer for a device that holds no data: none differs."""
    point = rec.point()
    login(client, make.user())
    first = _post(client, point, device_type="monitor", wipe_requested=False)
    again = _post(client, point, device_type="monitor", wipe_requested=True)
    assert (first.status_code, again.status_code) == (201, 200)
