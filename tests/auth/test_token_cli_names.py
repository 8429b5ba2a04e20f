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
