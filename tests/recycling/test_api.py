"""The JSON API: points, idempotent returns per asset tag, custody visibility."""

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.recycling.models import DeviceReturn
from tests.conftest import login


def _post(client, point, **overrides):
    body = {"collection_point_id": point.id, "device_type": "laptop", "condition": "working",
            "wipe_requested": True}  # fmt: skip
    body.update(overrides)
    return client.post("/api/v1/device-returns", json=body, headers=_bearer(client))


def _bearer(client):
    # Cookie sessions must carry the CSRF token on writes; the test sends it as a header.
    from tests.conftest import csrf_token

    return {"X-CSRFToken": csrf_token(client)}


def test_collection_points_lists_active_points_with_open_now(client, make, rec):
    point = rec.point(name="Cité municipale")
    rec.point(name="Closed one", active=False)
    login(client, make.user())
    body = client.get("/api/v1/collection-points").get_json()
    assert [p["name"] for p in body["collection_points"]] == ["Cité municipale"]
    entry = body["collection_points"][0]
    assert set(entry) == {"id", "name", "commune", "insee_code", "latitude", "longitude",
                          "address", "opening_hours", "open_now", "accepted_device_types"}  # fmt: skip
    assert entry["id"] == point.id and isinstance(entry["open_now"], bool)


def test_declaring_twice_the_same_tag_gives_201_then_200_with_the_same_receipt(client, make, rec):
    point = rec.point()
    login(client, make.user())
    first = _post(client, point, asset_tag="BM-PC-1")
    again = _post(client, point, asset_tag="bm pc 1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["receipt_number"] == again.get_json()["receipt_number"]
    assert first.get_json()["status"] == "declared"


def test_the_same_tag_by_someone_else_is_a_409(app, client, make, rec):
    point = rec.point()
    login(client, make.user())
    assert _post(client, point, asset_tag="BM-PC-1").status_code == 201
    other = app.test_client()
    login(other, make.user())
    response = _post(other, point, asset_tag="BM-PC-1")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "asset_tag_taken"


def test_concurrent_api_submissions_store_one_return(app, make, rec):
    point_id = rec.point().id
    clients = []
    for _ in range(2):
        c = app.test_client()
        login(c, make.user())
        clients.append((c, _bearer(c)))
    barrier, statuses = threading.Barrier(2), []

    def submit(c, headers):
        barrier.wait()
        body = {"collection_point_id": point_id, "device_type": "laptop", "condition": "working",
                "wipe_requested": True, "asset_tag": "RACE-API"}  # fmt: skip
        with app.app_context():  # the client expires its session after each request
            response = c.post("/api/v1/device-returns", json=body, headers=headers)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) == [201, 409]
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 1


def test_the_api_keeps_its_two_wipe_booleans(client, make, rec):
    point = rec.point()
    login(client, make.user())
    wiped = _post(client, point, device_type="smartphone", data_wiped=True, wipe_requested=False)
    asked = _post(client, point, device_type="tablet")
    assert (wiped.status_code, asked.status_code) == (201, 201)
    assert (wiped.get_json()["data_wiped"], wiped.get_json()["wipe_requested"]) == (True, False)
    assert (asked.get_json()["data_wiped"], asked.get_json()["wipe_requested"]) == (False, True)


def test_refusals_are_422_in_the_callers_language_and_store_nothing(client, make, rec):
    point = rec.point(accepted_types="laptop,smartphone")
    login(client, make.user(locale="fr"))
    printer = _post(client, point, device_type="printer")
    no_wipe = _post(client, point, device_type="smartphone", wipe_requested=False)
    assert printer.status_code == 422 and no_wipe.status_code == 422
    assert "n'accepte pas" in printer.get_json()["error"]["message"]
    assert "data_wiped" in no_wipe.get_json()["error"]["details"]
    assert _post(client, point, condition="melted").status_code == 422
    both = _post(client, point, data_wiped=True, wipe_requested=True)
    assert both.status_code == 422 and "une seule réponse" in both.get_json()["error"]["message"]
    assert "data_wiped" in both.get_json()["error"]["details"]
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 0


def test_a_return_is_visible_to_its_owner_its_agents_and_admins_only(app, client, make, rec):
    point, other_point = rec.point(), rec.point()
    owner = make.user()
    receipt = rec.device_return(owner, point).receipt_number
    allowed = [owner, rec.agent(point), make.user(roles=("admin",))]
    refused = [make.user(), rec.agent(other_point)]
    for user, expected in [(u, 200) for u in allowed] + [(u, 404) for u in refused]:
        c = app.test_client()
        login(c, user)
        response = c.get(f"/api/v1/device-returns/{receipt}")
        assert response.status_code == expected, user
    c = app.test_client()
    login(c, owner)
    assert c.get(f"/api/v1/device-returns/{receipt}").get_json()["custody"][0]["step"] == "declared"


def test_the_openapi_document_describes_the_recycling_endpoints(client, make):
    login(client, make.user())
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/collection-points", "/api/v1/device-returns",
            "/api/v1/device-returns/{receipt_number}"} <= set(paths)  # fmt: skip


def test_the_owner_withdraws_a_declaration_until_an_agent_receives_it(app, client, make, rec):
    point = rec.point()
    owner = make.user(locale="en")
    login(client, owner)
    first = _post(client, point, asset_tag="BM-PC-5").get_json()["receipt_number"]
    second = _post(client, point, device_type="monitor").get_json()["receipt_number"]
    agent = rec.agent(point)
    for user in (agent, make.user(), make.user(roles=("admin",))):  # they see it, or not
        c = app.test_client()
        login(c, user)
        response = c.post(f"/api/v1/device-returns/{first}/withdraw", headers=_bearer(c))
        assert response.status_code == 404, user

    response = client.post(f"/api/v1/device-returns/{first}/withdraw", headers=_bearer(client))
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "withdrawn"
    assert [step["step"] for step in body["custody"]] == ["declared", "withdrawn"]
    again = client.post(f"/api/v1/device-returns/{first}/withdraw", headers=_bearer(client))
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "You have already withdrawn this declaration."
    assert _post(client, point, asset_tag="BM-PC-5").status_code == 201  # the tag is free

    agent_client = app.test_client()
    login(agent_client, agent)
    from tests.conftest import csrf_token

    agent_client.post(
        f"/recycling/agent/returns/{second}/receive",
        data={"csrf_token": csrf_token(agent_client)},
    )
    received = client.post(f"/api/v1/device-returns/{second}/withdraw", headers=_bearer(client))
    assert received.status_code == 409
    assert db.session.scalar(select(DeviceReturn.status).where(
        DeviceReturn.receipt_number == second)) == "received"  # fmt: skip
