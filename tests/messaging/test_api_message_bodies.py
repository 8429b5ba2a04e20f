"""Writes that need no body (marking a message read, deleting it, withdrawing a return)
treat a body sent the same way as every other write: valid JSON of a flat object, else
the same 400, 415 or 422, nothing changed; the OpenAPI document lists those answers."""

from sqlalchemy import select

from app.auth import services as auth_services
from app.extensions import db
from app.messaging.models import Delivery
from tests.messaging.test_api import _deliver


def _bearer(user) -> dict:
    _token, secret = auth_services.create_api_token(user, "script", "read_write")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _message(template, user) -> Delivery:
    _deliver(template())
    inbox = select(Delivery).where(Delivery.user_id == user.id, Delivery.channel == "inbox")
    return db.session.scalars(inbox).one()


def test_a_list_sent_to_mark_a_message_read_is_a_422(client, make, template):
    user = make.user()
    message = _message(template, user)
    answer = client.post(f"/api/v1/me/messages/{message.id}/read", json=[], headers=_bearer(user))
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (422, "invalid_body")


def test_nan_sent_to_mark_a_message_read_is_refused_and_it_stays_unread(client, make, template):
    user = make.user()
    message = _message(template, user)
    answer = client.post(
        f"/api/v1/me/messages/{message.id}/read",
        data='{"a": NaN}',
        content_type="application/json",
        headers=_bearer(user) | {"Accept-Language": "en"},
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["details"] == {"a": ["This value must be a finite number."]}
    db.session.expire_all()
    assert db.session.get(Delivery, message.id).read_at is None


def test_a_delete_with_malformed_json_is_a_400_and_deletes_nothing(client, make, template):
    user = make.user()
    message = _message(template, user)
    headers = _bearer(user)
    answer = client.delete(
        f"/api/v1/me/messages/{message.id}",
        data="{",
        content_type="application/json",
        headers=headers,
    )
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (400, "invalid_json")
    assert client.get("/api/v1/me/messages", headers=headers).get_json()["total"] == 1


def test_a_delete_with_a_text_body_is_a_415_and_deletes_nothing(client, make, template):
    user = make.user()
    message = _message(template, user)
    headers = _bearer(user)
    answer = client.delete(
        f"/api/v1/me/messages/{message.id}",
        data="please",
        content_type="text/plain",
        headers=headers,
    )
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (
        415,
        "unsupported_media_type",
    )
    assert client.get("/api/v1/me/messages", headers=headers).get_json()["total"] == 1


def test_a_delete_without_a_body_answers_204_with_no_content_type(client, make, template):
    user = make.user()
    message = _message(template, user)
    answer = client.delete(f"/api/v1/me/messages/{message.id}", headers=_bearer(user))
    assert answer.status_code == 204
    assert "Content-Type" not in answer.headers


def test_the_document_lists_the_body_answers_of_every_write(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    writes = {
        (path, method): operation["responses"]
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete")
    }
    assert ("/api/v1/me/messages/{message_id}", "delete") in writes
    assert ("/api/v1/device-returns/{receipt_number}/withdraw", "post") in writes
    for (path, method), responses in writes.items():
        assert {"400", "403", "415", "422"} <= set(responses), (path, method)
