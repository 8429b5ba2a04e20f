"""What HTTP says an API answer carries: `Allow` on a 405, `WWW-Authenticate: Bearer` on a
401 (its message naming the token), `Retry-After` only when a client must wait (429), no
content type on an answer without content, OPTIONS without any cross-origin invitation;
and a body over the limit sent in chunks is a 413, as one with a Content-Length is."""

import io

from app.auth import services as auth_services
from app.extensions import db


def _bearer(user, scope="read") -> dict:
    _token, secret = auth_services.create_api_token(user, f"script {scope}", scope)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_a_405_names_the_methods_the_address_takes(client, make):
    answer = client.put("/api/v1/me", headers=_bearer(make.user(), "read_write"))
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_401_names_the_bearer_scheme_and_says_how_to_send_a_token(client):
    answer = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="Empreinte API"'
    assert answer.get_json()["error"]["code"] == "unauthorized"
    assert "Authorization header: Bearer" in answer.get_json()["error"]["message"]


def test_a_token_not_valid_is_told_so_in_the_challenge(client):
    answer = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].endswith('error="invalid_token"')


def test_retry_after_comes_only_with_a_429(make_app, make):
    client = make_app(API_RATE_LIMIT="1 per minute").test_client()
    headers = _bearer(make.user())
    served, refused = (client.get("/api/v1/me", headers=headers) for _ in range(2))
    assert served.status_code == 200
    assert "Retry-After" not in served.headers
    assert served.headers["X-RateLimit-Remaining"] == "0"
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_options_says_the_methods_and_invites_no_other_site(client, make):
    answer = client.options("/api/v1/me", headers={"Origin": "https://elsewhere.example"})
    assert answer.status_code == 200
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "Content-Type" not in answer.headers
    assert not [name for name, _value in answer.headers.items() if name.startswith("Access-")]


def test_a_body_over_the_limit_sent_in_chunks_is_a_413(client, make):
    body = b'{"note": "' + b"x" * (2 * 2**20) + b'"}'
    answer = client.post(
        "/api/v1/me/messages/1/read",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        | _bearer(make.user(), "read_write"),
        environ_overrides={"wsgi.input_terminated": True},  # as servers set it for chunks
    )
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (413, "payload_too_large")


def test_the_read_only_tokens_french_message_says_what_to_do(client, make):
    headers = _bearer(make.user(locale="fr"))
    answer = client.post("/api/v1/device-returns", json={}, headers=headers)
    assert answer.status_code == 403
    assert "créez sur la page de profil un jeton" in answer.get_json()["error"]["message"]
