"""A receipt read by staff (an admin, an agent of its point): the owner's "Bringing the
device" block (the point's hours, how to get in, the withdrawal) is for the owner only;
staff get a link to the return's page at the collection desk, where they act on it."""

import html

import pytest

from app.extensions import db
from tests.conftest import login


def _receipt_page(client, receipt: str) -> str:
    return html.unescape(client.get(f"/recycling/returns/{receipt}").get_data(as_text=True))


def _reader(make, agent, staff: str):
    """The admin, or the agent of the return's point, reading in English."""
    reader = make.user(roles=("admin",)) if staff == "admin" else agent
    reader.locale = "en"
    db.session.commit()
    return reader


@pytest.fixture
def waiting(make, rec):
    """A return declared by its owner and not yet brought, at a point with an agent."""
    point = rec.point(directions_en="Ask for the digital agent at reception")
    agent = rec.agent(point)
    owner = make.user(locale="en")
    return rec.device_return(owner, point), owner, agent


@pytest.mark.parametrize("staff", ["admin", "agent"])
def test_staff_reading_a_waiting_receipt_see_no_bringing_block(client, make, waiting, staff):
    device_return, _owner, agent = waiting
    login(client, _reader(make, agent, staff))
    page = _receipt_page(client, device_return.receipt_number)
    assert "Bringing the device" not in page
    assert "Ask for the digital agent" not in page and "Withdraw my declaration" not in page


@pytest.mark.parametrize("staff", ["admin", "agent"])
def test_staff_reading_a_receipt_get_the_desks_page_of_the_return(client, make, waiting, staff):
    device_return, _owner, agent = waiting
    login(client, _reader(make, agent, staff))
    desk_page = f"/recycling/agent/returns/{device_return.receipt_number}"
    page = _receipt_page(client, device_return.receipt_number)
    assert f'<a href="{desk_page}">Open this return at the collection desk</a>' in page
    assert client.get(desk_page).status_code == 200


def test_the_owner_still_reads_how_to_bring_the_device(client, waiting):
    device_return, owner, _agent = waiting
    login(client, owner)
    page = _receipt_page(client, device_return.receipt_number)
    assert "Bringing the device" in page and "Ask for the digital agent" in page
    assert "Withdraw my declaration" in page
    assert "Open this return at the collection desk" not in page
