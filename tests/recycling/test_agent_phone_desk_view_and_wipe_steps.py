"""A collection agent on a phone, in French: the notes the owner will read say
so; the return's page keeps the desk's view and page, back and after its forms; the next
step comes before undoing the receipt; the wipe is dated today to start with; the
confirmations name the return; the desk's links are tap-sized; the poster has a way back
and a print button, neither printed."""

import html
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from app.recycling.models import PointAgent
from tests.conftest import browser_sign_in, login
from tests.recycling.conftest import local_today


@pytest.fixture
def desk(client, make, rec):
    """A point, its French agent signed in, and a function giving a laptop the agent
    received an hour ago (no certified wipe asked: both the wipe and the outcome forms)."""
    point = rec.point(name="Mairie de Pessac")
    agent = make.user(roles=("employee", "agent"), locale="fr")
    db.session.add(PointAgent(point_id=point.id, user_id=agent.id))
    db.session.commit()

    def received(**kwargs):
        kwargs.setdefault("wipe_requested", False)
        kwargs.setdefault("data_wiped", not kwargs["wipe_requested"])
        at = utcnow() - timedelta(hours=1)
        device_return = rec.device_return(
            make.user(locale="fr"), point, now=at - timedelta(minutes=5), **kwargs
        )
        services.confirm_receipt(device_return, agent, at)
        db.session.commit()
        return device_return

    login(client, agent)
    desk.point, desk.agent, desk.received = point, agent, received
    return desk


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def _hint(page: str, field: str) -> str:
    found = re.search(rf'<p class="hint" id="{field}-hint">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def _return_url(device_return) -> str:
    return f"/recycling/agent/returns/{device_return.receipt_number}"


def _back_link(page: str) -> str:
    return re.search(r'<a href="([^"]*)">Retour au guichet de collecte</a>', page).group(1)


# --- 1. What the owner reads is said where it is typed ------------------------------------


def test_the_outcome_note_says_its_owner_reads_it(client, desk):
    page = _text(client.get(_return_url(desk.received())))
    assert _hint(page, "note") == (
        "Par exemple : batterie retirée avant recyclage, ou la direction où il a été "
        "réaffecté. Montré au propriétaire de l'appareil dans sa chaîne de traçabilité, et "
        "effacé avec ses données personnelles."
    )


def test_the_wipe_certificate_says_its_owner_reads_it(client, desk):
    page = _text(client.get(_return_url(desk.received())))
    assert _hint(page, "certificate_number") == (
        "Montré au propriétaire de l'appareil dans sa chaîne de traçabilité."
    )


# --- 2. The desk's view and page, kept --------------------------------------------------


def test_the_desk_links_a_return_with_its_view(client, desk):
    device_return = desk.received()
    page = _text(client.get("/recycling/agent?status=all"))
    assert f'href="{_return_url(device_return)}?status=all"' in page


def test_the_return_links_back_to_the_desk_view_and_page_it_was_opened_from(client, desk):
    page = _text(client.get(_return_url(desk.received()) + "?status=waiting&page=2"))
    assert _back_link(page) == "/recycling/agent?status=waiting&page=2"


def test_a_view_or_page_typed_by_hand_links_back_to_the_default_desk(client, desk):
    page = _text(client.get(_return_url(desk.received()) + "?status=bogus&page=-3"))
    assert _back_link(page) == "/recycling/agent"


def test_a_receipt_looked_up_at_the_desk_keeps_its_view(client, desk):
    device_return = desk.received()
    found = client.get(f"/recycling/agent?receipt={device_return.receipt_number}&status=all&page=2")
    assert found.headers["Location"] == _return_url(device_return) + "?status=all&page=2"


def test_a_filter_applied_with_htmx_updates_the_view_the_search_sends(client, desk):
    answer = _text(client.get("/recycling/agent?status=all", headers={"HX-Request": "true"}))
    assert (
        '<span id="desk-place" hx-swap-oob="true"><input type="hidden" name="status" '
        'value="all"></span>'
    ) in answer


def test_the_wipe_recorded_comes_back_to_the_return_with_the_desk_view(client, desk, auth):
    device_return = desk.received()
    sent = auth.post(
        _return_url(device_return) + "/wipe?status=all&page=2",
        {"method": "software_overwrite", "wipe_date": local_today(), "certificate_number": "C-1"},
    )
    assert sent.headers["Location"] == _return_url(device_return) + "?status=all&page=2#step-answer"


def test_the_return_page_forms_carry_the_desk_view(client, desk):
    device_return = desk.received()
    page = _text(client.get(_return_url(device_return) + "?status=all&page=2"))
    assert f'action="{_return_url(device_return)}/outcome?status=all&page=2"' in page


# --- 4. The next step first, undoing the receipt below it --------------------------------


def test_the_wipe_comes_before_undoing_the_receipt(client, desk):
    page = _text(client.get(_return_url(desk.received())))
    assert 0 < page.index('id="wipe-heading"') < page.index('id="undo-receipt-heading"')


# --- 5. The wipe dated today to start with -------------------------------------------------


def test_the_wipe_date_starts_at_today(client, desk):
    page = _text(client.get(_return_url(desk.received())))
    field = re.search(r'<input[^>]*name="wipe_date"[^>]*>', page).group(0)
    assert f'value="{local_today()}"' in field


def test_a_wipe_date_after_today_is_still_refused(client, desk, auth):
    device_return = desk.received()
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    sent = auth.post(
        _return_url(device_return) + "/wipe",
        {"method": "software_overwrite", "wipe_date": tomorrow, "certificate_number": "C-1"},
    )
    assert sent.status_code == 422


# --- 6. The confirmations name the return -------------------------------------------------


def test_the_wipe_recorded_names_the_return(client, desk, auth):
    device_return = desk.received()
    sent = auth.post(
        _return_url(device_return) + "/wipe",
        {"method": "software_overwrite", "wipe_date": local_today(), "certificate_number": "C-1"},
        follow_redirects=True,
    )
    assert f"Effacement enregistré pour {device_return.receipt_number}." in _text(sent)


def test_the_outcome_recorded_names_the_return(client, desk, auth):
    device_return = desk.received()
    sent = auth.post(
        _return_url(device_return) + "/outcome",
        {"outcome": "recycled", "recipient": "Ecologic"},
        follow_redirects=True,
    )
    assert f"Devenir de l'appareil enregistré pour {device_return.receipt_number}." in _text(sent)


# --- 7. The poster: a way back and a print button, on screen only --------------------------


def test_the_poster_links_back_to_its_point(client, make, rec):
    point = rec.point(name="Mairie de Bègles")
    login(client, make.user(locale="fr"))
    page = _text(client.get(f"/recycling/points/{point.id}/poster"))
    assert f'<a href="/recycling/#point-{point.id}">Retour au point Mairie de Bègles</a>' in page


@pytest.mark.browser
def test_the_poster_prints_from_its_button_which_is_not_printed(page, make, rec):
    point = rec.point(name="Mairie de Bègles")
    page.add_init_script("window.print = function () { window.printed = true; };")
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, make.user(locale="fr"))
    page.goto(f"/recycling/points/{point.id}/poster")
    button = page.get_by_role("button", name="Imprimer")
    expect(button).to_be_visible()
    button.click()
    assert page.evaluate("window.printed") is True
    page.emulate_media(media="print")
    expect(button).to_be_hidden()
    expect(page.get_by_role("link", name="Retour au point Mairie de Bègles")).to_be_hidden()


# --- 3. The desk's links, tap-sized on a phone ---------------------------------------------


@pytest.mark.browser
def test_the_desk_links_are_44_px_tall_on_a_phone(page, desk):
    device_return = desk.received()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, desk.agent)
    page.goto("/recycling/agent?status=all")
    row = page.locator(f"#return-{device_return.receipt_number}")
    for link in (row.locator("th a"), row.get_by_role("link", name="Étape suivante")):
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44


@pytest.mark.parametrize("step", ["receive", "not-brought", "undo-receipt", "wipe", "outcome"])
def test_a_steps_address_left_in_the_bar_leads_to_the_return_with_its_view(client, desk, step):
    """A refused wipe shown again without JavaScript leaves `…/wipe?status=waiting` in the
    address bar: reloaded or opened in a new tab, it answered 405."""
    device_return = desk.received()
    answer = client.get(f"{_return_url(device_return)}/{step}?status=waiting")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{_return_url(device_return)}?status=waiting"
    db.session.refresh(device_return)
    assert device_return.status == "received"  # nothing recorded


def test_a_steps_address_of_another_points_return_is_not_found(client, desk, make, rec):
    elsewhere = rec.device_return(make.user(), rec.point(name="Mairie de Talence"))
    assert client.get(f"{_return_url(elsewhere)}/wipe").status_code == 404


def test_a_wipe_date_left_empty_says_what_to_enter(client, desk, auth):
    device_return = desk.received(wipe_requested=True)
    answer = auth.post(
        f"{_return_url(device_return)}/wipe",
        {"method": "software_overwrite", "wipe_date": "", "certificate_number": "C-1"},
    )
    assert answer.status_code == 422
    assert (
        "Indiquez la date de l'effacement : aujourd'hui ou un jour antérieur, pas avant la "
        "réception." in _text(answer)
    )
    db.session.refresh(device_return)
    assert (device_return.status, device_return.steps[-1].step) == ("received", "received")
