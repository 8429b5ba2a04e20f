"""A script holding an organiser's personal token harvests a closed campaign's open data
through the API: the web's `open-data.json` only answered a browser's session (a token
was sent to the sign-in page). The same document, the same rule: organisers and admins,
closed campaigns only; errors in JSON."""

import json
from datetime import timedelta

from app.auth import services as auth_services
from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _token(user, scope="read") -> dict:
    _row, raw = auth_services.create_api_token(user, "open data harvest", scope)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _closed_campaign(make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    services.log_action(make.user(), campaign, "delete-mail", 1, now)
    campaign.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    return campaign


def test_an_organisers_token_reads_the_same_open_data_as_the_download(client, make, make_campaign):
    campaign = _closed_campaign(make, make_campaign)
    organiser = make.user(roles=("organiser",))
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/open-data", headers=_token(organiser))
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    login(client, organiser)
    download = client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json")
    assert answer.get_json() == json.loads(download.get_data(as_text=True))
    assert answer.get_json()["licence"] == "etalab-2.0"


def test_a_participants_token_is_refused_in_json(client, make, make_campaign):
    campaign = _closed_campaign(make, make_campaign)
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/open-data", headers=_token(make.user()))
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"


def test_without_a_token_the_script_is_told_to_send_one(client, make, make_campaign):
    campaign = _closed_campaign(make, make_campaign)
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/open-data")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthorized"


def test_a_running_campaign_has_no_open_data_yet(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1))
    organiser = make.user(roles=("organiser",), locale="fr")
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/open-data", headers=_token(organiser))
    assert answer.status_code == 404
    assert answer.get_json()["error"] == {
        "code": "not_closed",
        "message": "Les résultats sont publiés à la fin de la campagne.",
    }


def test_an_unknown_campaign_is_a_json_404(client, make):
    organiser = make.user(roles=("organiser",))
    answer = client.get("/api/v1/campaigns/999999/open-data", headers=_token(organiser))
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"


def test_the_document_describes_the_open_data_operation(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    operation = paths["/api/v1/campaigns/{campaign_id}/open-data"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404"}


def test_an_unknown_campaign_is_said_not_to_exist_in_french(client, make):
    """« Aucune campagne de ce type » read as "no campaign of this kind"."""
    login(client, make.user(locale="fr"))
    error = client.get("/api/v1/campaigns/999999").get_json()["error"]
    assert error == {"code": "not_found", "message": "Cette campagne n'existe pas."}
