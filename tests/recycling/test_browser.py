"""The main journey in a real browser: nearest point, QR link, return, agent confirmation."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.models import Commune
from app.core.reference import sync_communes
from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from tests.conftest import browser_sign_in, shown
from tests.recycling.conftest import NOW, local_today

_sign_in = browser_sign_in


@pytest.mark.browser
@pytest.mark.journey
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
    # The button becomes its toggle, keeping the focus: it was left on screen, disabled.
    toggle = page.locator("#show-map")
    expect(toggle).to_have_text("Masquer la carte")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_be_enabled()
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#points-map")).to_be_hidden()
    expect(toggle).to_have_text("Afficher la carte")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#points-map")).to_be_visible()
    expect(page.locator("#points-map path.leaflet-interactive")).to_have_count(2)
    expect(toggle).to_have_attribute("aria-expanded", "true")

    # The poster's QR code encodes this URL; open it as a phone camera would.
    page.goto(f"/recycling/points/{near.id}/poster")
    encoded = page.locator(".poster-link code").inner_text()
    parts = urlsplit(encoded)
    page.goto(f"{parts.path}?{parts.query}")
    assert page.locator("select[name=collection_point_id]").input_value() == str(near.id)

    page.check("input[name=device_type][value=laptop]")
    page.check("input[name=condition][value=working]")
    page.fill("input[name=asset_tag]", "BM-PC-4242")
    page.check("input[name=wipe_requested][value=y]")
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
def test_the_hidden_wipe_question_is_not_required_and_is_again_once_shown(page, make, rec):
    """A monitor holds no data: its hidden question asks no answer (a browser checking
    the form, or a screen reader, saw a required group no one could answer)."""
    point = rec.point(name="Point Bègles", opening_hours="24/7")
    _sign_in(page, make.user(locale="fr"))
    page.goto(f"/recycling/returns/new?point={point.id}", wait_until="load")
    answers = page.locator("input[name=wipe_requested]")
    form_valid = "form => form.checkValidity()"

    page.check("input[name=device_type][value=monitor]")
    page.check("input[name=condition][value=working]")
    expect(page.locator("#wipe-choice")).to_be_hidden()
    for answer in answers.all():
        expect(answer).not_to_have_attribute("required", "")
    assert page.locator("form.return-form").evaluate(form_valid)

    page.check("input[name=device_type][value=laptop]")
    expect(page.locator("#wipe-choice")).to_be_visible()
    for answer in answers.all():
        expect(answer).to_have_attribute("required", "")
    assert not page.locator("form.return-form").evaluate(form_valid)

    page.check("input[name=device_type][value=monitor]")
    page.click("form.return-form button[type=submit]")
    page.wait_for_url("**/recycling/returns/RC-*")
    assert "Déclaré" in page.locator(".return-status").inner_text()


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
    expect(page.locator(".return-status")).to_have_text("Retiré par vous")
    expect(page.get_by_role("button", name="Retirer ma déclaration")).to_have_count(0)


@pytest.mark.browser
def test_an_agent_confirms_the_outcome_before_it_is_signed(page, make, rec):
    """On a phone: "Recyclé" asks first, naming who received the device, "Annuler" records
    nothing, "Enregistrer" signs it; without an organisation it asks nothing: the server
    says the organisation is required."""
    point = rec.point(name="Point Bègles", opening_hours="24/7")
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point, wipe_requested=False, data_wiped=True)
    receipt = device_return.receipt_number
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, agent)
    page.goto(f"/recycling/agent/returns/{receipt}", wait_until="load")
    page.get_by_role("button", name="Confirmer la réception").click()
    recycled = page.get_by_role("button", name="Recyclé", exact=True)

    recycled.click()
    expect(page.get_by_text("Indiquez l'organisme à qui l'appareil a été remis")).to_be_visible()
    expect(page.locator(".return-status")).to_have_text("Reçu par un agent")
    page.get_by_label("Remis à (organisme)").fill("Ecologic")
    recycled = page.get_by_role("button", name="Recyclé", exact=True)
    recycled.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(
        f"Enregistrer « Recyclé » pour {receipt}, remis à Ecologic\u00a0?"
    )
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_have_count(0)
    expect(page.locator(".return-status")).to_have_text("Reçu par un agent")

    recycled.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Enregistrer « Recyclé »").click()
    expect(page.locator(".return-status")).to_have_text("Recyclé")
    expect(page.locator(".custody")).to_contain_text(f"signé par {agent.display_name}")
    expect(page.locator(".custody")).to_contain_text("Remis à Ecologic")


@pytest.mark.browser
def test_an_agent_types_a_receipt_number_and_lands_on_the_return(page, make, rec):
    """At the desk, with the keyboard only: the number as read out, lower case, no prefix."""
    point = rec.point(name="Point Talence", opening_hours="24/7")
    agent = rec.agent(point)
    for _ in range(3):
        rec.device_return(make.user(), point)
    wanted = rec.device_return(make.user(), point, asset_tag="BM-PC-7777")
    _sign_in(page, agent)
    page.goto("/recycling/agent")
    field = page.get_by_role("searchbox", name="Numéro de reçu ou d'inventaire")
    field.focus()
    body = wanted.receipt_number[3:]  # "XXXX-XXXX"
    page.keyboard.type(body.replace("-", " ").lower())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/recycling/agent/returns/{wanted.receipt_number}")
    expect(page.locator("main")).to_contain_text("BM-PC-7777")

    page.goto("/recycling/agent")
    page.get_by_role("searchbox", name="Numéro de reçu ou d'inventaire").fill("RC-2222-3333")
    page.get_by_role("button", name="Ouvrir le dépôt").click()
    expect(page.locator("#receipt-error")).to_have_text(
        "Aucun dépôt ne porte ce numéro de reçu ou d'inventaire à vos points de collecte."
    )
    expect(page.get_by_role("searchbox", name="Numéro de reçu ou d'inventaire")).to_have_attribute(
        "aria-invalid", "true"
    )


@pytest.fixture
def page_near_ambes(browser, live_server):
    """A page whose browser may tell its position: near Ambès, north of the metropolis."""
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", permissions=["geolocation"],
        geolocation={"latitude": 45.01, "longitude": -0.53},
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _pessac_points_then_ambes(make, rec):
    """Twelve points in Pessac (more than a page of ten), then the one in Ambès, the
    nearest to that position and not on the first page: Pessac and that point."""
    home = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    north = make.commune(name="Ambès", latitude=45.011, longitude=-0.532)
    for n in range(12):
        rec.point(commune=home, name=f"Point Pessac {n:02d}", opening_hours="24/7")
    return home, rec.point(commune=north, name="Point Ambès", opening_hours="24/7")


@pytest.mark.browser
def test_nearest_to_my_position_sorts_in_the_browser_and_sends_no_position(
    page_near_ambes, make, rec
):
    page = page_near_ambes
    home, _ambes = _pessac_points_then_ambes(make, rec)
    owner = make.user(commune=home)
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    _sign_in(page, owner)
    page.goto("/recycling/")
    assert page.locator(".point-list h3").first.inner_text() != "Point Ambès"
    expect(page.locator("#locate-hint")).to_be_visible()
    page.get_by_role("button", name="Les plus proches de ma position actuelle").click()
    expect(page.locator("#sort-status")).to_have_text(
        "Du plus proche au plus éloigné, depuis votre position."
    )
    assert page.locator(".point-list h3").first.inner_text() == "Point Ambès"
    assert page.locator(".point-list .point-card").count() == 13
    assert "km" in page.locator(".point-list .point-meta").first.inner_text()
    assert not [url for url in asked if "lat=" in url or "45.01" in url]


@pytest.mark.browser
def test_after_sorting_from_my_position_the_map_marks_every_listed_point(
    page_near_ambes, make, rec
):
    page = page_near_ambes
    home, far = _pessac_points_then_ambes(make, rec)
    _sign_in(page, make.user(commune=home))
    page.goto("/recycling/")
    page.get_by_role("button", name="Afficher la carte").click()
    markers = page.locator("#points-map path.leaflet-interactive")
    expect(markers).to_have_count(10)  # the first page's cards
    page.get_by_role("button", name="Les plus proches de ma position actuelle").click()
    expect(page.locator(".point-list .point-card")).to_have_count(13)
    expect(markers).to_have_count(13)  # without a reload
    # As before: a marker names its point, and choosing it brings the focus to its card.
    ambes = markers.first  # drawn in the list's order: the nearest first
    ambes.hover()
    expect(page.locator(".leaflet-tooltip").filter(has_text="Point Ambès")).to_be_visible()
    ambes.click()
    expect(page.locator(f"#point-{far.id}")).to_be_focused()


VISIBLE_LABELS = """() => Array.from(document.querySelectorAll('#points-map .commune-label'))
    .filter(el => getComputedStyle(el).visibility !== 'hidden')
    .map(el => { const b = el.getBoundingClientRect();
                 return {name: el.textContent, left: b.left, top: b.top, right: b.right,
                         bottom: b.bottom}; })"""


def _overlapping(labels):
    return [
        (a["name"], b["name"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if a["left"] < b["right"] and b["left"] < a["right"]
        and a["top"] < b["bottom"] and b["top"] < a["bottom"]
    ]  # fmt: skip


@pytest.mark.browser
def test_commune_names_on_a_phones_map_never_print_over_each_other(page, make, rec):
    """The 28 communes of Bordeaux Métropole, one point each, on a 390 px wide screen."""
    sync_communes(NOW)
    db.session.commit()
    communes = {c.name: c for c in db.session.scalars(select(Commune))}
    for commune in communes.values():
        rec.point(commune=commune, name=f"Mairie – {commune.name}", opening_hours="24/7")
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, make.user(commune=communes["Mérignac"], with_department=False))
    page.goto("/recycling/")
    page.get_by_role("button", name="Afficher la carte").click()
    expect(page.locator("#points-map .commune-label")).to_have_count(28)
    shown = page.evaluate(VISIBLE_LABELS)
    assert len(shown) >= 8, shown  # most of the map is still named
    assert "Mérignac" in {label["name"] for label in shown}  # the nearest points' communes first
    assert not _overlapping(shown)
    page.get_by_role("button", name="Zoom avant").click()  # room for names hidden so far
    hidden = set(communes) - {label["name"] for label in shown}
    for _ in range(100):  # the zoom is animated
        closer = page.evaluate(VISIBLE_LABELS)
        if hidden & {label["name"] for label in closer}:
            break
        page.wait_for_timeout(100)
    assert hidden & {label["name"] for label in closer}
    assert not _overlapping(closer)


# Leaflet empties the paths it does not draw (outside the view): they have no size.
MARKERS_IN_VIEW = """() => { const map = document.getElementById('points-map').getBoundingClientRect();
    return Array.from(document.querySelectorAll('#points-map path.leaflet-interactive'))
      .filter(m => { const b = m.getBoundingClientRect();
                     return b.width > 0 && b.right > map.left && b.left < map.right
                         && b.bottom > map.top && b.top < map.bottom; }).length; }"""


@pytest.mark.browser
def test_on_a_phone_the_map_zooms_to_the_points_nearest_to_my_position(page_near_ambes, make, rec):
    """Three points around that position, ten in Pessac: the map then shows the three and
    marks the position, instead of the whole metropolis."""
    page = page_near_ambes
    page.set_viewport_size({"width": 390, "height": 844})
    home = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    north = make.commune(name="Ambès", latitude=45.011, longitude=-0.532)
    for n in range(10):
        rec.point(commune=home, name=f"Point Pessac {n:02d}", opening_hours="24/7",
                  latitude=44.806 + n * 0.002, longitude=-0.631)  # fmt: skip
    for n, (lat, lon) in enumerate(((45.012, -0.531), (45.006, -0.525), (45.018, -0.540))):
        rec.point(commune=north, name=f"Point Ambès {n}", opening_hours="24/7",
                  latitude=lat, longitude=lon)  # fmt: skip
    _sign_in(page, make.user(commune=home))
    page.goto("/recycling/")
    page.get_by_role("button", name="Afficher la carte").click()
    expect(page.locator("#points-map path.leaflet-interactive")).to_have_count(10)
    page.get_by_role("button", name="Les plus proches de ma position actuelle").click()
    expect(page.locator("#points-map path.leaflet-interactive")).to_have_count(13)
    expect(page.locator("#points-map .my-position")).to_have_count(1)
    expect(
        page.locator("#points-map .leaflet-tooltip").filter(has_text="Vous êtes ici")
    ).to_be_visible()
    in_view = None
    for _ in range(50):  # the zoom may be animated (a string to wait on breaks the CSP)
        in_view = page.evaluate(MARKERS_IN_VIEW)
        if in_view == 3:
            break
        page.wait_for_timeout(100)
    assert in_view == 3  # the three nearest, not Pessac


@pytest.mark.browser
def test_a_temporarily_closed_point_s_marker_says_so_not_just_closed(page, make, rec):
    """« Fermé » is also what a point outside its hours reads: a point an admin closed
    for works is news of another kind."""
    home = make.commune(name="Bègles")
    rec.point(commune=home, name="Mairie de Bègles", active=False, opening_hours="24/7")
    _sign_in(page, make.user(commune=home))
    page.goto("/recycling/")
    page.get_by_role("button", name="Afficher la carte").click()
    marker = page.locator("#points-map path.leaflet-interactive").first
    marker.hover()
    expect(page.locator(".leaflet-tooltip:not(.commune-label)")).to_have_text(
        "Mairie de Bègles – Fermé temporairement"
    )


@pytest.mark.browser
def test_the_desks_status_filter_is_sent_by_filter_not_by_each_arrow_key(page, make, rec):
    """A keyboard user goes through the menu's options with the arrows: nothing is sent
    until "Filtrer", which sends one request."""
    point = rec.point(name="Point Bègles", opening_hours="24/7")
    agent = rec.agent(point)
    rec.device_return(make.user(), point)
    _sign_in(page, agent)
    page.goto("/recycling/agent", wait_until="load")
    sent = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if "/recycling/agent?" in request.url else None,
    )
    page.get_by_role("combobox", name="Statut").focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    assert sent == []
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"status="))
    page.wait_for_timeout(500)
    assert len(sent) == 1


@pytest.mark.browser
def test_a_wipe_without_its_method_is_refused_before_anything_is_asked(page, make, rec):
    """No method chosen: nothing is asked, the server says so at the field; chosen, the
    question quotes the certificate."""
    point = rec.point(name="Point Bègles", opening_hours="24/7")
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(), point, now=utcnow() - timedelta(hours=2))
    services.confirm_receipt(device_return, agent, utcnow() - timedelta(hours=1))
    db.session.commit()
    _sign_in(page, agent)
    page.goto(f"/recycling/agent/returns/{device_return.receipt_number}", wait_until="load")
    page.get_by_label("Date de l'effacement").fill(local_today())
    page.get_by_label("Numéro de certificat").fill("CERT-1")
    page.get_by_role("button", name="Enregistrer l'effacement").click()
    expect(page.locator("#method-error")).to_have_text("Choisissez une méthode d'effacement.")
    expect(page.get_by_role("alertdialog")).to_have_count(0)

    page.get_by_label("Méthode d'effacement").select_option("crypto_erase")
    page.get_by_role("button", name="Enregistrer l'effacement").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("CERT-1")


@pytest.mark.browser
def test_a_points_name_in_its_marker_reads_as_typed_never_as_markup(page, make, rec):
    """Leaflet writes a string tooltip as HTML: a name with angle brackets must read as
    typed, and no markup an admin or an import wrote reaches an employee's map."""
    home = make.commune(name="Bègles")
    rec.point(commune=home, name='Mairie <annexe> <a href="//evil.example">ici</a>',
              opening_hours="24/7")  # fmt: skip
    _sign_in(page, make.user(commune=home))
    page.goto("/recycling/")
    page.get_by_role("button", name="Afficher la carte").click()
    page.locator("#points-map path.leaflet-interactive").first.hover()
    tooltip = page.locator(".leaflet-tooltip:not(.commune-label)")
    expect(tooltip).to_have_text(
        'Mairie <annexe> <a href="//evil.example">ici</a> – Ouvert maintenant'
    )
    assert tooltip.locator("a").count() == 0
