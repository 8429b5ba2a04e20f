"""Messaging API: my inbox and a dispatch's counts."""

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from tests.conftest import login


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
