"""The campaigns API contracts."""

from datetime import UTC, datetime, timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login


def running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


def test_list_and_detail(client, make, make_campaign):
    campaign = running(make_campaign)
    login(client, make.user())
    body = client.get("/api/v1/campaigns").get_json()
    item = body["campaigns"][0]
    assert item["state"] == "running"
    assert {"key", "unit", "target", "achieved"} <= set(item["goals"][0])
    detail = client.get(f"/api/v1/campaigns/{campaign.id}").get_json()
    assert detail["rank"] is None and detail["action_types"][0]["daily_cap"] > 0


def test_post_action_201_then_409_after_the_end(client, make, make_campaign):
    campaign = running(make_campaign)
    login(client, make.user())
    headers = {"X-CSRFToken": csrf_token(client)}
    url = f"/api/v1/campaigns/{campaign.id}/actions"
    response = client.post(url, json={"action_type": "delete-mail", "quantity": 2}, headers=headers)
    assert response.status_code == 201 and response.get_json()["points"] == 20
    assert response.get_json()["rank"] == 1
    bad = client.post(url, json={"action_type": "delete-mail", "quantity": "x"}, headers=headers)
    assert bad.status_code == 422
    campaign.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    late = client.post(url, json={"action_type": "delete-mail", "quantity": 1}, headers=headers)
    assert late.status_code == 409 and late.get_json()["error"]["message"]


def test_leaderboard_has_no_emails(client, make, make_campaign):
    campaign = running(make_campaign)
    services.log_action(make.user(), campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, make.user())
    body = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard").get_json()
    assert body["total"] == 1 and body["page"] == 1 and "@" not in str(body)
    teams = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard?scope=communes").get_json()
    assert teams["entries"][0]["points_per_head"] == 10
    assert client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard?scope=x").status_code == 422


def test_openapi_documents_campaigns(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/campaigns/{campaign_id}/actions" in paths


def test_campaign_dates_are_written_with_the_paris_offset_as_open_data_writes_them(
    client, make, make_campaign
):
    """The API wrote "2026-12-18T17:00:00+00:00" where the open data and the pages say
    18:00 in Paris: the same instants, now with the offset of Paris, winter and summer."""
    campaign = make_campaign(
        starts_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),  # 09:00 in Paris (winter)
        ends_at=datetime(2026, 4, 3, 16, 0, tzinfo=UTC),  # 18:00 in Paris (summer time)
    )
    login(client, make.user())
    listed = client.get("/api/v1/campaigns").get_json()["campaigns"][0]
    detail = client.get(f"/api/v1/campaigns/{campaign.id}").get_json()
    for body in (listed, detail):
        assert body["starts_at"] == "2026-03-02T09:00:00+01:00"
        assert body["ends_at"] == "2026-04-03T18:00:00+02:00"
        assert datetime.fromisoformat(body["ends_at"]) == campaign.ends_at  # the same instant
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "Europe/Paris" in schema["CleanupCampaign"]["properties"]["starts_at"]["description"]


def test_team_rankings_give_each_team_the_code_the_open_data_keys_it_by(
    client, make, make_campaign
):
    """Integrators joined the API's rankings to the open data on translated names: each
    team now carries its department code or its commune's INSEE code."""
    campaign = running(make_campaign)
    commune = make.commune(insee_code="33522", name="Talence")
    department = make.department(code="DSI", commune=commune)
    services.log_action(make.user(department=department), campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, make.user())
    url = f"/api/v1/campaigns/{campaign.id}/leaderboard?scope="
    departments = client.get(url + "departments").get_json()["entries"]
    communes = client.get(url + "communes").get_json()["entries"]
    assert [(t["code"], t["name"]) for t in departments] == [("DSI", department.name_fr)]
    assert [(t["code"], t["name"]) for t in communes] == [("33522", "Talence")]
