"""The README tells operators to share rate limits (and optionally rendered fragments)
through Redis. With that Redis down, every form POST and every API call answered 500 (the
limiter's client raised), every cached page too, and `/healthz` still said « ok ». Now
each worker counts in its own memory and works pages out afresh until Redis answers
again, and `/healthz` says what is degraded (200: no balancer takes the portal out).

A portal of its own in a child process: the limiter is one object per process, and
pointing it at a dead Redis here would leave the rest of the suite with it."""

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from tests.factories import Factories
    from tests.conftest import Auth
    from tests.databases import stamp_heads
    dead = sys.argv[1]
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://",
                     RATELIMIT_STORAGE_URI=dead, CACHE_TYPE="RedisCache",
                     CACHE_REDIS_URL=dead + "/0")
    answers = {}
    with app.app_context():
        db.create_all()
        stamp_heads(db.engine)
        person = Factories().user(locale="en")
        client = app.test_client()
        # Before the pages: requests in the script's one app context share its `g`, and a
        # @reads_only page's mark would hold for /healthz's reading of the schema version.
        health = app.test_client().get("/healthz")
        answers["health"] = [health.status_code, health.get_json()]
        # First: the test's app context keeps the signed-in person for later requests.
        answers["api"] = app.test_client().get("/api/v1/campaigns").status_code
        answers["sign_in"] = Auth(client).sign_in(person).status_code
        answers["catalogue"] = client.get("/catalogue/").status_code
        answers["language"] = Auth(client).post("/language", {"language": "fr"}).status_code
    print(json.dumps(answers))
    """
)


def _dead_redis() -> str:
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def answers() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, _dead_redis()],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_pages_forms_and_the_api_still_answer(answers):
    assert answers["sign_in"] == 302
    assert answers["catalogue"] == 200
    assert answers["api"] == 401  # asked for a token, as with Redis up
    assert answers["language"] in (302, 303)


def test_the_health_check_says_what_is_degraded(answers):
    status, body = answers["health"]
    assert status == 200 and body["status"] == "degraded"
    assert any("RATELIMIT_STORAGE_URI" in problem for problem in body["problems"])
    assert any("CACHE_REDIS_URL" in problem for problem in body["problems"])
