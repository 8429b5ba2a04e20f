"""A script holding an admin's or an agent's personal token harvests the recycling open
data through the API: the web's `statistics.json` only answered a browser's session. The
same document, the same rule: an admin's covers every point, an agent's their own points."""

from app.auth import services as auth_services
from app.extensions import db
from tests.conftest import login
from tests.recycling.conftest import NOW


def _token(user) -> dict:
    _row, raw = auth_services.create_api_token(user, "open data harvest")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_an_admins_token_reads_the_same_statistics_as_the_download(client, make, rec):
    point = rec.point()
    rec.device_return(make.user(), point, now=NOW)
    admin = make.user(roles=("admin",))
    answer = client.get("/api/v1/recycling/statistics", headers=_token(admin))
    assert answer.status_code == 200 and answer.get_json()["collection_points"] == "all"
    login(client, admin)
    assert answer.get_json() == client.get("/recycling/admin/statistics.json").get_json()
    assert [row["point_id"] for row in answer.get_json()["records"]] == [point.id]


def test_an_agents_token_reads_only_their_points(client, make, rec):
    theirs, other = rec.point(), rec.point()
    rec.device_return(make.user(), theirs, now=NOW)
    rec.device_return(make.user(), other, now=NOW)
    answer = client.get("/api/v1/recycling/statistics", headers=_token(rec.agent(theirs)))
    assert [row["point_id"] for row in answer.get_json()["records"]] == [theirs.id]


def test_an_employees_token_is_refused_in_json(client, make):
    answer = client.get("/api/v1/recycling/statistics", headers=_token(make.user()))
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"


def test_without_a_token_the_script_is_told_to_send_one(client):
    answer = client.get("/api/v1/recycling/statistics")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthorized"


def test_the_document_describes_the_statistics_operation(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    operation = paths["/api/v1/recycling/statistics"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RecyclingStatistics"
    }
