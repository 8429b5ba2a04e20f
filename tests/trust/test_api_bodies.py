"""Every state-changing API endpoint, called with a bearer token and a body that is
not a JSON object (a list, a string, a number, null, malformed JSON): a 422 JSON
error, never a 500, and nothing changed."""

from flask import current_app

from app.auth import services as auth_services
from app.extensions import db
from tests.trust.sweep import STATE_CHANGING, build_world, database_fingerprint, url_for_rule

BODIES = ("[null, null]", '"text"', "3", "null", "[]", "{not json")


def test_api_writes_refuse_bodies_that_are_not_json_objects(app, make):
    world = build_world(make)
    _token, raw = auth_services.create_api_token(world.a, "bodies")
    db.session.commit()
    client = current_app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    client.get("/api/v1/me", headers=headers)  # the token's hourly last_used_at, written now
    checked = []
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or not rule.methods & STATE_CHANGING:
            continue
        url = url_for_rule(rule, world)
        for method in sorted(rule.methods & STATE_CHANGING):
            for body in BODIES:
                before = database_fingerprint()
                response = client.open(
                    url,
                    method=method,
                    data=body,
                    content_type="application/json",
                    headers=headers,
                )
                where = f"{method} {rule.rule} with {body}"
                assert response.status_code == 422, f"{where}: {response.status_code}"
                assert response.get_json()["error"]["code"] == "invalid_json", where
                assert database_fingerprint() == before, f"{where} changed the database"
            checked.append(rule.endpoint)
    assert {"cleanup_api.post_action", "recycling_api.create_device_return"} <= set(checked)
