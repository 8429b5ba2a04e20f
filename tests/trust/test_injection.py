"""Script, HTML, template and formula payloads in every free-text field of the core and
of the domains render inert: escaped in HTML, quoted in CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.catalogue import services as catalogue_services
from app.cleanup import services as cleanup_services
from app.core.audit import record_audit
from app.core.privacy_services import request_erasure
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.messaging import services as messaging_services
from app.recycling import services as recycling_services
from tests.conftest import login
from tests.trust.world import build_world

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
    html = auth.post("/auth/profile/tokens", {"name": payload}, follow_redirects=True).get_data(
        as_text=True
    )
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
    document = client.get("/admin/audit.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(document.lstrip("\ufeff")), delimiter=";"))
    summary = rows[1][5]
    assert not summary.startswith(("=", "+", "-", "@"))
    assert summary.lstrip("'") == payload


# --- The domains' free-text fields ---------------------------------------------


def assert_csv_inert(text: str, payload: str) -> None:
    """Every cell holding the payload is there, and none starts like a formula."""
    text = text.removeprefix("\ufeff")  # a spreadsheet report: semicolons in French
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    assert any(cell.lstrip("'") == payload for cell in cells), "payload missing from the CSV"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


@pytest.fixture
def world(make):
    # A month ago: the campaign has ended (its results exist), the rest is recent.
    return build_world(make, utcnow() - timedelta(days=30))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_campaign_texts_and_action_notes_render_inert(client, make, world, payload):
    campaign = world.campaign
    campaign.name_fr = campaign.name_en = payload
    campaign.description_fr = campaign.description_en = payload
    person = make.user()
    action = cleanup_services.log_action(person, campaign, "delete-mail", 1, world.now)
    action.status, action.review_reason = "rejected", payload  # as an organiser's review
    db.session.commit()
    login(client, person)
    for url in ("/cleanup/", f"/cleanup/campaigns/{campaign.id}"):
        assert_inert(client.get(url).get_data(as_text=True), payload)
    login(client, world.organiser)
    for url in (f"/cleanup/campaigns/{campaign.id}/results",):
        assert_inert(client.get(url).get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_team_names_are_neutralised_in_the_results_csv(client, make, world, payload):
    team = make.department(name_fr=payload, name_en=payload)
    cleanup_services.log_action(
        make.user(department=team), world.campaign, "delete-mail", 1, world.now
    )
    db.session.commit()
    login(client, world.organiser)
    response = client.get(f"/cleanup/campaigns/{world.campaign.id}/results.csv")
    assert response.status_code == 200
    assert_csv_inert(response.get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_asset_tags_and_collection_points_render_inert(client, make, world, payload):
    world.point.name = world.point.address = payload
    person = make.user()
    device_return, _ = recycling_services.register_device_return(
        person, world.point, "laptop", "working", world.now, asset_tag=payload, wipe_requested=True
    )
    db.session.commit()
    receipt = device_return.receipt_number
    login(client, person)
    for url in ("/recycling/", "/recycling/returns/new", f"/recycling/returns/{receipt}"):
        assert_inert(client.get(url).get_data(as_text=True), payload)
    login(client, world.admin)
    for url in (
        "/recycling/agent",
        f"/recycling/agent/returns/{receipt}",
        "/recycling/admin/points",
        "/recycling/admin/statistics",
    ):
        assert_inert(client.get(url).get_data(as_text=True), payload)
    assert_csv_inert(client.get("/recycling/admin/statistics.csv").get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_template_texts_render_inert_to_the_organiser_and_in_the_inbox(
    client, make, world, payload
):
    texts = {f"{part}_{lang}": payload for part in ("subject", "body") for lang in ("fr", "en")}
    template = messaging_services.save_template(
        None, {"key": "inj", "name": payload, **texts}, world.organiser, world.now
    )
    person = make.user()
    db.session.commit()
    login(client, world.organiser)
    for url in ("/messaging/templates", f"/messaging/templates/{template.id}"):
        assert_inert(client.get(url).get_data(as_text=True), payload)
    dispatch = messaging_services.create_dispatch(template, "everyone", {}, world.now, world.now)
    db.session.commit()
    messaging_jobs.run_dispatch(dispatch.id, clock=lambda: world.now)
    login(client, person)
    html = client.get("/messaging/").get_data(as_text=True)
    if "{{" in payload:
        assert "49" in html  # a template expression, evaluated in the sandbox by design
    else:
        assert_inert(html, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_catalogue_items_and_request_comments_render_inert(client, make, world, payload):
    item = world.item
    item.name_fr = item.name_en = item.description_fr = item.description_en = payload
    person = make.user()
    catalogue_services.add_to_basket(person, item, 1, world.now)
    request = catalogue_services.submit_basket(person, payload, world.now)
    db.session.commit()
    login(client, person)
    for url in ("/catalogue/", f"/catalogue/items/{item.id}", f"/catalogue/requests/{request.id}"):
        assert_inert(client.get(url).get_data(as_text=True), payload)
    login(client, world.admin)
    assert_inert(client.get("/catalogue/admin/requests").get_data(as_text=True), payload)
    assert_csv_inert(client.get("/catalogue/export.csv").get_data(as_text=True), payload)
