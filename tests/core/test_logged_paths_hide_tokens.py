"""The portal's own log lines never give the token of a sign-in or unsubscribe link: with
the database down, "Database unavailable on GET /auth/sign-in/link/<token>" put a link
that signs someone in into the journal, which the README's nginx `map` keeps out of the
access log."""

import logging
import re
from pathlib import Path

import pytest

from app.core.urls import TOKEN_PATH_PREFIXES, path_for_logs
from app.messaging.audiences import unsubscribe_token
from tests.conftest import csrf_token
from tests.messaging.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
SIGN_IN_TOKEN = "kS9vQ2mX7pLw4sKz8bNc1dHf6gJy3aE5uV0k"


@pytest.fixture
def database_down(make_app):
    """The portal on a PostgreSQL address where nothing listens: every query is refused."""
    return make_app(SQLALCHEMY_DATABASE_URI=f"postgresql://postgres@127.0.0.1:{free_port()}/gone")


def _logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def test_a_sign_in_link_opened_while_the_database_is_down_is_logged_without_its_token(
    database_down, caplog
):
    client = database_down.test_client()
    caplog.set_level(logging.WARNING)
    opened = client.get(f"/auth/sign-in/link/{SIGN_IN_TOKEN}")
    sent = client.post(
        f"/auth/sign-in/link/{SIGN_IN_TOKEN}", data={"csrf_token": csrf_token(client)}
    )
    assert (opened.status_code, sent.status_code) == (503, 503)
    logged = _logged(caplog)
    assert SIGN_IN_TOKEN not in logged
    assert "Database unavailable on GET /auth/sign-in/link/…: connection failed" in logged
    assert "Database unavailable on POST /auth/sign-in/link/…: connection failed" in logged


def test_an_unsubscribe_link_used_while_the_database_is_down_is_logged_without_its_token(
    database_down, caplog
):
    with database_down.app_context():
        token = unsubscribe_token(42)
    client = database_down.test_client()
    caplog.set_level(logging.WARNING)
    statuses = [
        client.get(f"/messaging/unsubscribe/{token}").status_code,
        client.post(
            f"/messaging/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
        ).status_code,
    ]
    assert statuses == [503, 503]
    logged = _logged(caplog)
    assert token not in logged
    assert "on GET /messaging/unsubscribe/…: " in logged
    assert "on POST /messaging/unsubscribe/…: " in logged


def test_the_database_error_is_logged_without_its_statement(database_down, caplog):
    """SQLAlchemy's message adds the statement and its parameters (an address, a
    token's digest): the line keeps the driver's own words only."""
    caplog.set_level(logging.WARNING)
    database_down.test_client().get(f"/auth/sign-in/link/{SIGN_IN_TOKEN}")
    (line,) = [r.getMessage() for r in caplog.records if "Database unavailable" in r.getMessage()]
    assert "\n" not in line and "[SQL" not in line and "sqlalche.me" not in line


def test_an_unexpected_error_on_a_tokened_address_is_logged_without_its_token(make_app, caplog):
    broken = make_app()

    @broken.get("/messaging/unsubscribe/<token>/broken")
    def broken_view(token):
        raise RuntimeError("a bug")

    caplog.set_level(logging.ERROR)
    answer = broken.test_client().get(f"/messaging/unsubscribe/{SIGN_IN_TOKEN}/broken")
    assert answer.status_code == 500
    assert SIGN_IN_TOKEN not in _logged(caplog)
    assert "Unhandled error on GET /messaging/unsubscribe/…" in _logged(caplog)


def test_every_address_holding_a_token_is_masked(app):
    """A new route with a <token> in its path is masked too, or this test says which."""
    tokened = [rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert tokened
    for rule in tokened:
        example = rule.replace("<token>", SIGN_IN_TOKEN)
        assert SIGN_IN_TOKEN not in path_for_logs(example), rule
    assert path_for_logs("/recycling/returns/RC-7K3M-9QXD") == "/recycling/returns/RC-7K3M-9QXD"


def test_the_portal_masks_what_the_readmes_nginx_map_masks():
    readme = (ROOT / "README.md").read_text()
    mapped = re.findall(r"^\s*~\^(/\S+)\s+\1…;$", readme, flags=re.MULTILINE)
    assert sorted(mapped) == sorted(TOKEN_PATH_PREFIXES)
