"""Back after a declaration, then Send again, in chromium with JavaScript: the asset tag
typed is restored with the other answers (the field is no longer `autocomplete="off"`,
which Chromium does not restore), so the send lands on the first receipt.

The repeat rule itself is left as it was: a send without a tag after one with a tag is
another device (the person's second laptop, unlabelled), never folded into the first."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.recycling.models import DeviceReturn
from tests.conftest import browser_sign_in, login

RECEIPT_URL = re.compile(r"/recycling/returns/RC-[^/]+$")


def _count() -> int:
    return db.session.scalar(select(func.count(DeviceReturn.id)))


def _declare(client, auth, point, **answers):
    """The return form loaded (a new one-time token, as Back loads it) and sent."""
    page = client.get("/recycling/returns/new").get_data(as_text=True)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)[1]
    data = {"form_token": token, "collection_point_id": point.id, "device_type": "laptop",
            "condition": "working", "wipe_requested": "y", **answers}  # fmt: skip
    response = auth.post("/recycling/returns/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return re.search(r"/recycling/returns/(RC-[0-9A-Z]{4}-[0-9A-Z]{4})", response.location)[1]


def test_the_asset_tag_field_lets_the_browser_restore_it(client, make, rec):
    login(client, make.user(locale="fr"))
    page = client.get(f"/recycling/returns/new?point={rec.point().id}").get_data(as_text=True)
    tag_input = re.search(r'<input[^>]*name="asset_tag"[^>]*>', page)[0]
    assert "autocomplete" not in tag_input


def test_back_then_send_again_with_the_tag_restored_lands_on_the_first_receipt(
    client, auth, make, rec
):
    point = rec.point()
    login(client, make.user(locale="fr"))
    first = _declare(client, auth, point, asset_tag="bm-lap-r61 01")
    assert _declare(client, auth, point, asset_tag="bm-lap-r61 01") == first
    assert _count() == 1


def test_a_laptop_without_tag_after_a_tagged_one_is_another_device(client, auth, make, rec):
    """Two laptops declared in a row, the second unlabelled: both are recorded."""
    point = rec.point()
    login(client, make.user(locale="fr"))
    first = _declare(client, auth, point, asset_tag="BM-LAP-R61 01")
    second = _declare(client, auth, point)
    assert second != first
    assert _count() == 2


@pytest.mark.browser
def test_back_then_send_again_restores_the_tag_and_lands_on_the_first_receipt(page, make, rec):
    point = rec.point(name="Point Talence", opening_hours="24/7")
    browser_sign_in(page, make.user(locale="fr"))
    page.goto(f"/recycling/returns/new?point={point.id}", wait_until="load")
    page.check("input[name=device_type][value=laptop]")
    page.check("input[name=condition][value=working]")
    page.fill("input[name=asset_tag]", "bm-lap-r61 01")
    page.check("input[name=wipe_requested][value=y]")
    page.click("form.return-form button[type=submit]")
    page.wait_for_url(RECEIPT_URL)
    first = page.url

    page.go_back(wait_until="load")
    # Nothing typed again: the browser gives the answers back, the tag with them.
    expect(page.locator("input[name=asset_tag]")).to_have_value("bm-lap-r61 01")
    page.click("form.return-form button[type=submit]")
    page.wait_for_url(RECEIPT_URL)
    assert page.url == first
    expect(page.get_by_text("Vous aviez déjà déclaré cet appareil")).to_be_visible()
    assert _count() == 1
