"""Personal API tokens read only, or read and write: chosen on the profile's form (read only
unless the person asks for more) or with `flask tokens create --scope`; a read-only token's
write through the API is refused with a JSON 403 in its owner's language, changing nothing."""

import re

import pytest
from sqlalchemy import func, select

from app.auth import services
from app.auth.models import ApiToken
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Delivery
from tests.conftest import login
from tests.trust.world import build_world, send_message

TOKEN_RE = re.compile(r'<code id="new-token">(emp_[^<]+)</code>')
READ_ONLY_EN = (
    "This API token can only read. To change data, create a token that can read and write "
    "on your profile page."
)
READ_ONLY_FR = (
    "Ce jeton d'API permet seulement la lecture. Pour modifier des données, créez sur la "
    "page de profil un jeton en lecture et écriture."
)


@pytest.fixture
def world(make):
    """A running campaign, a collection point, a message template's author."""
    return build_world(make, utcnow())


def _created_on_the_profile(client, auth, user, **fields) -> str:
    """The raw token the profile's form (CSRF token included) answers with."""
    login(client, user)
    response = auth.post("/auth/profile/tokens", {"name": "my script", **fields})
    assert response.status_code == 200, response.text
    return TOKEN_RE.search(response.text).group(1)


def _scope_of(raw: str) -> str:
    return db.session.scalar(select(ApiToken.scope).filter_by(token_digest=ApiToken.digest(raw)))


def _bearer(raw: str, **headers) -> dict:
    return {"Authorization": f"Bearer {raw}", **headers}


def _actions() -> int:
    return db.session.scalar(select(func.count()).select_from(CleanupAction))


def _log_action(client, world, raw, **headers):
    return client.post(
        f"/api/v1/campaigns/{world.campaign.id}/actions",
        json={"action_type": "delete-mail", "quantity": 2},
        headers=_bearer(raw, **headers),
    )


def _token(user, scope) -> str:
    _token, raw = services.create_api_token(user, f"{scope} script", scope=scope)
    db.session.commit()
    return raw


# --- The profile's form ----------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["read", "read_write"])
def test_the_profile_form_creates_a_token_of_the_scope_chosen(client, auth, make, scope):
    raw = _created_on_the_profile(client, auth, make.user(), scope=scope)
    assert _scope_of(raw) == scope


def test_a_token_reads_only_unless_the_person_asks_for_more(client, auth, make):
    """The form offers read only, ticked; a form sent without the choice gets it too."""
    user = make.user()
    login(client, user)
    page = client.get("/auth/profile").text
    ticked = re.search(r'<input[^>]*name="scope"[^>]*value="read"[^>]*>', page).group(0)
    assert " checked" in ticked
    assert 'value="read_write"' in page
    assert _scope_of(_created_on_the_profile(client, auth, user)) == "read"


def test_a_scope_that_is_not_offered_is_refused_and_creates_nothing(client, auth, make):
    user = make.user(locale="en")
    login(client, user)
    response = auth.post("/auth/profile/tokens", {"name": "my script", "scope": "admin"})
    assert response.status_code == 422
    assert "new-token" not in response.text
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_the_token_list_shows_each_tokens_scope(client, auth, make):
    user = make.user(locale="fr")
    login(client, user)
    auth.post("/auth/profile/tokens", {"name": "tableau de bord", "scope": "read"})
    auth.post("/auth/profile/tokens", {"name": "saisie", "scope": "read_write"})
    page = client.get("/auth/profile").text
    rows = re.findall(r"<tr role=\"row\">\s*<th[^>]*>([^<]+)<code>.*?</code></th>\s*"
                      r"<td role=\"cell\" data-label=\"Accès\u00a0:\">([^<]+)</td>", page)  # fmt: skip
    assert sorted((name.strip(), scope) for name, scope in rows) == [
        ("saisie", "Lecture et écriture"),
        ("tableau de bord", "Lecture seule"),
    ]


# --- The API ---------------------------------------------------------------------------------


def test_a_read_only_token_reads(client, make, world):
    user = make.user()
    raw = _token(user, "read")
    assert client.get("/api/v1/me", headers=_bearer(raw)).json["email"] == user.email
    campaign = client.get(f"/api/v1/campaigns/{world.campaign.id}", headers=_bearer(raw))
    assert campaign.status_code == 200
    assert client.head("/api/v1/me", headers=_bearer(raw)).status_code == 200
    assert client.options("/api/v1/me", headers=_bearer(raw)).status_code == 200


def test_a_read_only_token_cannot_log_an_action(client, make, world):
    raw = _token(make.user(locale="en"), "read")
    response = _log_action(client, world, raw)
    assert response.status_code == 403
    assert response.json == {"error": {"code": "read_only_token", "message": READ_ONLY_EN}}
    assert _actions() == 0


def test_a_read_only_token_cannot_mark_a_message_read(client, make, world):
    user = make.user(locale="fr")
    send_message(world)
    message = db.session.scalars(select(Delivery).filter_by(user_id=user.id, channel="inbox")).one()
    response = client.post(
        f"/api/v1/me/messages/{message.id}/read", headers=_bearer(_token(user, "read"))
    )
    assert response.status_code == 403
    assert response.json["error"]["message"] == READ_ONLY_FR
    db.session.expire_all()
    assert db.session.get(Delivery, message.id).read_at is None


def test_the_refusal_follows_the_owners_language_then_the_callers(client, make, world):
    """As every API answer: the owner's chosen language, else the Accept-Language."""
    chosen = _token(make.user(locale="fr"), "read")
    unchosen = _token(make.user(locale=None), "read")
    english = {"Accept-Language": "en"}
    assert _log_action(client, world, chosen, **english).json["error"]["message"] == READ_ONLY_FR
    assert _log_action(client, world, unchosen, **english).json["error"]["message"] == (
        READ_ONLY_EN
    )
    assert _actions() == 0


def test_a_read_write_token_writes(client, make, world):
    user = make.user()
    send_message(world)
    raw = _token(user, "read_write")
    assert _log_action(client, world, raw).status_code == 201
    assert _actions() == 1
    message = db.session.scalars(select(Delivery).filter_by(user_id=user.id, channel="inbox")).one()
    assert client.post(
        f"/api/v1/me/messages/{message.id}/read", headers=_bearer(raw)
    ).status_code == 200  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Delivery, message.id).read_at is not None


def test_a_read_only_tokens_call_to_no_such_address_stays_a_404(client, make):
    """The scope is checked where the address takes the method: a 404 (or 405) says more."""
    raw = _token(make.user(), "read")
    assert client.post("/api/v1/nothing-here", headers=_bearer(raw)).status_code == 404
    assert client.delete("/api/v1/me", headers=_bearer(raw)).status_code == 405


def test_the_openapi_document_lists_the_403_on_every_write(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    writes = [
        operation
        for operations in paths.values()
        for method, operation in operations.items()
        if method not in ("get", "head", "options")
    ]
    assert writes and all("403" in operation["responses"] for operation in writes)


# --- The operators' command ------------------------------------------------------------------


def test_the_cli_creates_a_read_only_token_unless_told_otherwise(runner, make):
    user = make.user()
    result = runner.invoke(args=["tokens", "create", user.email])
    assert result.exit_code == 0, result.output
    assert "read only" in result.output
    assert _scope_of(result.output.strip().splitlines()[-1]) == "read"


def test_the_cli_creates_a_token_that_writes_when_asked(runner, client, make, world):
    user = make.user()
    result = runner.invoke(
        args=["tokens", "create", user.email, "--name", "sync", "--scope", "read_write"]
    )
    assert result.exit_code == 0, result.output
    assert "read and write" in result.output
    raw = result.output.strip().splitlines()[-1]
    assert _log_action(client, world, raw).status_code == 201


def test_the_cli_refuses_a_scope_it_does_not_know(runner, make):
    user = make.user()
    result = runner.invoke(args=["tokens", "create", user.email, "--scope", "admin"])
    assert result.exit_code != 0 and "emp_" not in result.output
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


# --- The personal data export ----------------------------------------------------------------


def test_the_export_lists_each_tokens_scope_by_code_and_name(client, make):
    user = make.user(locale="fr")
    _token(user, "read")
    _token(user, "read_write")
    login(client, user)
    tokens = client.get("/auth/profile/export").get_json(force=True)["profile"]["api_tokens"]
    assert [(t["scope"], t["scope_name"]) for t in tokens] == [
        ("read", "Lecture seule"),
        ("read_write", "Lecture et écriture"),
    ]
