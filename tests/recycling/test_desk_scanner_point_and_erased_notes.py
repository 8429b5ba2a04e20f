"""The collection desk as an agent met it: a handheld scanner typing a receipt's whole QR
address into the search, an agent of several points looking for the person who just
declared, the outcome's question asked for a reuse the server refuses, and notes typed
about a return whose owner's account was erased."""

import html
from datetime import timedelta

import pytest
from flask import current_app
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from app.recycling.models import CustodyStep, DeviceReturn
from tests.conftest import Auth, browser_sign_in, csrf_token, login

SEARCH = "Numéro de reçu ou d'inventaire"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- 1. a scanned address ---------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "https://intranet.metropole-exemple.fr/portails/empreinte/recycling/agent/returns/{n}",
        "https://intranet.metropole-exemple.fr/portails/empreinte/recycling/returns/{n}",
        "https://intranet.metropole-exemple.fr/portails/empreinte/recycling/returns/{n}/status",
    ],
)
def test_a_scanned_address_longer_than_a_receipt_opens_its_return(client, waiting, address):
    _owner, agent, device_return = waiting
    number = device_return.receipt_number
    typed = address.format(n=number)
    assert len(typed) > 64
    login(client, agent)
    response = client.get("/recycling/agent", query_string={"receipt": typed})
    assert response.status_code == 302
    assert response.location.endswith(f"/recycling/agent/returns/{number}")


def test_an_address_of_no_receipt_is_refused_as_before(client, waiting):
    _owner, agent, _return = waiting
    login(client, agent)
    page = _text(
        client.get("/recycling/agent", query_string={"receipt": "https://x.fr/recycling/"})
    )
    assert "Aucun dépôt ne porte ce numéro de reçu ou d'inventaire" in page


@pytest.mark.browser
def test_a_scanner_typing_the_qr_address_as_the_desk_opens_lands_on_the_return(page, waiting):
    _owner, agent, device_return = waiting
    number = device_return.receipt_number
    browser_sign_in(page, agent)
    page.goto("/recycling/agent", wait_until="load")
    expect(page.get_by_role("searchbox", name=SEARCH)).to_be_focused()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    page.keyboard.type(f"{base}/portail-de-la-metropole/recycling/agent/returns/{number}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/recycling/agent/returns/{number}")
    expect(page.locator("h1")).to_have_text(f"Dépôt {number}")


# --- 2. the point the desk stands at ----------------------------------------------------


@pytest.fixture
def two_points(make, rec):
    """An agent of two points, an old declaration at each, and two made today at the
    second, the newest last."""
    cenon = rec.point(name="Point Cenon", opening_hours="24/7")
    floirac = rec.point(name="Point Floirac", opening_hours="24/7")
    other = rec.point(name="Point Lormont", opening_hours="24/7")
    agent = rec.agent(cenon, floirac)
    long_ago = utcnow() - timedelta(days=3)
    old_cenon = rec.device_return(make.user(), cenon, now=long_ago)
    old_floirac = rec.device_return(make.user(), floirac, now=long_ago)
    earlier = rec.device_return(make.user(), floirac, now=utcnow() - timedelta(seconds=30))
    newest = rec.device_return(make.user(), floirac, "tablet", now=utcnow())
    return agent, cenon, floirac, other, old_cenon, old_floirac, earlier, newest


def test_the_desk_lists_the_point_chosen_and_remembers_it(client, two_points):
    agent, _cenon, floirac, _other, old_cenon, old_floirac, _earlier, _newest = two_points
    login(client, agent)
    page = _text(client.get("/recycling/agent", query_string={"point": floirac.id}))
    assert old_floirac.receipt_number in page and old_cenon.receipt_number not in page
    again = _text(client.get("/recycling/agent"))  # the session kept the point
    assert old_floirac.receipt_number in again and old_cenon.receipt_number not in again
    every = _text(client.get("/recycling/agent", query_string={"point": ""}))
    assert old_floirac.receipt_number in every and old_cenon.receipt_number in every


def test_another_agents_point_cannot_be_chosen(client, two_points):
    agent, _cenon, _floirac, other, old_cenon, old_floirac, _earlier, _newest = two_points
    login(client, agent)
    page = _text(client.get("/recycling/agent", query_string={"point": other.id}))
    assert f'value="{other.id}"' not in page
    assert old_floirac.receipt_number in page and old_cenon.receipt_number in page


def test_the_declarations_of_today_come_first_newest_first(client, two_points):
    agent, _cenon, floirac, _other, _old_cenon, old_floirac, earlier, newest = two_points
    login(client, agent)
    page = _text(client.get("/recycling/agent", query_string={"point": floirac.id}))
    today = page.split("Déclarés aujourd'hui à Point Floirac", 1)[1].split("</ul>", 1)[0]
    assert today.index(newest.receipt_number) < today.index(earlier.receipt_number)
    assert old_floirac.receipt_number not in today


@pytest.mark.browser
def test_choosing_the_point_at_the_desk_keeps_its_returns(page, two_points):
    agent, _cenon, floirac, _other, old_cenon, old_floirac, _earlier, newest = two_points
    browser_sign_in(page, agent)
    page.goto("/recycling/agent", wait_until="load")
    page.get_by_label("Point de collecte").select_option(label=floirac.label)
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#agent-returns")).not_to_contain_text(old_cenon.receipt_number)
    expect(
        page.get_by_role("heading", name=f"Déclarés aujourd'hui à {floirac.label}")
    ).to_be_visible()
    page.goto("/recycling/agent", wait_until="load")
    expect(page.get_by_label("Point de collecte")).to_have_value(str(floirac.id))
    expect(page.locator("#agent-returns")).to_contain_text(old_floirac.receipt_number)
    expect(page.locator("#agent-returns")).to_contain_text(newest.receipt_number)
    expect(page.locator("#agent-returns")).not_to_contain_text(old_cenon.receipt_number)


# --- 3. the outcome's question after the check ------------------------------------------


@pytest.mark.browser
def test_a_reuse_with_a_recipient_is_refused_before_any_question(page, make, rec):
    point = rec.point(name="Point Bègles", opening_hours="24/7")
    agent = rec.agent(point)
    monitor = rec.device_return(make.user(), point, "monitor", wipe_requested=False)
    services.confirm_receipt(monitor, agent, utcnow())
    db.session.commit()
    browser_sign_in(page, agent)
    page.goto(f"/recycling/agent/returns/{monitor.receipt_number}", wait_until="load")
    page.get_by_label("Remis à (organisme)").fill("Ecologic")
    page.get_by_role("button", name="Réemployé dans l'administration").click()
    expect(page.get_by_text("laissez vides « Remis à » et le numéro de bordereau")).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.locator(".return-status")).to_have_text("Reçu par un agent")
    # Emptied, the reuse asks first, as before.
    page.get_by_label("Remis à (organisme)").fill("")
    page.get_by_role("button", name="Réemployé dans l'administration").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Réemployé dans l'administration")


# --- 4. an erased owner's return takes no note ------------------------------------------


@pytest.fixture
def erased_owners_monitor(make, rec):
    """A received monitor whose owner's account was then erased, and its point's agent."""
    point = rec.point(name="Point Bouliac", opening_hours="24/7")
    agent = rec.agent(point)
    owner = make.user(display_name="Camille Martin")
    monitor = rec.device_return(owner, point, "monitor", wipe_requested=False)
    services.confirm_receipt(monitor, agent, utcnow())
    db.session.commit()
    erase_user(owner, utcnow())
    db.session.commit()
    return agent, monitor.receipt_number


def test_an_erased_owners_return_offers_no_note(client, erased_owners_monitor):
    agent, number = erased_owners_monitor
    login(client, agent)
    page = _text(client.get(f"/recycling/agent/returns/{number}"))
    assert "Remarque (facultative)" not in page
    assert "Pourquoi annuler cette réception" not in page
    assert "effacé avec ses données personnelles" not in page
    assert "Le compte de son propriétaire a été effacé : aucune remarque" in page.replace(
        "\u00a0", " "
    )


def test_a_note_sent_for_an_erased_owners_return_is_refused(client, erased_owners_monitor):
    agent, number = erased_owners_monitor
    login(client, agent)
    data = {"csrf_token": csrf_token(client), "outcome": "reused", "note": "Camille, bureau 214"}
    page = _text(client.post(f"/recycling/agent/returns/{number}/outcome", data=data))
    assert "une remarque resterait pour toujours" in page
    returned = db.session.scalar(select(DeviceReturn).filter_by(receipt_number=number))
    assert returned.status == "received"


def test_an_erased_owners_undone_receipt_keeps_no_typed_reason(client, erased_owners_monitor):
    agent, number = erased_owners_monitor
    login(client, agent)
    sent = {"reason": "Camille Martin a apporté l'écran de son conjoint"}
    answer = Auth(client).post(f"/recycling/agent/returns/{number}/undo-receipt", data=sent)
    assert answer.status_code == 302
    returned = db.session.scalar(select(DeviceReturn).filter_by(receipt_number=number))
    notes = db.session.scalars(
        select(CustodyStep.note).where(CustodyStep.return_id == returned.id)
    ).all()
    assert returned.status == "declared"
    assert "Réception enregistrée par erreur." in notes
    assert not any("Camille" in (note or "") for note in notes)
