"""`data_wiped` only says what the owner declared (they wiped the device themselves before
handing it in): a return the agent wiped with a certificate kept `"data_wiped": false` and
nothing else, so a reader of the export or of the API took it for a device never wiped.
The export now says both answers in words, and both give the wipe's actual outcome from
the chain of custody (`wipe_status`, `wipe_certificate`), naming no agent."""

import json

import pytest

from app.core import privacy_services
from app.extensions import db
from app.recycling import services
from tests.conftest import login
from tests.recycling.conftest import NOW


@pytest.fixture
def returns(make, rec):
    """returns(locale) -> (owner, agent, {kind: return}): one wiped by the agent with
    certificate CERT-2U8D-JC8A, one whose certified wipe waits, one the owner wiped."""

    def build(locale="fr"):
        owner = make.user(locale=locale)
        point = rec.point()
        agent = rec.agent(point)
        wiped = rec.device_return(owner, point, asset_tag="W-1")
        waiting = rec.device_return(owner, point, asset_tag="W-2")
        by_owner = rec.device_return(
            owner, point, asset_tag="W-3", data_wiped=True, wipe_requested=False
        )
        services.confirm_receipt(wiped, agent, NOW)
        services.record_wipe(wiped, agent, "crypto_erase", NOW.date(), "CERT-2U8D-JC8A", NOW)
        db.session.commit()
        return owner, agent, {"wiped": wiped, "waiting": waiting, "by_owner": by_owner}

    return build


def _exported(owner, device_return) -> dict:
    [row] = [
        r
        for r in privacy_services.export_personal_data(owner, NOW)["returns"]
        if r["receipt_number"] == device_return.receipt_number
    ]
    return row


def _wipe_fields(row: dict) -> tuple:
    return (row["data_wiped"], row["wipe_status"], row["wipe_certificate"])


def test_the_export_gives_the_agents_certified_wipe_beside_data_wiped(returns):
    owner, _agent, made = returns()
    assert _wipe_fields(_exported(owner, made["wiped"])) == (False, "done", "CERT-2U8D-JC8A")


def test_the_export_names_the_wipe_outcome_in_french(returns):
    owner, _agent, made = returns("fr")
    assert [_exported(owner, made[k])["wipe_status_name"] for k in made] == [
        "Effacement certifié fait",
        "Effacement certifié demandé, pas encore fait",
        "Aucun effacement certifié à faire",
    ]


def test_the_export_names_the_wipe_outcome_in_english(returns):
    owner, _agent, made = returns("en")
    assert [_exported(owner, made[k])["wipe_status_name"] for k in made] == [
        "Certified wipe done",
        "Certified wipe requested, not done yet",
        "No certified wipe to do",
    ]


def test_the_export_words_the_owners_two_answers_in_french(returns):
    owner, _agent, made = returns("fr")
    words = [
        (row["data_wiped_name"], row["wipe_requested_name"])
        for row in (_exported(owner, made["wiped"]), _exported(owner, made["by_owner"]))
    ]
    assert words == [
        (
            "Données effacées par le propriétaire avant le dépôt\u00a0: non",
            "Effacement certifié demandé à l'agent\u00a0: oui",
        ),
        (
            "Données effacées par le propriétaire avant le dépôt\u00a0: oui",
            "Effacement certifié demandé à l'agent\u00a0: non",
        ),
    ]


def test_the_export_words_the_owners_two_answers_in_english(returns):
    owner, _agent, made = returns("en")
    row = _exported(owner, made["wiped"])
    assert (row["data_wiped_name"], row["wipe_requested_name"]) == (
        "Data wiped by the owner before handing it in: no",
        "Certified wipe asked of the agent: yes",
    )


def test_the_exports_wipe_fields_name_no_agent(returns):
    owner, agent, made = returns()
    row = _exported(owner, made["wiped"])
    new = {k: row[k] for k in row if k.startswith(("wipe_", "data_wiped"))}
    assert agent.email not in json.dumps(new) and agent.display_name not in json.dumps(new)


def test_the_api_gives_the_agents_certified_wipe(client, returns):
    owner, _agent, made = returns()
    login(client, owner)
    body = client.get(f"/api/v1/device-returns/{made['wiped'].receipt_number}").get_json()
    assert _wipe_fields(body) == (False, "done", "CERT-2U8D-JC8A")


def test_the_api_says_a_requested_wipe_is_not_done_yet(client, returns):
    owner, _agent, made = returns()
    login(client, owner)
    body = client.get(f"/api/v1/device-returns/{made['waiting'].receipt_number}").get_json()
    assert _wipe_fields(body) == (False, "requested", None)


def test_the_api_says_a_device_its_owner_wiped_needs_no_certified_wipe(client, returns):
    owner, _agent, made = returns()
    login(client, owner)
    body = client.get(f"/api/v1/device-returns/{made['by_owner'].receipt_number}").get_json()
    assert _wipe_fields(body) == (True, "not_needed", None)


def test_the_openapi_spec_documents_the_wipe_outcome_and_what_data_wiped_means(client, make):
    login(client, make.user())
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    device_return = schema["DeviceReturn"]
    assert (
        {"wipe_status", "wipe_certificate"} <= set(device_return["required"]),
        device_return["properties"]["wipe_status"]["enum"],
        "owner" in device_return["properties"]["data_wiped"]["description"],
    ) == (True, ["not_needed", "requested", "done"], True)


def test_the_export_schema_requires_the_wipe_words_and_outcome(client, make):
    login(client, make.user())
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    returns = schema["PersonalDataExport"]["properties"]["returns"]["items"]
    assert {
        "data_wiped_name",
        "wipe_requested_name",
        "wipe_status",
        "wipe_status_name",
        "wipe_certificate",
    } <= set(returns["required"])
