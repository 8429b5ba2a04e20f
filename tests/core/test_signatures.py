"""The session cookie verified once per worker, the CSRF token signed once: nothing more trusted."""

import time
from datetime import timedelta

from flask import request

from tests.conftest import CSRF_RE, Auth


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _signed_in_client(app, make):
    client = app.test_client()
    user = make.user()
    assert Auth(client).sign_in(user).status_code == 302
    return client


def _with_cookie(app, cookie: str):
    """A client that sends exactly this session cookie, as a browser replaying it would."""
    replaying = app.test_client(use_cookies=False)
    replaying.environ_base["HTTP_COOKIE"] = f"session={cookie}"
    return replaying


def test_a_changed_cookie_is_refused_after_the_genuine_one_was_verified(app, make):
    cookie = _session_cookie(_signed_in_client(app, make))
    assert _with_cookie(app, cookie).get("/auth/profile").status_code == 200
    payload, _dot, signature = cookie.rpartition(".")
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    answer = _with_cookie(app, forged).get("/auth/profile")
    assert answer.status_code == 302 and "/auth/sign-in" in answer.headers["Location"]


def test_a_session_past_its_lifetime_signs_out_though_it_was_verified_before(make_app, make):
    short = make_app(PERMANENT_SESSION_LIFETIME=timedelta(seconds=1))
    cookie = _session_cookie(_signed_in_client(short, make))
    assert _with_cookie(short, cookie).get("/auth/profile").status_code == 200
    time.sleep(2.1)  # the signature's timestamp counts whole seconds
    answer = _with_cookie(short, cookie).get("/auth/profile")
    assert answer.status_code == 302 and "/auth/sign-in" in answer.headers["Location"]


def test_what_a_request_adds_to_its_session_stays_out_of_the_next_with_the_same_cookie(app, make):
    client = _signed_in_client(app, make)
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "shown once")]
    cookie = _session_cookie(client)

    def open_with_cookie():
        with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
            return app.session_interface.open_session(app, request)

    opened = open_with_cookie()
    opened["_flashes"].append(("message", "only for this request"))  # flash() appends so
    again = open_with_cookie()
    assert again["_flashes"] == [("message", "shown once")]


def test_the_csrf_token_signed_once_is_accepted_and_a_new_session_gets_its_own(app, make):
    client = _signed_in_client(app, make)
    token_of = lambda c: CSRF_RE.search(c.get("/privacy").get_data(as_text=True)).group(1)  # noqa: E731
    token = token_of(client)
    assert token_of(client) == token  # kept: the same signed text on every page
    assert client.post("/auth/sign-out", data={"csrf_token": token}).status_code == 302
    other = _signed_in_client(app, make)
    assert token_of(other) != token
    refused = other.post("/auth/sign-out", data={"csrf_token": token})
    assert refused.status_code == 400
    assert other.get("/auth/profile").status_code == 200  # still signed in


def test_a_page_kept_from_before_signing_out_cannot_post_once_signed_in_again(app, make):
    """Signing in or out renews the CSRF token: a form left open (or copied) from the
    previous session is refused; the new page's form works."""
    client = app.test_client()
    user = make.user()
    Auth(client).sign_in(user)
    token_of = lambda: CSRF_RE.search(client.get("/privacy").get_data(as_text=True)).group(1)  # noqa: E731
    before = token_of()
    assert client.post("/auth/sign-out", data={"csrf_token": before}).status_code == 302
    assert token_of() != before  # signed out: another token already
    Auth(client).sign_in(user)
    after = token_of()
    assert after != before
    assert client.post("/auth/sign-out", data={"csrf_token": before}).status_code == 400
    assert client.get("/auth/profile").status_code == 200  # the old form changed nothing
    assert client.post("/auth/sign-out", data={"csrf_token": after}).status_code == 302
