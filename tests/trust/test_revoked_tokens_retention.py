"""Revoked API tokens were kept without a time limit (name, creation, last use and
revocation dates): the `auth` retention step deletes those revoked
REVOKED_TOKEN_RETENTION_DAYS (90) days ago or more; a working token stays however old."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth import services as auth_services
from app.auth.models import ApiToken
from app.core.privacy_services import apply_retention
from app.core.settings_check import SettingsError
from app.extensions import db

NOW = datetime(2027, 3, 1, 3, 30, tzinfo=UTC)


def _token(user, name: str, created_days_ago: int, revoked_days_ago: int | None) -> int:
    """A token as a real one ages: made, used, then revoked (or not) that many days ago."""
    token, _raw = auth_services.create_api_token(user, name)
    token.created_at = NOW - timedelta(days=created_days_ago)
    token.last_used_at = NOW - timedelta(days=created_days_ago - 1)
    if revoked_days_ago is not None:
        token.revoked_at = NOW - timedelta(days=revoked_days_ago)
    db.session.commit()
    return token.id


@pytest.fixture
def aged(make):
    person = make.user()
    return {
        "revoked long ago": _token(person, "old laptop", 400, 300),
        "revoked 90 days ago": _token(person, "phone", 200, 90),
        "revoked 89 days ago": _token(person, "tablet", 200, 89),
        "working, old": _token(person, "nightly", 900, None),
    }


def _kept() -> set[int]:
    return set(db.session.scalars(select(ApiToken.id)))


def test_the_default_period_is_90_days(app):
    assert app.config["REVOKED_TOKEN_RETENTION_DAYS"] == 90


def test_tokens_revoked_90_days_ago_or_more_are_deleted(aged):
    apply_retention(NOW)
    db.session.commit()
    assert _kept() == {aged["revoked 89 days ago"], aged["working, old"]}


def test_a_token_revoked_within_the_period_goes_once_it_has_passed(aged):
    apply_retention(NOW)
    apply_retention(NOW + timedelta(days=1))
    db.session.commit()
    assert _kept() == {aged["working, old"]}


def test_the_period_is_a_setting(app, aged):
    app.config["REVOKED_TOKEN_RETENTION_DAYS"] = 200
    try:
        apply_retention(NOW)
    finally:
        app.config["REVOKED_TOKEN_RETENTION_DAYS"] = 90
    db.session.commit()
    assert _kept() == set(aged.values()) - {aged["revoked long ago"]}


def test_the_retention_command_says_how_many_it_deleted(runner, make):
    person = make.user()
    now = datetime.now(UTC)
    token, _raw = auth_services.create_api_token(person, "old laptop")
    token.revoked_at = now - timedelta(days=91)
    db.session.commit()
    first = runner.invoke(args=["privacy", "retention"])
    assert first.exit_code == 0, first.output
    assert "auth: 1 revoked API token(s) deleted" in first.output
    assert (
        "auth: 0 revoked API token(s) deleted"
        in runner.invoke(args=["privacy", "retention"]).output
    )
    assert _kept() == set()


@pytest.mark.parametrize("value", ["0", "-5", "ninety"])
def test_a_period_that_cannot_be_used_is_refused_at_start(make_app, value):
    with pytest.raises(SettingsError) as refused:
        make_app(REVOKED_TOKEN_RETENTION_DAYS=value)
    assert "REVOKED_TOKEN_RETENTION_DAYS" in str(refused.value)
