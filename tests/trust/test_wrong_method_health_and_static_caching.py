"""HTTP details an operator's probes meet: a method no view takes is a 405 with `Allow`,
token or not (the CSRF check stays on every method a view takes); /healthz's 503 says
when to come back (`Retry-After`); a static file is the same for everyone, so it does not
vary on the cookie."""

import pytest

from app.core.assets import static_version
from tests.conftest import login

HX = {"HX-Request": "true"}
NOT_TAKEN = ("PUT", "PATCH", "DELETE")


@pytest.mark.parametrize("method", NOT_TAKEN)
@pytest.mark.parametrize("path", ["/healthz", "/catalogue/"])
def test_an_anonymous_probe_with_a_method_not_taken_gets_a_405_with_allow(client, path, method):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.headers["Allow"].split(", ") == ["GET", "HEAD", "OPTIONS"]
    assert "formulaire a expiré" not in response.get_data(as_text=True)


def test_a_signed_in_htmx_request_with_a_method_not_taken_gets_a_405_too(client, make):
    login(client, make.user())
    response = client.delete("/catalogue/", headers=HX)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_the_api_answers_a_session_s_method_not_taken_with_its_json_405(client, make):
    """Before, a signed-in session without a token got the API's csrf_failed 400."""
    login(client, make.user())
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_a_method_the_address_takes_still_needs_the_token(client, make):
    """POST /language, the one form every page has: refused without its token."""
    login(client, make.user())
    assert client.post("/language", data={"lang": "en"}).status_code == 400
    assert client.post("/language", data={"lang": "en"}, headers=HX).status_code == 400


def test_healthz_with_the_database_away_says_when_to_come_back(make_app, app, tmp_path):
    """A database that cannot be opened (no such folder; on PostgreSQL, nothing listening
    on the port): the 503 carries Retry-After, as the README says every 503 does."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        away = "postgresql://postgres@127.0.0.1:1/nothing"
    else:
        away = f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.db'}"
    response = make_app(SQLALCHEMY_DATABASE_URI=away).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}
    assert response.headers["Retry-After"] == "30"


def test_healthz_answering_has_no_retry_after(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and "Retry-After" not in response.headers


def _versioned(path: str) -> str:
    return f"/static/{path}?v={static_version(path)}"


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_a_versioned_static_file_does_not_vary_on_the_cookie(client, make, signed_in):
    if signed_in:
        login(client, make.user())
        client.get("/")  # a page first: the session holds its CSRF token
    response = client.get(_versioned("css/portal.css"))
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


def test_a_page_still_varies_on_the_cookie(client, make):
    login(client, make.user())
    assert "Cookie" in client.get("/").headers["Vary"]
