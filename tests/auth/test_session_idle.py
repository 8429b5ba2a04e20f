"""A session left signed in on a depot's shared computer was the next colleague's for up
to eight hours: a browser session now ends after SESSION_IDLE_MINUTES (30) without a page
asked, says why, and keeps nothing of its person for whoever sits down next."""

import html
import time
from datetime import timedelta

import pytest

from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import build_campaign
from tests.conftest import csrf_token

IDLE_SECONDS = 30 * 60


@pytest.fixture
def idle_limit(app):
    saved = app.config["SESSION_IDLE_MINUTES"]
    yield lambda minutes: app.config.update(SESSION_IDLE_MINUTES=minutes)
    app.config["SESSION_IDLE_MINUTES"] = saved


def _last_seen(client, seconds_ago: int) -> None:
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - seconds_ago


def _seen(client):
    with client.session_transaction() as session:
        return session.get("seen")


def test_a_page_asked_after_thirty_idle_minutes_asks_to_sign_in_again(client, auth, make):
    person = make.user(display_name="Karim Benali")
    auth.sign_in(person)
    assert client.get("/").status_code == 200
    _last_seen(client, IDLE_SECONDS + 5)

    answer = client.get("/recycling/my-returns")
    assert answer.status_code == 302
    assert answer.location == "/auth/sign-in?next=/recycling/my-returns"
    page = html.unescape(client.get(answer.location).get_data(as_text=True))
    assert (
        "Votre session a pris fin après 30 minutes sans activité, pour que personne d'autre ne "
        "puisse l'utiliser sur cet ordinateur\u00a0: reconnectez-vous pour continuer."
    ) in page
    # Ended for good: the next colleague asking the home page is not Karim.
    assert client.get("/").status_code == 302
    assert "Karim" not in client.get("/auth/sign-in").get_data(as_text=True)


def test_a_page_asked_within_the_limit_keeps_the_session_and_counts_as_activity(client, auth, make):
    person = make.user(display_name="Karim Benali", locale="en")
    auth.sign_in(person)
    _last_seen(client, IDLE_SECONDS - 60)
    answer = client.get("/recycling/my-returns")
    assert answer.status_code == 200
    assert abs(_seen(client) - time.time()) < 5  # the idle time starts again
    _last_seen(client, 20)  # seen a moment ago: the cookie is not rewritten for that
    client.get("/")
    assert time.time() - _seen(client) >= 20


def test_a_form_sent_after_the_limit_saves_nothing_and_says_why(client, auth, make):
    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5)
    )
    person = make.user(locale="en")
    auth.sign_in(person)
    token = csrf_token(client)
    _last_seen(client, IDLE_SECONDS + 5)
    answer = client.post(
        f"/cleanup/campaigns/{campaign.id}/actions",
        data={"action_type": "delete-mail", "quantity": "3", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 401
    assert (
        "Your session ended after 30 minutes without activity, so that nobody else can use it "
        "on this computer: sign in again to continue."
    ) in answer.get_data(as_text=True)
    assert answer.headers.get("X-Form-Expired") == "1"  # portal.js keeps what was typed
    assert db.session.query(CleanupAction).count() == 0


def test_the_limit_follows_its_setting_and_zero_turns_it_off(client, auth, make, idle_limit):
    auth.sign_in(make.user())
    idle_limit(5)
    _last_seen(client, 6 * 60)
    assert client.get("/").status_code == 302

    auth.sign_in(make.user())
    idle_limit(0)
    _last_seen(client, 7 * 3600)
    assert client.get("/").status_code == 200


def test_a_poll_of_a_page_left_open_does_not_keep_the_session(client, auth, make):
    auth.sign_in(make.user())
    _last_seen(client, 25 * 60)
    assert client.get("/", headers={"X-Poll": "1", "HX-Request": "true"}).status_code == 200
    assert time.time() - _seen(client) >= 25 * 60  # not counted as activity
    _last_seen(client, IDLE_SECONDS + 5)
    assert client.get("/", headers={"X-Poll": "1", "HX-Request": "true"}).status_code == 401
