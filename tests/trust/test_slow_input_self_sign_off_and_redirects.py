"""Security: what the access matrix, the fuzzers and the injection tests did not
reach. One request must not hold a worker for minutes; staff do not sign their own
entries and devices off; the portal sends nobody to another site, nor puts the Host a
request named in a file it hands out."""

import html
import time

import pytest
from sqlalchemy import func, select

from app.catalogue.models import CatalogueRequestLine
from app.cleanup import services as cleanup_services
from app.cleanup.models import CleanupAction
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.recycling import services as recycling_services
from app.recycling.models import DeviceReturn
from tests.conftest import csrf_token, login
from tests.trust.world import build_world

# 1. A number field's text is read in linear time, however long.


def test_a_long_quantity_is_refused_at_once(client, make):
    """The typed-number pattern backtracked quadratically: 100 kB of digits in one
    employee's quantity field held a worker about half a minute (1 MB, 45 minutes)."""
    world = build_world(make, utcnow())
    login(client, make.user(locale="en"))
    started = time.monotonic()
    response = client.post(
        f"/catalogue/items/{world.item.id}/request",
        data={"quantity": "1" * 100_000 + "x", "csrf_token": csrf_token(client)},
    )
    assert time.monotonic() - started < 2
    assert response.status_code == 422
    assert "Enter a quantity from 1 to 50." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CatalogueRequestLine)) == 0


# 2. Staff never sign their own entries and devices off.


def _declare(world, person):
    device_return, _created = recycling_services.register_device_return(
        person, world.point, "laptop", "working", world.now, wipe_requested=True
    )
    db.session.commit()
    return device_return


def _status(device_return) -> str:
    db.session.expire_all()
    return db.session.get(DeviceReturn, device_return.id).status


def test_an_agent_cannot_receive_a_device_they_declared(client, make):
    """Received, a return scores in the running campaign: an agent declaring devices at
    their own point and confirming them scored without handing anything in."""
    world = build_world(make, utcnow())
    mine = _declare(world, world.agent)
    world.agent.locale = "en"
    db.session.commit()
    login(client, world.agent)
    answer = client.post(
        f"/recycling/agent/returns/{mine.receipt_number}/receive",
        data={"csrf_token": csrf_token(client)},
        headers={"HX-Request": "true"},
    )
    assert "You declared this return yourself" in html.unescape(answer.get_data(as_text=True))
    assert _status(mine) == "declared"
    # Its page and the desk offer no "Confirm receipt" for it, and say why.
    page = html.unescape(client.get(f"/recycling/agent/returns/{mine.receipt_number}").text)
    assert "Confirm receipt" not in page and "You declared this return yourself" in page
    desk = html.unescape(client.get("/recycling/agent").text)
    row = desk.split(f'id="return-{mine.receipt_number}"', 1)[1].split("</tr>", 1)[0]
    assert "Confirm receipt" not in row and "Your own declaration" in row
    # Someone else's return at the same point: received as before.
    theirs = _declare(world, make.user())
    client.post(
        f"/recycling/agent/returns/{theirs.receipt_number}/receive",
        data={"csrf_token": csrf_token(client)},
    )
    assert _status(theirs) == "received"


def test_an_agent_cannot_certify_the_wipe_of_their_own_device(client, make):
    """The certified wipe is the proof the person asked for: not signed by that person."""
    world = build_world(make, utcnow())
    mine = _declare(world, world.agent)
    recycling_services.confirm_receipt(mine, world.admin, world.now)
    db.session.commit()
    login(client, world.agent)
    day = world.now.astimezone(local_zone()).date().isoformat()
    for asked in ({}, {"ask_first_after_check": "1"}):  # with or without the question first
        client.post(
            f"/recycling/agent/returns/{mine.receipt_number}/wipe",
            data={
                "csrf_token": csrf_token(client),
                "method": "crypto_erase",
                "wipe_date": day,
                "certificate_number": "C-42",
                **asked,
            },
        )
        assert _status(mine) == "received"
    with pytest.raises(recycling_services.ReturnError):
        recycling_services.record_outcome(
            mine, world.agent, "recycled", world.now, recipient="Ecologic"
        )


def test_an_organiser_cannot_accept_their_own_flagged_entry(client, make):
    """Flagged as unusual, an organiser's own entry waits for another organiser."""
    world = build_world(make, utcnow())
    entry = cleanup_services.log_action(
        world.organiser, world.campaign, "delete-mail", 15, world.now
    )
    db.session.commit()
    assert entry.status == "flagged"
    login(client, world.organiser)
    client.post(
        f"/cleanup/actions/{entry.id}/review",
        data={"csrf_token": csrf_token(client), "decision": "accept"},
    )
    db.session.expire_all()
    assert db.session.get(CleanupAction, entry.id).status == "flagged"
    other = make.user(roles=("organiser",))
    cleanup_services.review_action(entry, other, True, "", world.now)
    assert entry.status == "accepted"


# 3. No address the request named leaves the portal in an answer.


def test_discontinuing_an_item_never_sends_the_admin_to_another_site(client, make):
    """The Referer was followed wherever it led, as long as it held "/catalogue/"."""
    world = build_world(make, utcnow())
    login(client, world.admin)
    answer = client.post(
        f"/catalogue/admin/items/{world.item.id}/discontinue",
        data={"csrf_token": csrf_token(client)},
        headers={"Referer": "https://elsewhere.example/catalogue/login"},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/catalogue/items/{world.item.id}"
    # From one of the portal's catalogue pages: back to it, as before.
    answer = client.post(
        f"/catalogue/admin/items/{world.item.id}/discontinue",
        data={"csrf_token": csrf_token(client)},
        headers={"Referer": "http://localhost/catalogue/?q=laptop"},
    )
    assert answer.headers["Location"] == "/catalogue/?q=laptop"


def test_the_calendar_file_links_to_the_public_address_not_the_host_asked(client, make, app):
    """A Host header of the caller's choosing was written into the event's URL."""
    world = build_world(make, utcnow())
    login(client, make.user())
    client.set_cookie("session", client.get_cookie("session").value, domain="elsewhere.example")
    ics = client.get(
        f"/cleanup/campaigns/{world.campaign.id}/calendar.ics",
        base_url="http://elsewhere.example",
    ).get_data(as_text=True)
    assert "elsewhere.example" not in ics
    public = app.config["PUBLIC_BASE_URL"].rstrip("/")
    assert f"URL:{public}/cleanup/campaigns/{world.campaign.id}" in ics


def test_the_review_queue_offers_no_decision_on_ones_own_entry(client, make):
    world = build_world(make, utcnow())
    mine = cleanup_services.log_action(
        world.organiser, world.campaign, "delete-mail", 15, world.now
    )
    theirs = cleanup_services.log_action(make.user(), world.campaign, "delete-mail", 15, world.now)
    db.session.commit()
    world.organiser.locale = "en"
    db.session.commit()
    login(client, world.organiser)
    page = client.get(f"/cleanup/campaigns/{world.campaign.id}/review").get_data(as_text=True)
    assert f'action="/cleanup/actions/{mine.id}/review"' not in page
    assert f'action="/cleanup/actions/{theirs.id}/review"' in page
    assert "You logged this entry yourself: another organiser decides on it." in page
