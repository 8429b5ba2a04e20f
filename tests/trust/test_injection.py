"""Script, HTML, template and formula payloads in every free-text field of the core
render inert: escaped in HTML, quoted in CSV."""

import csv
import io
from datetime import UTC, datetime

import pytest

from app.core.audit import record_audit
from app.core.privacy_services import request_erasure
from app.extensions import db
from tests.conftest import login

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    '=HYPERLINK("http://evil.example","x")',
)
NOW = datetime(2026, 11, 25, tzinfo=UTC)


def assert_inert(html: str, payload: str) -> None:
    if "<" in payload:
        assert payload not in html, f"raw payload rendered: {payload}"
        assert "&lt;" in html
    if "{{" in payload:
        assert "{{7*7}}" in html  # shown as text, never evaluated


@pytest.mark.parametrize("payload", PAYLOADS)
def test_token_name_renders_inert_on_the_profile(client, auth, make, payload):
    login(client, make.user())
    html = auth.post("/auth/profile/tokens", {"name": payload}).get_data(as_text=True)
    assert_inert(html, payload)
    assert_inert(client.get("/auth/profile").get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_display_name_renders_inert_on_every_page_that_shows_it(client, make, payload):
    person = make.user(display_name=payload, email="victim@example.org")
    make.add_role(person, "organiser")
    request_erasure(person, NOW)
    db.session.commit()
    login(client, make.user(roles=("admin",)))
    for url in ("/admin/roles", "/admin/roles?q=victim", "/admin/erasures"):
        assert_inert(client.get(url).get_data(as_text=True), payload)
    login(client, person)
    for url in ("/", "/auth/profile"):
        assert_inert(client.get(url).get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sign_in_email_echo_is_inert(client, auth, payload):
    html = auth.post("/auth/sign-in", {"email": payload, "password": "x"}).get_data(as_text=True)
    assert_inert(html, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_audit_summary_is_inert_in_html_and_csv(client, make, payload):
    admin = make.user(roles=("admin",))
    record_audit(admin, "update", "template", 1, NOW, payload)
    db.session.commit()
    login(client, admin)
    assert_inert(client.get("/admin/audit").get_data(as_text=True), payload)
    rows = list(csv.reader(io.StringIO(client.get("/admin/audit.csv").get_data(as_text=True))))
    summary = rows[1][5]
    assert not summary.startswith(("=", "+", "-", "@"))
    assert summary.lstrip("'") == payload
