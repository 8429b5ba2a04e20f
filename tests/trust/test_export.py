"""Export: one JSON document with every section, from the profile page and the API."""

import json
from datetime import UTC, datetime

from app.core.privacy import EXPORT_SECTIONS
from tests.conftest import login
from tests.trust.world import add_activity, build_world, send_message

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_export_download_has_every_section_even_without_activity(client, make):
    user = make.user(display_name="Inès Roux")
    login(client, user)
    response = client.get("/auth/profile/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    assert set(EXPORT_SECTIONS) <= set(document)
    assert document["profile"]["email"] == user.email
    consents = document["consents"]
    assert (consents["email_opt_in"], consents["email_opt_in_changed_at"]) == (False, None)
    assert consents["history"] == []
    assert all(document[s] == [] for s in ("actions", "badges", "returns", "messages"))
    assert document["requests"] == {"requests": [], "useful_marks": []}


def test_export_has_real_data_from_every_domain(client, make):
    world = build_world(make, NOW)
    person, other = make.user(display_name="Inès Roux"), make.user()
    add_activity(world, person, "ines")
    add_activity(world, other, "other")
    send_message(world)
    login(client, person)
    document = client.get("/auth/profile/export").get_json(force=True)
    assert sorted((a["action_type"], a["quantity"]) for a in document["actions"]) == [
        ("delete-mail", 1.5),
        ("return-device", 1),  # each declared return, logged by the clean-up domain
        ("return-device", 1),
        ("unsubscribe", 3),
    ]
    assert [(b["campaign"], b["campaign_name"], b["badges"]) for b in document["badges"]] == [
        (world.campaign.id, "Nettoyage d'hiver", ["first-action", "device-returned"])
    ]
    returns = document["returns"]
    assert [r["asset_tag"] for r in returns] == ["BM-INES-0", "BM-INES-1"]  # stored in capitals
    assert [s["step"] for s in returns[0]["custody"]] == ["declared", "received", "wiped", "reused"]
    assert [s["step"] for s in returns[1]["custody"]] == ["declared"]
    delivered = [m["subject"] for m in document["messages"] if m["status"] == "delivered"]
    assert delivered == ["Bonjour Inès"]
    requests = document["requests"]["requests"]
    assert [(r["status"], r["comment"]) for r in requests] == [("approved", "For ines's team")]
    assert [(line["item"], line["quantity"]) for line in requests[0]["lines"]] == [
        ("LAPTOP-STD", 2)
    ]
    assert "BM-other-0" not in json.dumps(document)


def test_export_includes_registered_domain_data_of_this_person_only(client, make, fake_domain):
    user, other = make.user(), make.user()
    fake_domain.add(user, 3, note="mine")
    fake_domain.add(other, 7, note="not mine")
    login(client, user)
    document = client.get("/auth/profile/export").get_json(force=True)
    assert document["actions"] == [{"campaign": "c1", "quantity": 3, "note": "mine"}]


def test_api_export_with_bearer_token_returns_the_same_document(client, make, token_for):
    user = make.user()
    response = client.get(
        "/api/v1/me/export", headers={"Authorization": f"Bearer {token_for(user)}"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["profile"]["id"] == user.id
    assert [t["name"] for t in body["profile"]["api_tokens"]] == ["test"]


def test_api_export_needs_authentication(client):
    assert client.get("/api/v1/me/export").status_code == 401


def test_export_is_documented_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/me/export"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PersonalDataExport"
    }
    assert set(EXPORT_SECTIONS) <= set(
        spec["components"]["schemas"]["PersonalDataExport"]["required"]
    )


def test_profile_page_links_to_the_download(client, make):
    login(client, make.user())
    assert "/auth/profile/export" in client.get("/auth/profile").get_data(as_text=True)
