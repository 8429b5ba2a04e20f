"""An API write counts against WRITE_RATE_LIMIT per person and route, as a web form's
does: API_RATE_LIMIT (600 a minute) alone let a token write ten times faster than anyone
at a form. Reads keep API_RATE_LIMIT only."""

from app.auth import services as auth_services
from app.extensions import db


def _bearer(user) -> dict:
    _token, raw = auth_services.create_api_token(user, "script", "read_write")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _log(client, url, headers) -> int:
    body = {"action_type": "delete-mail", "quantity": 1}
    return client.post(url, json=body, headers=headers).status_code


def test_a_tokens_writes_past_the_write_limit_get_a_json_429(limited, make, actions):
    headers = _bearer(make.user(locale="fr"))
    assert [_log(limited, actions, headers) for _ in range(2)] == [201, 201]
    refused = limited.post(
        actions, json={"action_type": "delete-mail", "quantity": 1}, headers=headers
    )
    assert refused.status_code == 429
    assert refused.get_json()["error"] == {
        "code": "rate_limited",
        "message": "Trop de tentatives. Patientez une minute puis réessayez.",
    }
    assert int(refused.headers["Retry-After"]) > 0


def test_the_write_limit_counts_each_tokens_person_apart(limited, make, actions):
    busy, other = _bearer(make.user()), _bearer(make.user())
    assert [_log(limited, actions, busy) for _ in range(3)] == [201, 201, 429]
    assert _log(limited, actions, other) == 201


def test_reads_are_not_counted_by_the_write_limit(limited, make, actions):
    headers = _bearer(make.user())
    answers = [limited.get("/api/v1/me", headers=headers).status_code for _ in range(5)]
    assert answers == [200] * 5
    assert [_log(limited, actions, headers) for _ in range(3)] == [201, 201, 429]
    assert limited.get("/api/v1/me", headers=headers).status_code == 200
