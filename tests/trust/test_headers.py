"""Security headers on every HTML and JSON response; cookie flags."""

import os
import subprocess
import sys

import pytest
from flask import current_app

from tests.trust.access_matrix import EXPECTATIONS
from tests.trust.sweep import build_world, call, rules_for


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_secure_headers(response, where: str) -> None:
    csp = _csp(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, f"{where}: no script-src"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    assert csp.get("object-src") == ["'none'"], where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in (
        "same-origin",
        "no-referrer",
        "strict-origin",
    ), where


@pytest.mark.parametrize("endpoint", sorted(EXPECTATIONS))
def test_every_html_and_json_response_has_security_headers(app, make, endpoint):
    world = build_world(make)
    checked = 0
    for persona in ("anonymous", "employee_b", "employee_a", "admin"):
        client, _user = world.client(persona)
        for rule, method in rules_for(current_app, endpoint):
            if method != "GET":
                continue
            response = call(client, rule, method, world)
            # HTML and JSON, and downloads too (CSV, calendar, JS, plain text).
            assert_secure_headers(response, f"GET {rule.rule} as {persona}")
            checked += response.mimetype in ("text/html", "application/json")
    downloads = (
        "static",
        "bench.baseline",
        "catalogue.export_csv",
        "catalogue.export_for_spreadsheet",
    )
    if endpoint not in downloads and any(m == "GET" for _r, m in rules_for(current_app, endpoint)):
        assert checked, f"{endpoint}: no HTML or JSON response was checked"


def test_error_pages_carry_the_headers_too(client):
    assert_secure_headers(client.get("/no-such-page"), "404 page")
    assert_secure_headers(client.get("/api/v1/me"), "401 JSON")


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, make):
    response = auth.sign_in(make.user())
    cookie = response.headers.get("Set-Cookie", "")
    assert "session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # testing runs over plain HTTP


def test_cookies_are_secure_in_production(tmp_path):
    script = (
        "from app import create_app\n"
        "app = create_app()\n"
        "assert app.config['SESSION_COOKIE_SECURE'] and app.config['REMEMBER_COOKIE_SECURE']\n"
        "response = app.test_client().get('/privacy')\n"
        "print(response.headers.get('Set-Cookie', ''))\n"
        "print(response.headers.get('Strict-Transport-Security', 'none'))\n"
    )
    env = {
        **os.environ,
        "EMPREINTE_ENV": "production",
        "ORGANISATION_NAME": "Bordeaux Métropole",
        "SECRET_KEY": "rT9vQ2mX7pLw4sKz8bNc1dHf6gJy3aE5uV0k",
        "PUBLIC_BASE_URL": "https://empreinte.bordeaux-metropole.fr",
        "MAIL_SERVER": "smtp.bordeaux-metropole.fr",
        "MAIL_DEFAULT_SENDER": "Empreinte <no-reply@bordeaux-metropole.fr>",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
    }
    env.pop("SESSION_COOKIE_SECURE", None)
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    cookie, hsts = result.stdout.strip().splitlines()
    assert "session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    # Over HTTPS, a browser is told never to try the portal over plain HTTP again.
    assert hsts == "max-age=31536000"


def test_no_strict_transport_security_where_cookies_travel_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/auth/sign-in").headers
