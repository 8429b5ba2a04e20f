"""The main journey in a real browser: nearest point, QR link, return, agent confirmation."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import shown
from tests.factories import DEFAULT_PASSWORD


def _sign_in(page, user):
    page.goto("/auth/sign-in")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button.primary")
    page.wait_for_url("**/")


@pytest.mark.browser
def test_find_nearest_point_scan_its_qr_return_a_device_and_see_it_received(
    browser, live_server, page, make, rec
):
    home = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    far = make.commune(name="Ambès", latitude=45.011, longitude=-0.532)
    rec.point(commune=far, name="Point Ambès", opening_hours="24/7")
    near = rec.point(commune=home, name="Point Pessac", opening_hours="24/7")
    agent = rec.agent(near)
    owner = make.user(commune=home)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    _sign_in(page, owner)
    page.goto("/recycling/")
    assert page.locator(".point-list h3").first.inner_text() == "Point Pessac"
    assert page.locator("#points-map.is-ready").count() == 0  # Leaflet only on demand
    page.click("#show-map")
    page.wait_for_selector("#points-map.is-ready path.leaflet-interactive")
    assert page.locator("#points-map path.leaflet-interactive").count() == 2

    # The poster's QR code encodes this URL; open it as a phone camera would.
    page.goto(f"/recycling/points/{near.id}/poster")
    encoded = page.locator(".poster-link code").inner_text()
    parts = urlsplit(encoded)
    page.goto(f"{parts.path}?{parts.query}")
    assert page.locator("select[name=collection_point_id]").input_value() == str(near.id)

    page.check("input[name=device_type][value=laptop]")
    page.check("input[name=condition][value=working]")
    page.fill("input[name=asset_tag]", "BM-PC-4242")
    page.check("input[name=wipe_requested]")
    page.click("form.return-form button[type=submit]")
    page.wait_for_url("**/recycling/returns/RC-*")
    receipt = page.url.rsplit("/", 1)[1]
    assert "Déclaré" in page.locator(".return-status").inner_text()

    # The agent confirms on a phone too: each return is a block with its button in view,
    # and the list is still a table of rows and cells for a screen reader.
    agent_context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    agent_page = agent_context.new_page()
    agent_page.set_default_timeout(10_000)
    _sign_in(agent_page, agent)
    agent_page.goto("/recycling/agent")
    row = agent_page.locator(f"#return-{receipt}")
    confirm = row.get_by_role("button", name="Confirmer la réception")
    box = confirm.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    read_out = agent_page.get_by_role("row").filter(has_text=receipt)
    assert read_out.get_by_role("cell").count() == 5
    assert agent_page.get_by_role("columnheader", name="Déclaré").count() == 1
    confirm.click()
    agent_page.wait_for_selector(f"#return-{receipt} [data-announce]")
    assert "Reçu par un agent" in agent_page.locator(f"#return-{receipt}").inner_text()
    agent_context.close()

    page.reload()
    assert "Reçu par un agent" in page.locator(".return-status").inner_text()
    assert f"signé par {agent.display_name}" in page.locator(".custody").inner_text()


@pytest.mark.browser
def test_withdrawing_a_declaration_asks_first(page, make, rec):
    """On a phone, in French: "Ne rien changer" keeps it, "La retirer" withdraws it."""
    point = rec.point(name="Point Mérignac", opening_hours="24/7")
    owner = make.user(locale="fr")
    device_return = rec.device_return(owner, point)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, owner)
    page.goto(f"/recycling/returns/{device_return.receipt_number}", wait_until="load")
    withdraw = page.get_by_role("button", name="Retirer ma déclaration")

    withdraw.click()
    dialog = page.get_by_role("alertdialog", name="Retirer cette déclaration\u00a0?")
    dialog.get_by_role("button", name="Ne rien changer").click()
    expect(dialog).to_have_count(0)
    expect(page.locator(".return-status")).to_have_text("Déclaré")

    withdraw.click()
    page.get_by_role("alertdialog").get_by_role("button", name="La retirer").click()
    expect(shown(page, "Votre déclaration a été retirée.")).to_be_visible()
    expect(page.locator(".return-status")).to_have_text("Retiré par la personne")
    expect(page.get_by_role("button", name="Retirer ma déclaration")).to_have_count(0)
