"""The API base: /me by cookie or bearer token, the JSON error shape, OpenAPI."""

from app.auth import services as auth_services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def new_token(user):
    _token, raw = auth_services.create_api_token(user, "test")
    db.session.commit()
    return raw


def test_me_with_a_bearer_token(client, make):
    user = make.user(display_name="Léa Fabre")
    response = client.get("/api/v1/me", headers=bearer(new_token(user)))
    assert response.status_code == 200
    assert response.json["display_name"] == "Léa Fabre"
    assert "Set-Cookie" not in response.headers


def test_me_with_the_session_cookie(client, make):
    user = make.user()
    login(client, user)
    assert client.get("/api/v1/me").json["email"] == user.email


def test_me_without_credentials_is_a_json_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.json["error"]["message"]


def test_revoked_token_stops_working(client, make):
    user = make.user()
    raw = new_token(user)
    token_id = db.session.scalars(db.select(auth_services.ApiToken.id)).one()
    auth_services.revoke_api_token(user, token_id, utcnow())
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_token"


def test_bearer_post_needs_no_csrf_token_but_a_cookie_post_does(client, make):
    user = make.user()
    raw = new_token(user)
    # No API write exists in the core; an unknown API path shows the JSON 404 shape
    # and proves the request got past the CSRF check with a bearer token.
    assert client.post("/api/v1/nothing-here", headers=bearer(raw)).status_code == 404
    login(client, user)
    assert client.post("/api/v1/nothing-here").status_code == 400


def test_unknown_api_path_is_a_json_404_in_the_callers_language(client):
    response = client.get("/api/v1/nothing-here", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert response.json == {
        "error": {
            "code": "not_found",
            "message": "Cette page n'existe pas ou n'est plus disponible.",
        }
    }


def test_wrong_method_on_the_api_is_json(client, make):
    response = client.delete("/api/v1/me", headers=bearer(new_token(make.user())))
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_openapi_document_describes_me(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert "get" in document["paths"]["/api/v1/me"]
    assert "bearerAuth" in document["components"]["securitySchemes"]


def test_a_nul_character_is_a_json_400_that_every_operation_documents(client, make):
    """Refused before any view runs, so the OpenAPI document lists it everywhere."""
    user = make.user(locale="en")
    response = client.get("/api/v1/me/messages?k%00ey=1", headers=bearer(new_token(user)))
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    document = client.get("/api/v1/openapi.json").json
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {"400", "429"} <= set(operation["responses"]), f"{method} {path}"


def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_a_token_opens_the_api_but_not_the_web_pages(client, make):
    raw = new_token(make.user())
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    page = client.get("/auth/profile", headers=bearer(raw))
    assert page.status_code == 302 and "/auth/sign-in" in page.headers["Location"]


def test_the_bearer_scheme_is_read_whatever_its_case(client, make):
    user = make.user(display_name="Léa Fabre")
    response = client.get("/api/v1/me", headers={"Authorization": f"bearer {new_token(user)}"})
    assert response.status_code == 200 and response.json["display_name"] == "Léa Fabre"


def test_a_write_with_no_credentials_at_all_is_a_json_401_not_an_expired_form(client, make):
    """A script that forgot its token was told its form had expired (the CSRF 400)."""
    response = client.post("/api/v1/campaigns/1/actions", json={"action_type": "delete-mail"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
