"""Messaging API: my inbox and a dispatch's counts."""

from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery
from tests.conftest import csrf_token, login


def _deliver(template):
    now = utcnow()
    dispatch = services.create_dispatch(template, "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    return dispatch


def test_my_messages_newest_first_with_unread_count(client, make, template):
    user = make.user()
    _deliver(template("first", subject_fr="Premier"))
    _deliver(template("second", subject_fr="Second"))
    login(client, user)
    body = client.get("/api/v1/me/messages").get_json()
    assert [m["subject"] for m in body["messages"]] == ["Second", "Premier"]
    assert body["unread"] == 2


def test_dispatch_counts_for_organisers(client, make, template):
    make.user(email_opt_in=False)
    dispatch = _deliver(template())
    login(client, make.user(roles=("organiser",)))
    body = client.get(f"/api/v1/dispatches/{dispatch.id}").get_json()
    assert body["counts"]["skipped"] == body["recipients"] == 2


def test_dispatch_counts_are_refused_to_employees(client, make, template):
    dispatch = _deliver(template())
    login(client, make.user())
    assert client.get(f"/api/v1/dispatches/{dispatch.id}").status_code == 403


def test_unknown_dispatch_is_404(client, make):
    login(client, make.user(roles=("admin",)))
    assert client.get("/api/v1/dispatches/999").get_json()["error"]["code"] == "not_found"


def test_openapi_documents_the_messaging_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/me/messages" in paths and "/api/v1/dispatches/{dispatch_id}" in paths


def test_i_delete_my_message_through_the_api_and_nobody_elses(client, make, template):
    me, colleague = make.user(), make.user()
    _deliver(template("first", subject_fr="Premier"))
    _deliver(template("second", subject_fr="Second"))
    login(client, me)
    token = {"X-CSRFToken": csrf_token(client)}  # a cookie session writes with its token
    newest, oldest = client.get("/api/v1/me/messages").get_json()["messages"]
    answer = client.delete(f"/api/v1/me/messages/{oldest['id']}", headers=token)
    assert answer.status_code == 204 and answer.get_data() == b""
    body = client.get("/api/v1/me/messages").get_json()
    assert [m["subject"] for m in body["messages"]] == ["Second"] and body["unread"] == 1
    again = client.delete(f"/api/v1/me/messages/{oldest['id']}", headers=token)
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"
    theirs = db.session.scalar(
        select(Delivery.id).where(Delivery.user_id == colleague.id, Delivery.channel == "inbox")
    )
    assert client.delete(f"/api/v1/me/messages/{theirs}", headers=token).status_code == 404
    assert client.delete(f"/api/v1/me/messages/{newest['id']}").status_code == 400  # no token


def test_i_mark_my_message_read_through_the_api_and_nobody_elses(client, make, template):
    me, colleague = make.user(), make.user()
    _deliver(template())
    login(client, me)
    token = {"X-CSRFToken": csrf_token(client)}
    [message] = client.get("/api/v1/me/messages").get_json()["messages"]
    answer = client.post(f"/api/v1/me/messages/{message['id']}/read", headers=token)
    assert answer.status_code == 200 and answer.get_json()["read"] is True
    assert client.get("/api/v1/me/messages").get_json()["unread"] == 0
    again = client.post(f"/api/v1/me/messages/{message['id']}/read", headers=token)
    assert again.status_code == 200  # already read: nothing changes
    theirs = db.session.scalar(
        select(Delivery).where(Delivery.user_id == colleague.id, Delivery.channel == "inbox")
    )
    refused = client.post(f"/api/v1/me/messages/{theirs.id}/read", headers=token)
    assert refused.status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None
