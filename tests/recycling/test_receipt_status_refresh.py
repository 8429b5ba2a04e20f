"""The person who declared a return waits at the desk, its receipt open, while the agent
confirms receipt: the receipt's status part asks again by itself while the device is
expected (htmx, `recycling.receipt_status`, its owner only), says what changed through
the live region and shows the chain of custody's new step; without JavaScript, "Check
again" reloads the page at the status."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from tests.audit.conftest import AXE, WCAG_TAGS, describe_violations
from tests.cleanup.conftest import make_campaign  # noqa: F401
from tests.conftest import Auth, browser_sign_in, confirm_receipt_in_a_browser, login
from tests.recycling.conftest import NOW

HX = {"HX-Request": "true"}


def _status_url(device_return) -> str:
    return f"/recycling/returns/{device_return.receipt_number}/status"


def _confirm_at_the_desk(app, agent, device_return) -> None:
    """The agent confirms receipt at the desk, through its real form, in their session."""
    desk = app.test_client()
    login(desk, agent)
    response = Auth(desk).post(f"/recycling/agent/returns/{device_return.receipt_number}/receive")
    assert response.status_code == 302


# --- who may ask for it -------------------------------------------------------------------


def test_the_owner_gets_the_status_part(client, waiting):
    owner, _agent, device_return = waiting
    login(client, owner)
    response = client.get(_status_url(device_return), headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="receipt-status"')
    assert "<html" not in page
    assert '<span class="return-status status-declared">Déclaré</span>' in page


@pytest.mark.parametrize("who", ["employee", "agent", "admin"])
def test_anyone_but_the_owner_gets_a_404(client, make, waiting, who):
    """The point's agent and an admin read the receipt, but do not wait at the desk."""
    _owner, agent, device_return = waiting
    other = {
        "employee": lambda: make.user(),
        "agent": lambda: agent,
        "admin": lambda: make.user(roles=("employee", "admin")),
    }[who]()
    login(client, other)
    assert client.get(_status_url(device_return), headers=HX).status_code == 404
    assert client.get(_status_url(device_return)).status_code == 404


def test_signed_out_it_goes_to_sign_in(client, waiting):
    _owner, _agent, device_return = waiting
    response = client.get(_status_url(device_return))
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


def test_without_htmx_it_is_the_receipt_page_at_its_status(client, waiting):
    owner, _agent, device_return = waiting
    login(client, owner)
    response = client.get(_status_url(device_return))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/recycling/returns/{device_return.receipt_number}?checked=1#receipt-status"
    )


# --- what the page and the part say -------------------------------------------------------


def test_a_waiting_receipt_asks_again_every_20_seconds_and_offers_to_check_again(client, waiting):
    owner, _agent, device_return = waiting
    login(client, owner)
    page = client.get(f"/recycling/returns/{device_return.receipt_number}").get_data(as_text=True)
    polled = re.search(r'hx-get="([^"?]+)\?until=(\d+)" hx-trigger="every 20s"', page)
    assert polled.group(1) == _status_url(device_return)
    # For half an hour from when the page was opened: the time of a visit to the desk.
    window = int(polled.group(2)) - utcnow().timestamp()
    assert 29 * 60 < window <= 30 * 60
    check_again = re.search(r'<a id="check-again" href="([^"]+)"[^>]*>Vérifier à nouveau</a>', page)
    assert check_again.group(1) == _status_url(device_return)  # read afresh, not scrolled to
    assert page.count('class="return-status') == 1  # the status, once


def _until(minutes: int) -> dict:
    """The polling window's end a page carries, `minutes` from now."""
    return {"until": int((utcnow() + timedelta(minutes=minutes)).timestamp())}


def test_the_interval_is_the_app_s_setting(app, client, waiting, monkeypatch):
    monkeypatch.setitem(app.config, "RECYCLING_RECEIPT_POLL_SECONDS", 2)
    owner, _agent, device_return = waiting
    login(client, owner)
    part = client.get(_status_url(device_return), headers=HX, query_string=_until(10))
    assert 'hx-trigger="every 2s"' in part.get_data(as_text=True)


@pytest.mark.parametrize("until", [_until(-1), {"until": "soon"}, {}], ids=["past", "bad", "none"])
def test_past_its_window_a_receipt_left_open_stops_asking(client, waiting, until):
    """A tab left open for hours asked every 20 s and kept the session alive: past half an
    hour it stops; "Check again" still reloads the page."""
    owner, _agent, device_return = waiting
    login(client, owner)
    part = client.get(_status_url(device_return), headers=HX, query_string=until)
    assert part.status_code == 200
    text = part.get_data(as_text=True)
    assert "hx-trigger" not in text
    assert 'id="check-again"' in text and "status-declared" in text


def test_staff_reading_a_waiting_receipt_do_not_poll(client, waiting):
    _owner, agent, device_return = waiting
    login(client, agent)
    page = client.get(f"/recycling/returns/{device_return.receipt_number}").get_data(as_text=True)
    assert "hx-trigger" not in page and 'id="check-again"' not in page


def test_once_the_agent_confirms_the_part_shows_it_received_and_stops(app, client, waiting):
    owner, agent, device_return = waiting
    login(client, owner)
    _confirm_at_the_desk(app, agent, device_return)
    part = client.get(_status_url(device_return), headers=HX).get_data(as_text=True)
    assert (
        '<p data-announce="first">Statut\u00a0: <span class="return-status status-received">'
        "Reçu par un agent</span></p>" in part
    )
    assert "hx-trigger" not in part and 'id="check-again"' not in part  # polling stops
    # The chain of custody's new step, in place of the page's, and no way to withdraw.
    assert '<section id="custody" aria-labelledby="custody-heading" hx-swap-oob="true">' in part
    assert f"signé par {agent.display_name}" in part
    assert '<div id="bring-device" hx-swap-oob="delete"></div>' in part


def test_in_a_running_campaign_the_notes_say_it_now_counts(
    app,
    client,
    make,
    rec,
    make_campaign,  # noqa: F811
):
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=10))
    point = rec.point(opening_hours="24/7")
    owner, agent = make.user(locale="fr"), rec.agent(point)
    device_return = rec.device_return(owner, point, now=now)
    login(client, owner)
    page = client.get(f"/recycling/returns/{device_return.receipt_number}").get_data(as_text=True)
    assert 'class="return-note note-pending"' in page
    _confirm_at_the_desk(app, agent, device_return)
    part = client.get(_status_url(device_return), headers=HX).get_data(as_text=True)
    assert 'id="return-notes"' in part and 'hx-swap-oob="true"' in part
    assert 'class="return-note note-counted"' in part
    assert "note-pending" not in part


def test_a_declaration_closed_as_never_brought_is_said_and_stops(app, client, waiting):
    owner, agent, device_return = waiting
    services.close_not_brought(device_return, agent, NOW + timedelta(days=20), 7)
    db.session.commit()
    login(client, owner)
    part = client.get(_status_url(device_return), headers=HX).get_data(as_text=True)
    assert "hx-trigger" not in part
    assert "<p data-announce>Un agent a clos cette déclaration" in part


# --- in a real browser ----------------------------------------------------------------------


@pytest.mark.browser
def test_the_owner_s_open_receipt_shows_the_agent_s_confirmation_without_a_reload(
    app, browser, live_server, page, waiting, monkeypatch
):
    monkeypatch.setitem(app.config, "RECYCLING_RECEIPT_POLL_SECONDS", 1)
    owner, agent, device_return = waiting
    receipt = device_return.receipt_number
    browser_sign_in(page, owner)
    page.goto(f"/recycling/returns/{receipt}", wait_until="load")
    expect(page.locator(".return-status")).to_have_text("Déclaré")
    loaded = page.evaluate("() => performance.timeOrigin")

    confirm_receipt_in_a_browser(browser, live_server, agent, receipt)

    expect(page.locator(".return-status")).to_have_text("Reçu par un agent")
    expect(page.locator("#announcer")).to_contain_text("Reçu par un agent")
    expect(page.locator(".custody li")).to_have_count(2)
    expect(page.locator(".custody")).to_contain_text(f"signé par {agent.display_name}")
    expect(page.get_by_role("button", name="Retirer ma déclaration")).to_have_count(0)
    expect(page.get_by_role("link", name="Vérifier à nouveau")).to_have_count(0)
    assert page.evaluate("() => performance.timeOrigin") == loaded  # never reloaded
    # Evaluated by the driver, not injected as a script: the portal's CSP stays on.
    page.evaluate(AXE.read_text() + "\n;undefined")
    violations = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )["violations"]
    assert not violations, describe_violations(violations)
