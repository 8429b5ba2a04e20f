"""Handing devices over in batches: the agent ticks the devices of one point ready to
leave, types the organisation and the slip number once, confirms once; each device gets
its own signed outcome step (as one by one), and the slip's page lists them for print."""

import html
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from app.recycling.models import DeviceReturn
from tests.conftest import browser_sign_in, csrf_token, login
from tests.recycling.conftest import local_today


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def desk(make, rec):
    """A point with three devices ready (a received monitor, a wiped laptop, a received
    accessory), a laptop still waiting for its certified wipe, and the point's agent."""
    point = rec.point(name="Mairie de Pessac")
    agent = rec.agent(point, locale="fr")
    owner = make.user(locale="en", display_name="Odile Propriétaire")
    now = utcnow()
    monitor = rec.device_return(owner, point, "monitor", wipe_requested=False, now=now,
                                asset_tag="BM-MON-1")  # fmt: skip
    laptop = rec.device_return(owner, point, "laptop", now=now, asset_tag="BM-PC-2")
    printer = rec.device_return(owner, point, "accessory", wipe_requested=False, now=now)
    unwiped = rec.device_return(owner, point, "laptop", now=now, asset_tag="BM-PC-9")
    for device in (monitor, laptop, printer, unwiped):
        services.confirm_receipt(device, agent, now)
    services.record_wipe(
        laptop, agent, "software_overwrite", date.fromisoformat(local_today()), "CERT-7", now
    )
    db.session.commit()
    return {"point": point, "agent": agent, "owner": owner, "ready": [monitor, laptop, printer],
            "unwiped": unwiped}  # fmt: skip


def _post(client, desk, receipts, **fields):
    login(client, desk["agent"])
    data = {"csrf_token": csrf_token(client), "receipts": receipts, "recipient": "Ecologic",
            "handover_slip": "BX-4412", "outcome": "recycled", **fields}  # fmt: skip
    return client.post(f"/recycling/agent/handover/{desk['point'].id}", data=data)


def _statuses(desk) -> list[str]:
    db.session.expire_all()
    return [r.status for r in (*desk["ready"], desk["unwiped"])]


def test_the_page_lists_the_devices_ready_ticked_and_not_those_waiting_for_a_wipe(client, desk):
    login(client, desk["agent"])
    page = _text(client.get("/recycling/agent/handover"))
    for device in desk["ready"]:
        assert (
            f'value="{device.receipt_number}" id="handover-{device.receipt_number}" checked' in page
        )
    assert desk["unwiped"].receipt_number not in page
    assert (
        "Appareils à remettre (3\N{NO-BREAK SPACE}prêts)" in page
        or "Appareils à remettre (3 prêts)" in page
    )


def test_a_batch_gives_each_device_its_signed_outcome_and_opens_the_slip(client, desk):
    ready = [r.receipt_number for r in desk["ready"]]
    response = _post(client, desk, ready)
    assert response.status_code == 302
    assert f"/recycling/agent/handover/{desk['point'].id}/slip?slip=BX-4412" in response.location
    assert _statuses(desk) == ["recycled", "recycled", "recycled", "received"]
    for device in desk["ready"]:
        step = device.steps[-1]
        assert (step.recipient, step.handover_slip, step.actor_name) == (
            "Ecologic", "BX-4412", desk["agent"].display_name)  # fmt: skip
        assert not services.check_custody(device).broken


def test_the_slip_lists_the_devices_without_their_owners_names(client, desk):
    _post(client, desk, [r.receipt_number for r in desk["ready"]])
    page = _text(client.get(f"/recycling/agent/handover/{desk['point'].id}/slip?slip=BX-4412"))
    assert "Bordereau de remise BX-4412" in page
    assert "BM-MON-1" in page and "BM-PC-2" in page
    for device in desk["ready"]:
        assert device.receipt_number in page
    assert "Odile" not in page and desk["unwiped"].receipt_number not in page


def test_the_owner_reads_the_hand_over_on_each_receipt(client, desk):
    _post(client, desk, [desk["ready"][0].receipt_number])
    login(client, desk["owner"])
    page = _text(client.get(f"/recycling/returns/{desk['ready'][0].receipt_number}"))
    assert "Handed over to Ecologic, slip no. BX-4412" in page


def test_nothing_ticked_is_refused_and_changes_nothing(client, desk):
    response = _post(client, desk, [])
    assert response.status_code == 422
    assert "Cochez au moins un appareil à remettre." in _text(response)
    assert _statuses(desk) == ["received", "wiped", "received", "received"]


def test_a_device_not_ready_is_named_and_nothing_is_recorded(client, desk):
    unwiped = desk["unwiped"].receipt_number
    response = _post(client, desk, [desk["ready"][0].receipt_number, unwiped])
    assert response.status_code == 422
    page = _text(response)
    assert (
        f"Ces appareils ne peuvent pas être remis maintenant\N{NO-BREAK SPACE}: {unwiped}" in page
    )
    assert "Rien n'a été enregistré." in page
    assert _statuses(desk) == ["received", "wiped", "received", "received"]


def test_a_slip_number_is_required(client, desk):
    response = _post(client, desk, [desk["ready"][0].receipt_number], handover_slip=" ")
    assert response.status_code == 422
    assert "Saisissez le numéro du bordereau de remise" in _text(response)
    assert _statuses(desk)[0] == "received"


def test_a_device_of_another_point_is_refused(client, desk, make, rec):
    other = rec.point(name="Mairie de Talence")
    elsewhere = rec.device_return(make.user(), other, "monitor", wipe_requested=False)
    services.confirm_receipt(elsewhere, rec.agent(other), utcnow())
    db.session.commit()
    response = _post(client, desk, [desk["ready"][0].receipt_number, elsewhere.receipt_number])
    assert response.status_code == 422
    assert f"Pas à ce point de collecte\N{NO-BREAK SPACE}: {elsewhere.receipt_number}" in _text(
        response
    )
    db.session.expire_all()
    assert (elsewhere.status, _statuses(desk)[0]) == ("received", "received")


def test_an_agent_of_another_point_gets_404(client, desk, rec):
    outsider = rec.agent(rec.point(name="Mairie de Bègles"))
    login(client, outsider)
    point_id = desk["point"].id
    assert client.get(f"/recycling/agent/handover?point={point_id}").status_code == 404
    data = {"csrf_token": csrf_token(client), "receipts": [desk["ready"][0].receipt_number],
            "recipient": "Ecologic", "handover_slip": "BX-1", "outcome": "recycled"}  # fmt: skip
    assert client.post(f"/recycling/agent/handover/{point_id}", data=data).status_code == 404
    assert client.get(f"/recycling/agent/handover/{point_id}/slip?slip=BX-1").status_code == 404
    assert _statuses(desk)[0] == "received"


def test_without_javascript_the_batch_is_asked_once_with_its_count(client, desk):
    ready = [r.receipt_number for r in desk["ready"][:2]]
    response = _post(client, desk, ready, ask_first_after_check="1")
    assert response.status_code == 200
    assert ("Enregistrer «\N{NO-BREAK SPACE}Recyclé\N{NO-BREAK SPACE}» pour 2 "
            "appareils, remis à Ecologic sous le bordereau BX-4412\N{NO-BREAK SPACE}?") in _text(
        response
    )  # fmt: skip
    assert _statuses(desk)[:2] == ["received", "wiped"]


@pytest.mark.browser
def test_a_batch_handed_over_from_the_keyboard(page, desk):
    """Tab to a device to leave behind, untick it with Space, type the organisation and
    the slip, press the outcome with Enter and confirm the one question: the slip opens."""
    browser_sign_in(page, desk["agent"])
    page.goto("/recycling/agent/handover")
    kept = desk["ready"][2].receipt_number
    box = page.locator(f"#handover-{kept}")
    box.focus()
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    page.locator("#recipient").focus()
    page.keyboard.type("Ecologic")
    page.keyboard.press("Tab")
    expect(page.locator("#handover_slip")).to_be_focused()
    page.keyboard.type("BX-77")
    recycled = page.get_by_role("button", name="Recyclé", exact=True)
    recycled.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("remis à Ecologic")
    dialog.get_by_role(
        "button", name="Enregistrer «\N{NO-BREAK SPACE}Recyclé\N{NO-BREAK SPACE}»"
    ).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/slip?slip=BX-77")
    expect(page.locator("h1")).to_have_text("Bordereau de remise BX-77")
    rows = page.locator("table.handover-slip tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.handover-slip")).not_to_contain_text(kept)
    db.session.expire_all()
    assert (
        db.session.scalar(select(DeviceReturn.status).where(DeviceReturn.receipt_number == kept))
        == "received"
    )


def test_two_devices_not_ready_are_listed_with_french_typography(client, desk, rec):
    """The refused devices are one list: in French a no-break space before each « ; »,
    so a line never starts with one."""
    second = rec.device_return(desk["owner"], desk["point"], "laptop", now=utcnow())
    services.confirm_receipt(second, desk["agent"], utcnow())
    db.session.commit()
    first = desk["unwiped"].receipt_number
    response = _post(client, desk, [first, second.receipt_number])
    assert response.status_code == 422
    page = _text(response)
    assert f")\N{NO-BREAK SPACE}; {second.receipt_number} (" in page
    assert first in page
