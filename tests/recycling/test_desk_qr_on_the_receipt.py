"""At the desk the agent typed the receipt number the owner read out from their phone.
The owner's receipt, while the device waits for an agent, now shows a QR code to the
return's page at the desk: the agent scans it with a phone signed in to the portal."""

import html
import re

import segno

from tests.conftest import Auth, login


def _receipt(client, device_return) -> str:
    response = client.get(f"/recycling/returns/{device_return.receipt_number}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _drawn_path(svg: str) -> str:
    return re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)


def test_the_waiting_receipt_shows_a_code_leading_to_the_desk_page(app, client, waiting):
    owner, _agent, device_return = waiting
    login(client, owner)
    page = _receipt(client, device_return)
    figure = re.search(r'<figure class="desk-qr".*?</figure>', page, re.S).group(0)
    number = device_return.receipt_number
    assert f"<title>Code QR du reçu {number} pour le guichet de collecte</title>" in figure
    assert 'role="img"' in figure
    # The number on one line (test_walk_in_made_by_mistake_and_the_next_device).
    assert f'ou saisit le numéro <span class="receipt-number">{number}</span>.' in figure
    desk = app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/recycling/agent/returns/{number}"
    # The code drawn is the one of the desk page's address, and of no other.
    assert _drawn_path(figure) == _drawn_path(segno.make(desk, error="m").svg_inline())
    assert _drawn_path(figure) != _drawn_path(segno.make(desk + "x", error="m").svg_inline())


def test_the_scanned_address_opens_the_desk_page_for_the_agent_only(app, client, make, waiting):
    _owner, agent, device_return = waiting
    number = device_return.receipt_number
    login(client, agent)
    desk = client.get(f"/recycling/agent/returns/{number}")
    assert desk.status_code == 200
    assert f"/recycling/agent/returns/{number}/receive" in desk.get_data(as_text=True)
    stranger = app.test_client()
    login(stranger, make.user())
    assert stranger.get(f"/recycling/agent/returns/{number}").status_code in (403, 404)


def test_once_received_the_code_is_gone(app, client, waiting):
    owner, agent, device_return = waiting
    desk = app.test_client()
    login(desk, agent)
    number = device_return.receipt_number
    assert Auth(desk).post(f"/recycling/agent/returns/{number}/receive").status_code == 302
    login(client, owner)
    assert 'class="desk-qr"' not in _receipt(client, device_return)


def test_staff_reading_the_receipt_get_no_code(client, waiting):
    _owner, agent, device_return = waiting
    login(client, agent)
    assert 'class="desk-qr"' not in _receipt(client, device_return)
