"""The per-account limits say the time actually left in their window, not "an hour"."""

import time
from types import SimpleNamespace

from app.auth import routes
from tests.conftest import csrf_token, login


def _refused_sign_in(guarded, email: str, language: str, attempts: int):
    client = guarded.test_client()
    for _ in range(attempts):
        answer = client.post(
            "/auth/sign-in",
            data={"email": email, "password": "guess", "csrf_token": csrf_token(client)},
            headers={"Accept-Language": language},
        )
    return answer


def test_the_account_limit_says_the_minutes_left_in_its_window(make_app, make):
    guarded = make_app(ACCOUNT_SIGN_IN_RATE_LIMIT="2 per 10 minutes")
    refused = _refused_sign_in(guarded, make.user().email, "en", attempts=3)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert (
        "Too many sign-in attempts for this address. Try again in 10 minutes, or ask for a "
        "sign-in link by e-mail." in page.replace("&#39;", "'")
    )


def test_the_account_limit_counts_down_in_french(make_app, make, monkeypatch):
    """Seven minutes into an hour's window, 53 minutes are left (the clock read by the
    message moved on; the limiter's window is the real one)."""
    guarded = make_app(ACCOUNT_SIGN_IN_RATE_LIMIT="2 per hour")
    email = make.user().email
    client = guarded.test_client()
    for _ in range(2):
        client.post(
            "/auth/sign-in",
            data={"email": email, "password": "guess", "csrf_token": csrf_token(client)},
        )
    later = time.time() + 7 * 60  # after the window opened: 52 minutes and some seconds
    monkeypatch.setattr(routes, "time", SimpleNamespace(time=lambda: later))
    page = _refused_sign_in(guarded, email, "fr", attempts=1).get_data(as_text=True)
    assert "pour cette adresse. Réessayez dans 53 minutes, ou demandez" in page


def test_the_current_password_limit_says_the_minutes_left(make_app, make):
    guarded = make_app(ACCOUNT_SIGN_IN_RATE_LIMIT="1 per 5 minutes")
    client = guarded.test_client()
    login(client, make.user(locale="en"))
    fields = {"current_password": "not it", "new_password": "x" * 12, "confirm_password": "x" * 12}
    for _ in range(2):
        answer = client.post(
            "/auth/profile/password", data={**fields, "csrf_token": csrf_token(client)}
        )
    assert answer.status_code == 429
    assert "Too many password attempts for this account. Try again in 5 minutes," in (
        answer.get_data(as_text=True)
    )
