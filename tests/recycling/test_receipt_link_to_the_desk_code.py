"""At the desk, a person opens their receipt on a phone: the QR code the agent scans came
only after the device's details, the campaigns' box and the point's hours, about 60 % down
the page at 360 px. While the device waits to be brought, a link right after « Présentez ce
numéro de reçu au point de collecte » leads to it: « Montrer le code au guichet », a 44 px
target on a phone."""

import html
import re

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from tests.conftest import browser_sign_in, login

LINK = "Montrer le code au guichet"


def _receipt(client, device_return) -> str:
    response = client.get(f"/recycling/returns/{device_return.receipt_number}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_waiting_receipt_links_to_the_code_right_after_the_number_to_show(client, waiting):
    owner, _agent, device_return = waiting
    login(client, owner)
    page = _receipt(client, device_return)
    sentence = re.search(r'<p class="hint tap-links">(.*?)</p>', page, re.S).group(1)
    assert sentence.startswith("Présentez ce numéro de reçu au point de collecte.")
    assert f'<a href="#desk-qr" id="show-desk-code">{LINK}</a>' in sentence
    # The link's target is the code itself, and the link comes before the point's hours.
    assert re.search(r'<figure class="desk-qr" id="desk-qr"', page)
    assert page.index(LINK) < page.index('id="bring-title"') < page.index('id="desk-qr"')


def test_the_status_asked_again_keeps_the_link_while_the_device_waits(client, waiting):
    owner, _agent, device_return = waiting
    login(client, owner)
    part = client.get(
        f"/recycling/returns/{device_return.receipt_number}/status",
        headers={"HX-Request": "true"},
    )
    assert part.status_code == 200 and 'href="#desk-qr"' in part.text


def test_once_received_neither_the_code_nor_its_link_is_shown(client, waiting):
    owner, agent, device_return = waiting
    services.confirm_receipt(device_return, agent, utcnow())
    db.session.commit()
    login(client, owner)
    page = _receipt(client, device_return)
    assert LINK not in page and 'id="desk-qr"' not in page


def test_staff_reading_the_receipt_get_no_link(client, waiting):
    _owner, agent, device_return = waiting
    login(client, agent)
    assert LINK not in _receipt(client, device_return)


@pytest.mark.browser
def test_on_a_360_px_phone_the_link_is_a_44_px_target_near_the_top_that_shows_the_code(
    page, waiting
):
    owner, _agent, device_return = waiting
    page.set_viewport_size({"width": 360, "height": 740})
    browser_sign_in(page, owner)
    page.goto(f"/recycling/returns/{device_return.receipt_number}")
    link = page.get_by_role("link", name=LINK)
    box = link.bounding_box()
    assert box["height"] >= 44
    assert box["y"] + box["height"] <= 740  # on the first screen, without scrolling
    code = page.get_by_test_id("desk-qr").locator("svg")
    assert code.bounding_box()["y"] > 740  # the code itself is further down
    link.click()
    assert page.url.endswith("#desk-qr")
    shown = code.bounding_box()
    # After the tap, the whole code is on the screen, ready to be scanned.
    assert shown["y"] >= -1 and shown["y"] + shown["height"] <= 740  # (a subpixel aside)


@pytest.mark.browser
def test_from_the_keyboard_the_link_keeps_its_focus_and_leads_to_the_code(
    app, page, waiting, monkeypatch
):
    """The status around the link refreshes itself: the focus stayed on it (it fell to
    the page's body at the first refresh); Enter takes it to the code, read by its name."""
    monkeypatch.setitem(app.config, "RECYCLING_RECEIPT_POLL_SECONDS", 1)
    owner, _agent, device_return = waiting
    browser_sign_in(page, owner)
    page.goto(f"/recycling/returns/{device_return.receipt_number}")
    link = page.get_by_role("link", name=LINK)
    link.focus()
    status_path = f"/recycling/returns/{device_return.receipt_number}/status"
    with page.expect_response(lambda response: status_path in response.url):
        pass  # a refresh of the status, link and all
    page.wait_for_timeout(300)
    expect(page.get_by_role("link", name=LINK)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("desk-qr")).to_be_focused()
