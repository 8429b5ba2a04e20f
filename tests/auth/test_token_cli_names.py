"""`flask tokens create` follows the profile form's rule: no two active tokens of a person
share a name (case and spaces aside); a refusal says why, exits non-zero and creates
nothing."""

from datetime import UTC, datetime

import pytest

from app.auth import services
from app.auth.models import ApiToken
from app.extensions import db
from tests.conftest import login


def _tokens_of(user) -> list[str]:
    return sorted(db.session.scalars(db.select(ApiToken.name).filter_by(user_id=user.id)))


def test_the_cli_refuses_a_name_one_of_the_persons_active_tokens_bears(runner, client, auth, make):
    user = make.user()
    login(client, user)
    auth.post("/auth/profile/tokens", {"name": "my script"})
    result = runner.invoke(args=["tokens", "create", user.email, "--name", " My Script "])
    assert result.exit_code != 0
    assert "An active token of this person is already named “My Script”" in result.output
    assert "emp_" not in result.output
    assert _tokens_of(user) == ["my script"]


def test_the_cli_s_default_name_given_twice_is_refused_the_second_time(runner, make):
    user = make.user()
    assert runner.invoke(args=["tokens", "create", user.email]).exit_code == 0
    second = runner.invoke(args=["tokens", "create", user.email])
    assert second.exit_code != 0 and "“cli”" in second.output
    assert _tokens_of(user) == ["cli"]


def test_the_cli_may_reuse_a_revoked_tokens_name(runner, make):
    user = make.user()
    token, _raw = services.create_api_token(user, "backup")
    services.revoke_api_token(user, token.id, datetime(2026, 12, 7, tzinfo=UTC))
    db.session.commit()
    result = runner.invoke(args=["tokens", "create", user.email, "--name", "backup"])
    assert result.exit_code == 0, result.output
    assert _tokens_of(user) == ["backup", "backup"]


@pytest.mark.parametrize(("name", "said"), [("   ", "Give the token a name."),
                                            ("x" * 81, "at most 80 characters")])  # fmt: skip
def test_the_cli_refuses_an_empty_or_too_long_name(runner, make, name, said):
    user = make.user()
    result = runner.invoke(args=["tokens", "create", user.email, "--name", name])
    assert result.exit_code != 0 and said in result.output
    assert _tokens_of(user) == []


@pytest.mark.parametrize("state", ["deactivated", "erased"])
def test_the_cli_gives_no_token_to_an_account_that_is_not_active(runner, make, state):
    """Such a token was printed, then refused at every use (401): say so instead."""
    user = make.user(email=f"{state}@example.org")
    user.active = False
    if state == "erased":
        user.anonymised_at = datetime(2026, 12, 7, tzinfo=UTC)
    db.session.commit()
    result = runner.invoke(args=["tokens", "create", user.email])
    assert result.exit_code != 0
    assert "This account is not active: a token of it would never work." in result.output
    assert "emp_" not in result.output
    assert _tokens_of(user) == []


@pytest.mark.parametrize("name", ["\u200b", " \u200e\u00a0", "\ufeff\u2060"])
def test_a_token_name_that_shows_nothing_is_refused_on_the_profile(client, auth, make, name):
    """A name of a zero-width space made a "Revoke" button labelled with nothing."""
    login(client, make.user())
    page = auth.post("/auth/profile/tokens", {"name": name}).get_data(as_text=True)
    assert "Give the token a name." in page or "Donnez un nom au jeton." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0


def test_invisible_characters_around_a_name_are_dropped_and_count_as_the_same_name(
    client, auth, make
):
    user = make.user()
    login(client, user)
    auth.post("/auth/profile/tokens", {"name": "\u200bmy script\u200e"})
    assert _tokens_of(user) == ["my script"]
    auth.post("/auth/profile/tokens", {"name": "My Script\u200b"})
    assert _tokens_of(user) == ["my script"]
