"""Security headers, CSRF on every state change, cookie flags."""

import threading
import time

import pytest

from app.auth.models import User
from app.extensions import db
from tests.conftest import login


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


@pytest.mark.parametrize("path", ["/auth/sign-in", "/privacy", "/nowhere"])
def test_html_responses_carry_the_security_headers(client, path):
    assert_security_headers(client.get(path))


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/openapi.json", "/healthz"])
def test_json_responses_carry_the_security_headers(client, path):
    assert_security_headers(client.get(path))


def test_sign_in_without_csrf_token_is_refused(client, make):
    user = make.user()
    response = client.post(
        "/auth/sign-in", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_state_change_without_csrf_token_changes_nothing(client, make):
    user = make.user(locale="fr")
    login(client, user)
    response = client.post(
        "/auth/profile/preferences",
        data={"locale": "en", "visibility": "name", "email_opt_in": "y"},
    )
    assert response.status_code == 400
    refreshed = db.session.get(User, user.id)
    assert (refreshed.locale, refreshed.leaderboard_visibility) == ("fr", "pseudonym")


def test_htmx_request_with_token_in_header_is_accepted(client, make):
    from tests.conftest import csrf_token

    user = make.user()
    login(client, user)
    token = csrf_token(client)
    response = client.post(
        "/auth/profile/preferences",
        data={"locale": "en", "visibility": "name"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 302
    assert db.session.get(User, user.id).leaderboard_visibility == "name"


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, make):
    user = make.user()
    response = auth.sign_in(user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_session_cookie_is_secure(app, make, make_app):
    from app.config import Config
    from tests.conftest import csrf_token

    user = make.user()
    production = make_app(
        Config,
        ENV_NAME="production",
        ORGANISATION_NAME="Toulouse Métropole",
        SECRET_KEY="rT9vQ2mX7pLw4sKz8bNc1dHf6gJy3aE5uV0k",
        PUBLIC_BASE_URL="https://empreinte.bordeaux-metropole.fr",
        MAIL_SERVER="smtp.bordeaux-metropole.fr",
        MAIL_DEFAULT_SENDER="Empreinte <no-reply@bordeaux-metropole.fr>",
        PASSWORD_HASH_METHOD=app.config["PASSWORD_HASH_METHOD"],
    )
    client = production.test_client()
    response = client.post(
        "/auth/sign-in",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_production_refuses_to_start_without_a_secret_key(make_app):
    from app.config import Config
    from app.core.settings_check import SettingsError

    with pytest.raises(SettingsError, match="SECRET_KEY is not set"):
        make_app(Config, ENV_NAME="production", SECRET_KEY=None)


@pytest.mark.parametrize("address", [None, "", "http://127.0.0.1:5000", "http://localhost:8000"])
def test_production_refuses_to_start_on_the_development_address(make_app, address):
    """E-mail links and the QR codes of printed posters would lead nowhere. No address at
    all is refused by the settings check, before the production check: both name it."""
    from app.config import Config
    from app.core.settings_check import SettingsError

    with pytest.raises((RuntimeError, SettingsError), match="PUBLIC_BASE_URL"):
        make_app(
            Config,
            ENV_NAME="production",
            SECRET_KEY="rT9vQ2mX7pLw4sKz8bNc1dHf6gJy3aE5uV0k",
            PUBLIC_BASE_URL=address,
        )


def test_development_secret_key_is_generated_once(tmp_path):
    from app.config import resolve_secret_key

    first = resolve_secret_key({"ENV_NAME": "development"}, str(tmp_path))
    again = resolve_secret_key({"ENV_NAME": "development"}, str(tmp_path))
    assert len(first) > 40 and first == again


def test_writes_are_rate_limited_per_person(make_app, make):
    """A person hammering a form is slowed down; another person is not affected."""
    from tests.conftest import csrf_token, login

    limited = make_app(WRITE_RATE_LIMIT="3 per minute")
    busy, other = limited.test_client(), limited.test_client()
    login(busy, make.user())
    login(other, make.user())

    def save(client):
        return client.post(
            "/auth/profile/preferences",
            data={"locale": "fr", "visibility": "name", "csrf_token": csrf_token(client)},
        ).status_code

    assert [save(busy) for _ in range(4)] == [302, 302, 302, 429]
    assert save(other) == 302
    assert busy.get("/auth/profile").status_code == 200  # reading is never limited


def _save_preferences(client):
    from tests.conftest import csrf_token

    return client.post(
        "/auth/profile/preferences",
        data={"locale": "fr", "visibility": "name", "csrf_token": csrf_token(client)},
    ).status_code


def test_a_person_limited_may_write_again_once_the_window_has_passed(make_app, make):
    # Three seconds: on a busy machine three saves took more than one, and the third
    # came after the window had passed.
    limited = make_app(WRITE_RATE_LIMIT="2 per 3 seconds")
    busy = limited.test_client()
    login(busy, make.user())
    answers = [_save_preferences(busy)]
    counted_by = time.monotonic()  # the window opened at the first save, before this
    answers += [_save_preferences(busy) for _ in range(2)]
    assert answers == [302, 302, 429]
    time.sleep(max(0.0, counted_by + 3.1 - time.monotonic()))
    assert _save_preferences(busy) == 302


def test_steady_writes_do_not_start_a_thread_each(make_app, make, monkeypatch):
    """The limiter's storage sweeps its old counters once a second: the library's own
    started a thread 10 ms after each write (see SweptMemoryStorage)."""
    started, start = [], threading.Timer.start
    monkeypatch.setattr(
        threading.Timer, "start", lambda timer: (started.append(timer), start(timer))
    )
    limited = make_app(WRITE_RATE_LIMIT="100 per minute")
    writer = limited.test_client()
    login(writer, make.user())
    started.clear()
    began = time.monotonic()
    for _ in range(10):
        assert _save_preferences(writer) == 302
        time.sleep(0.02)  # more than the library's 10 ms between two writes
    # One sweep a second at most: a busy machine may take more than a second for the ten.
    assert len(started) <= 1 + int(time.monotonic() - began)
    assert len(started) < 10


def test_behind_a_trusted_proxy_each_client_address_has_its_own_sign_in_limit(make_app, make):
    from tests.conftest import csrf_token

    proxied = make_app(PROXY_FIX_X_FOR=1)
    user = make.user()

    def attempt(client, address):
        return client.post(
            "/auth/sign-in",
            data={"email": user.email, "password": "wrong", "csrf_token": csrf_token(client)},
            headers={"X-Forwarded-For": address},
        ).status_code

    first, second = proxied.test_client(), proxied.test_client()
    assert [attempt(first, "198.51.100.7") for _ in range(6)][-1] == 429
    assert attempt(second, "198.51.100.8") == 401


def _guarded_sign_in(make_app):
    guarded = make_app(
        PROXY_FIX_X_FOR=1, ACCOUNT_SIGN_IN_RATE_LIMIT="3 per hour", SIGN_IN_RATE_LIMIT="99/minute"
    )

    def prepared(email, password, address, as_json=False):
        """An attempt ready to send: its own browser, with the form's token."""
        from tests.conftest import csrf_token

        client = guarded.test_client()
        token = csrf_token(client)
        fields = {"email": email, "password": password, "csrf_token": token}
        sent = {"json": fields} if as_json else {"data": fields}
        headers = {"X-Forwarded-For": address, "X-CSRFToken": token}

        def send():
            with guarded.app_context():
                return client.post("/auth/sign-in", headers=headers, **sent).status_code

        return send

    def attempt(*args, **kwargs):
        return prepared(*args, **kwargs)()

    attempt.prepared = prepared
    return attempt


def test_sign_in_attempts_for_one_account_add_up_across_client_addresses(make_app, make):
    """Guesses spread over many machines are counted against the account they aim at;
    another account is not held back."""
    attempt = _guarded_sign_in(make_app)
    target, other = make.user(password="right-one-1"), make.user(password="right-one-2")

    # The right password is given back: only the wrong ones add up.
    assert attempt(target.email.upper(), "right-one-1", "198.51.100.1") == 302
    guesses = [attempt(target.email, "guess", f"198.51.100.{n}") for n in range(2, 6)]
    assert guesses == [401, 401, 401, 429]
    assert attempt(target.email, "right-one-1", "198.51.100.9") == 429
    assert attempt(other.email, "guess", "198.51.100.2") == 401
    assert attempt(other.email, "right-one-2", "198.51.100.2") == 302


def test_the_account_limit_says_what_to_do_in_french(make_app, make):
    from tests.conftest import csrf_token

    guarded = make_app(ACCOUNT_SIGN_IN_RATE_LIMIT="1 per hour")
    target = make.user()
    client = guarded.test_client()
    for _ in range(2):
        refused = client.post(
            "/auth/sign-in",
            data={
                "email": f" {target.email.upper()} ",
                "password": "guess",
                "csrf_token": csrf_token(client),
            },
            headers={"Accept-Language": "fr"},
        )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "ou demandez un lien de connexion par e-mail" in page
    # The sign-in page again, the link form filled in, not a bare « Erreur 429 » page.
    assert "Erreur 429" not in page
    # As typed (but for the spaces around): the limit's casefolded key may be another mailbox.
    assert f'name="link-email" required type="email" value="{target.email.upper()}"' in page


def test_a_sign_in_sent_as_json_checks_no_password(make_app, make):
    """A web form takes no JSON (a 415): no way of sending the form escapes its account's
    limit, since a JSON body never reaches a password check."""
    attempt = _guarded_sign_in(make_app)
    other = make.user(password="right-one-2")

    assert attempt(other.email, "right-one-2", "198.51.100.8", as_json=True) == 415
    assert attempt(other.email, "right-one-2", "198.51.100.8") == 302


def test_guesses_sent_at_once_are_counted_before_any_password_is_checked(make_app, make):
    """A burst of simultaneous guesses: no more are checked than the limit allows."""
    attempt = _guarded_sign_in(make_app)
    target = make.user()
    guesses = [attempt.prepared(target.email, f"guess-{n}", f"203.0.113.{n}") for n in range(8)]
    start = threading.Barrier(8)
    answers = []

    def guess(send):
        start.wait()
        answers.append(send())

    threads = [threading.Thread(target=guess, args=(send,)) for send in guesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [401, 401, 401, 429, 429, 429, 429, 429]
