"""Wipe methods that fit the device, the outcome after the wipe, the closed point's word, and the return form naming the point picked: through the client."""

import html
import re

import pytest

from app.core.devices import DEVICE_TYPES
from app.extensions import db
from app.recycling import hours, services
from app.recycling.models import WIPE_METHODS, DeviceReturn
from tests.conftest import login
from tests.recycling.conftest import NOW, local_today


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _received(auth, client, rec, make, device_type="laptop", **kwargs):
    """A return of `device_type` received by an agent signed in on `client`; its page's URL."""
    point = rec.point()
    device_return = rec.device_return(make.user(), point, device_type, **kwargs)
    agent = rec.agent(point)
    agent.locale = "fr"
    db.session.commit()
    login(client, agent)
    base = f"/recycling/agent/returns/{device_return.receipt_number}"
    auth.post(f"{base}/receive")
    return device_return, base


def _methods_offered(page: str) -> list[str]:
    select = re.search(r'<select[^>]*name="method".*?</select>', page, re.S).group(0)
    return re.findall(r'<option[^>]*value="([^"]+)"', select)


# --- 1. the wipe method fits the device ---------------------------------------------------


def test_every_data_bearing_type_has_a_fitting_wipe_and_others_none():
    for kind in DEVICE_TYPES.values():
        assert set(kind.wipe_methods) <= set(WIPE_METHODS)
        assert bool(kind.wipe_methods) == kind.data_bearing
        if kind.data_bearing:
            assert "physical_destruction" in kind.wipe_methods


@pytest.mark.parametrize(
    ("device_type", "offered"),
    [
        ("laptop", ["software_overwrite", "crypto_erase", "physical_destruction"]),
        ("smartphone", ["factory_reset", "physical_destruction"]),
        ("printer", ["factory_reset", "physical_destruction"]),
    ],
)
def test_the_wipe_form_offers_only_the_methods_that_fit_the_device(
    client, auth, make, rec, device_type, offered
):
    _device_return, base = _received(auth, client, rec, make, device_type)
    assert _methods_offered(_text(client.get(base))) == offered


@pytest.mark.parametrize("ask_first", [False, True], ids=["script", "no-script"])
def test_a_laptops_factory_reset_is_refused_at_the_method_field(client, auth, make, rec, ask_first):
    """Scripts off, the question is not asked either: the method is refused first."""
    device_return, base = _received(auth, client, rec, make, "laptop")
    data = {"method": "factory_reset", "wipe_date": local_today(),
            "certificate_number": "CERT-1"}  # fmt: skip
    if ask_first:
        data["ask_first_after_check"] = "1"
    refused = auth.post(f"{base}/wipe", data)
    assert refused.status_code == 422
    error = _text(refused).split('id="method-error">', 1)[1].split("</p>", 1)[0]
    assert "ne convient pas au type d'appareil «\u00a0Ordinateur portable\u00a0»" in error
    assert db.session.get(DeviceReturn, device_return.id).status == "received"


def test_the_service_refuses_a_wipe_method_that_does_not_fit(make, rec):
    point = rec.point()
    device_return = rec.device_return(make.user(), point, "laptop")
    agent = rec.agent(point)
    services.confirm_receipt(device_return, agent, NOW)
    with pytest.raises(services.ReturnError) as refused:
        services.record_wipe(device_return, agent, "factory_reset", NOW.date(), "C-1", NOW)
    assert refused.value.field == "method"


# --- 2. a point is « Fermé », not « Terminée » ------------------------------------------


def test_the_map_labels_a_closed_point_ferme(client, make, rec):
    rec.point()
    login(client, make.user(locale="fr"))
    page = _text(client.get("/recycling/"))
    assert 'data-closed-label="Fermé"' in page and "Terminée" not in page


def test_a_point_closed_for_good_says_ferme(app):
    assert hours.status_text("off", NOW, "fr") == "Fermé"
    assert hours.status_text("off", NOW, "en") == "Closed"


# --- 3. and 4. the agent's page around a requested wipe ------------------------------------


def test_the_outcome_buttons_wait_for_the_requested_wipe(client, auth, make, rec):
    _device_return, base = _received(auth, client, rec, make, "laptop", wipe_requested=True)
    waiting = _text(client.get(base))
    assert 'name="outcome"' not in waiting
    assert "Un effacement certifié a été demandé" in waiting
    today = local_today()
    auth.post(f"{base}/wipe", {"method": "crypto_erase", "wipe_date": today,
                               "certificate_number": "CERT-3"})  # fmt: skip
    assert 'name="outcome"' in _text(client.get(base))


def test_the_outcome_is_still_refused_before_the_requested_wipe(client, auth, make, rec):
    device_return, base = _received(auth, client, rec, make, "laptop", wipe_requested=True)
    assert (
        auth.post(
            f"{base}/outcome", {"outcome": "donated", "recipient": "Emmaüs Connect"}
        ).status_code
        == 422
    )
    assert db.session.get(DeviceReturn, device_return.id).status == "received"


def test_the_agent_sees_the_certified_wipe_done_with_its_date(client, make, rec):
    point = rec.point()
    device_return = rec.device_return(make.user(), point, "laptop", wipe_requested=True)
    agent = rec.agent(point)
    agent.locale = "fr"
    # Received the day of the wipe: a wipe cannot be dated before the receipt.
    services.confirm_receipt(device_return, agent, NOW)
    services.record_wipe(device_return, agent, "crypto_erase", NOW.date(), "CERT-7", NOW)
    db.session.commit()
    login(client, agent)
    page = _text(client.get(f"/recycling/agent/returns/{device_return.receipt_number}"))
    assert "Effacement certifié réalisé le 25 nov. 2026" in page
    assert "Effacement certifié demandé" not in page


# --- 5. the return form follows the point picked ------------------------------------------


def test_picking_another_point_swaps_its_intro_and_accepted_types(client, make, rec):
    rec.point(name="Cité municipale")
    other = rec.point(name="Mairie de Cenon", address="1 avenue Carnot",
                      accepted_types="laptop,monitor")  # fmt: skip
    login(client, make.user(locale="fr"))
    form = _text(client.get("/recycling/returns/new"))
    assert 'hx-get="/recycling/returns/new"' in form and 'hx-target="#point-intro"' in form
    fragment = _text(
        client.get(
            f"/recycling/returns/new?collection_point_id={other.id}", headers={"HX-Request": "true"}
        )
    )
    assert "<html" not in fragment and 'id="point-intro"' in fragment
    assert "À Mairie de Cenon, 1 avenue Carnot." in fragment
    assert 'data-accepted="laptop,monitor"' in fragment
    assert "Ordinateur portable, écran" in fragment and "Cité municipale" not in fragment


def test_without_htmx_the_form_names_the_point_and_what_it_accepts(client, make, rec):
    point = rec.point(name="Mairie de Cenon", accepted_types="laptop,monitor")
    login(client, make.user(locale="fr"))
    page = _text(client.get(f"/recycling/returns/new?point={point.id}"))
    assert "<html" in page and "À Mairie de Cenon," in page
    assert "Ordinateur portable, écran" in page


def test_a_closed_point_picked_gives_an_empty_intro(client, make, rec):
    closed = rec.point(name="Point fermé", active=False)
    login(client, make.user(locale="fr"))
    fragment = _text(
        client.get(
            f"/recycling/returns/new?collection_point_id={closed.id}",
            headers={"HX-Request": "true"},
        )
    )
    assert 'id="point-intro"' in fragment and "Point fermé" not in fragment
    assert "data-accepted" not in fragment


def test_a_refused_device_type_keeps_the_focus_on_the_type_checked(client, auth, make, rec):
    point = rec.point(accepted_types="laptop,desktop")
    login(client, make.user(locale="en"))
    refused = auth.post("/recycling/returns/new", {
        "collection_point_id": point.id, "device_type": "monitor", "condition": "working"})  # fmt: skip
    assert refused.status_code == 422
    focused = re.findall(r"<input[^>]*\bautofocus\b[^>]*>", _text(refused))
    assert len(focused) == 1 and 'value="monitor"' in focused[0]


# --- the data question, only for devices that hold data --------------------------------------
# Hidden by recycling.js for the other types, which then drops its radios' `required`
# (tests/recycling/test_browser.py): the server asks no answer of them either.


def test_the_data_question_s_radios_carry_what_the_script_hides_them_by(client, make, rec):
    rec.point()
    login(client, make.user(locale="fr"))
    page = _text(client.get("/recycling/returns/new"))
    box = re.search(r'<div id="wipe-choice".*?</fieldset>', page, re.S).group(0)
    answers = re.findall(r'<input[^>]*name="wipe_requested"[^>]*>', box)
    assert len(answers) == 2 and all(re.search(r"\brequired\b", a) for a in answers)
    types = re.findall(r'<input[^>]*name="device_type"[^>]*>', page)
    bearing = {re.search(r'value="(\w+)"', t)[1]: re.search(r'data-bearing="(\w+)"', t)[1]
               for t in types}  # fmt: skip
    assert bearing == {t: "yes" if kind.data_bearing else "no" for t, kind in DEVICE_TYPES.items()}


@pytest.mark.parametrize("left_ticked", [None, "y", "n"])
def test_a_device_without_data_is_declared_whatever_the_hidden_question_holds(
    client, auth, make, rec, left_ticked
):
    """No answer, or the one left ticked for a laptop before picking a monitor: accepted,
    and no wipe is recorded for a device that holds no data."""
    point = rec.point()
    login(client, make.user())
    data = {"collection_point_id": point.id, "device_type": "monitor", "condition": "working"}
    if left_ticked:
        data["wipe_requested"] = left_ticked
    assert auth.post("/recycling/returns/new", data).status_code == 302
    device_return = db.session.scalar(db.select(DeviceReturn))
    assert not device_return.wipe_requested and not device_return.data_wiped


# --- an outcome is asked about first, with scripts off too ----------------------------------


def test_without_scripts_an_outcome_is_asked_about_before_it_is_signed(client, auth, make, rec):
    """Its buttons asked only through portal.js: one click, scripts off, signed an outcome
    that can never be changed."""
    device_return, base = _received(auth, client, rec, make, "monitor")
    page = _text(client.get(base))
    assert '<noscript><input type="hidden" name="ask_first_after_check" value="1">' in page
    asked = auth.post(f"{base}/outcome", {"outcome": "reused", "ask_first_after_check": "1"})
    question = _text(asked)
    assert asked.status_code == 200
    assert (
        f"Enregistrer «\u00a0Réemployé dans l'administration\u00a0» pour {device_return.receipt_number}"
        in question
    )
    assert db.session.get(DeviceReturn, device_return.id).status == "received"
    auth.post(f"{base}/outcome", {"outcome": "reused"})
    assert db.session.get(DeviceReturn, device_return.id).status == "reused"


def test_without_scripts_an_outcome_already_recorded_is_refused_not_asked(client, auth, make, rec):
    device_return, base = _received(auth, client, rec, make, "monitor")
    auth.post(f"{base}/outcome", {"outcome": "recycled", "recipient": "Ecologic"})
    again = auth.post(f"{base}/outcome", {"outcome": "reused", "ask_first_after_check": "1"})
    assert again.status_code == 422
    assert db.session.get(DeviceReturn, device_return.id).status == "recycled"
