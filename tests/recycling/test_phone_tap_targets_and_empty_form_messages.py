"""On a phone (390 px, French): a person's receipt links and the ways back from a
receipt and from a return at the desk are 44 px targets; an accented asset tag is told
that letters are A to Z without accents; the return, wipe and outcome forms sent empty say
what to choose or enter, not « Ce champ est requis. »."""

import html
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from app.recycling.models import DeviceReturn
from tests.conftest import browser_sign_in, csrf_token, login
from tests.recycling.conftest import error_at, local_today

UNACCENTED_FR = (
    "Un numéro d'inventaire ne contient que des lettres sans accent (A à Z), des chiffres, "
    "des tirets, des points, des barres obliques, des tirets bas et des espaces, par "
    "exemple BM-PRI-001574."
)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def _returns() -> int:
    return db.session.scalar(select(func.count(DeviceReturn.id)))


@pytest.fixture
def desk(make, rec):
    """A French agent of a point, and a function giving a laptop they received an hour ago."""
    point = rec.point(name="Mairie de Pessac")
    agent = rec.agent(point)
    agent.locale = "fr"
    db.session.commit()

    def received(wipe_requested):
        at = utcnow() - timedelta(hours=1)
        device_return = rec.device_return(
            make.user(locale="fr"), point, now=at - timedelta(minutes=5),
            wipe_requested=wipe_requested, data_wiped=not wipe_requested,
        )  # fmt: skip
        services.confirm_receipt(device_return, agent, at)
        db.session.commit()
        return device_return

    return SimpleNamespace(agent=agent, received=received)


def _steps(device_return) -> list[str]:
    db.session.refresh(device_return)
    return [step.step for step in device_return.steps]


# --- 1. Tap-sized links on a phone ----------------------------------------------------------


def _height(locator) -> float:
    return locator.bounding_box()["height"]


@pytest.mark.browser
def test_a_persons_receipt_links_and_way_back_are_44_px_tall_on_a_phone(page, make, rec):
    owner = make.user(locale="fr")
    device_return = rec.device_return(owner, rec.point(name="Mairie de Talence"))
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, owner)
    heights = []
    for address in ("/recycling/", "/recycling/my-returns"):
        page.goto(address)
        heights.append(_height(page.get_by_role("link", name=device_return.receipt_number)))
    page.goto(f"/recycling/returns/{device_return.receipt_number}")
    heights.append(_height(page.get_by_role("link", name="Retour aux points de collecte")))
    assert min(heights) >= 44


@pytest.mark.browser
def test_the_way_back_to_the_desk_is_44_px_tall_on_a_phone(page, desk):
    device_return = desk.received(wipe_requested=True)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, desk.agent)
    page.goto(f"/recycling/agent/returns/{device_return.receipt_number}")
    assert _height(page.get_by_role("link", name="Retour au guichet de collecte")) >= 44


# --- 2. An accented asset tag ---------------------------------------------------------------


def test_an_accented_asset_tag_is_refused_as_letters_without_accents(client, auth, make, rec):
    point = rec.point()
    auth.sign_in(make.user(locale="fr"))
    data = {"collection_point_id": point.id, "device_type": "monitor", "condition": "working",
            "asset_tag": "ÉÈ-001"}  # fmt: skip
    response = auth.post("/recycling/returns/new", data)
    assert response.status_code == 422
    assert (
        html.unescape(error_at(response.get_data(as_text=True), "asset_tag")).replace("\u00a0", " ")
        == UNACCENTED_FR
    )
    assert _returns() == 0


def test_the_api_refuses_an_accented_asset_tag_as_letters_without_accents(client, make, rec):
    point = rec.point()
    login(client, make.user(locale="fr"))
    body = {"collection_point_id": point.id, "device_type": "monitor", "condition": "working",
            "asset_tag": "ÉÈ-001"}  # fmt: skip
    response = client.post(
        "/api/v1/device-returns", json=body, headers={"X-CSRFToken": csrf_token(client)}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["asset_tag"] == [UNACCENTED_FR]
    assert _returns() == 0


# --- 3. Empty fields say what to choose or enter --------------------------------------------


def test_the_return_form_sent_without_a_point_says_to_choose_one(client, auth, make, rec):
    rec.point()
    auth.sign_in(make.user(locale="fr"))
    response = auth.post("/recycling/returns/new", {"collection_point_id": ""})
    assert response.status_code == 422
    page = _text(response)
    assert error_at(page, "collection_point_id") == "Choisissez un point de collecte."
    assert "Ce champ est obligatoire." not in page
    assert _returns() == 0


def test_a_wipe_without_certificate_number_says_to_enter_it(client, auth, desk):
    received = desk.received(wipe_requested=True)
    login(client, desk.agent)
    response = auth.post(
        f"/recycling/agent/returns/{received.receipt_number}/wipe",
        {"method": "software_overwrite", "wipe_date": local_today(), "certificate_number": ""},
    )
    assert response.status_code == 422
    page = _text(response)
    assert error_at(page, "certificate_number") == (
        "Saisissez le numéro du certificat d'effacement."
    )
    assert "Ce champ est obligatoire." not in page
    assert _steps(received) == ["declared", "received"]


def test_an_outcome_sent_without_a_choice_says_to_choose_one(client, auth, desk):
    received = desk.received(wipe_requested=False)
    login(client, desk.agent)
    response = auth.post(
        f"/recycling/agent/returns/{received.receipt_number}/outcome", {"note": ""}
    )
    assert response.status_code == 422
    page = _text(response)
    assert error_at(page, "outcome") == "Choisissez le devenir de l'appareil."
    assert "Ce champ est obligatoire." not in page
    assert _steps(received) == ["declared", "received"]
