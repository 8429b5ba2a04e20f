"""API writes take JSON only (`application/json` or `application/*+json`): a form-encoded
body, or JSON labelled `text/plain`, is a 415 naming the type to send, not a write
from form fields nor a misleading "field required". A write without a body needs no
content type."""

import json

import pytest
from sqlalchemy import func, select

from app.auth import services as auth_services
from app.extensions import db
from app.recycling.models import DeviceReturn
from tests.conftest import csrf_token, login


def _bearer(user) -> dict:
    _token, raw = auth_services.create_api_token(user, "script", "read_write")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _body(point) -> dict:
    return {"collection_point_id": point.id, "device_type": "laptop", "condition": "working",
            "wipe_requested": True}  # fmt: skip


def _returns() -> int:
    return db.session.scalar(select(func.count(DeviceReturn.id)))


def test_a_form_encoded_write_is_a_415_in_the_callers_language(client, make, rec):
    point = rec.point()
    answer = client.post(
        "/api/v1/device-returns", data=_body(point), headers=_bearer(make.user(locale="fr"))
    )
    assert answer.status_code == 415
    assert answer.get_json() == {
        "error": {
            "code": "unsupported_media_type",
            "message": "Le corps de la requête doit être en JSON, envoyé avec le type de "
            "contenu (Content-Type) application/json.",
        }
    }
    assert answer.headers["Accept"] == "application/json"
    assert _returns() == 0


def test_json_sent_as_plain_text_is_a_415_not_a_missing_field(client, make, rec):
    point = rec.point()
    answer = client.post(
        "/api/v1/device-returns",
        data=json.dumps(_body(point)),
        content_type="text/plain",
        headers=_bearer(make.user(locale="en")),
    )
    assert answer.status_code == 415
    assert "application/json" in answer.get_json()["error"]["message"]
    assert _returns() == 0


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "application/vnd.empreinte+json", "APPLICATION/JSON"],
)
def test_json_media_types_with_a_charset_or_a_suffix_are_taken(client, make, rec, content_type):
    point = rec.point()
    answer = client.post(
        "/api/v1/device-returns",
        data=json.dumps(_body(point)),
        content_type=content_type,
        headers=_bearer(make.user()),
    )
    assert answer.status_code == 201


def test_a_write_without_a_body_needs_no_content_type(client, make, rec):
    user, point = make.user(), rec.point()
    declared = rec.device_return(user, point)
    answer = client.post(
        f"/api/v1/device-returns/{declared.receipt_number}/withdraw", headers=_bearer(user)
    )
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "withdrawn"


def test_a_form_holding_only_the_sessions_csrf_token_is_no_body(client, make, rec):
    """What a page of the portal sends to such a write: the token, and nothing else."""
    user, point = make.user(), rec.point()
    declared = rec.device_return(user, point)
    login(client, user)
    answer = client.post(
        f"/api/v1/device-returns/{declared.receipt_number}/withdraw",
        data={"csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 200


def test_a_body_on_a_write_that_takes_none_must_still_be_json(client, make, rec):
    user, point = make.user(), rec.point()
    declared = rec.device_return(user, point)
    answer = client.post(
        f"/api/v1/device-returns/{declared.receipt_number}/withdraw",
        data={"reason": "x"},
        headers=_bearer(user),
    )
    assert answer.status_code == 415
    db.session.refresh(declared)
    assert declared.status == "declared"


def test_the_openapi_document_lists_the_415_on_every_write(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "UnsupportedMediaType" in spec["components"]["responses"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch"):
                assert "415" in operation["responses"], (method, path)


def test_a_caller_signed_in_nowhere_is_told_to_sign_in_first(client, rec):
    answer = client.post("/api/v1/device-returns", data=_body(rec.point()))
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthorized"
