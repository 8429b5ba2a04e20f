"""A return its owner withdrew kept its certified wipe "requested": the desk row said
"wipe requested", the export and the API said `wipe_status` "requested", the receipt
"Certified wipe requested", for a device nobody would ever hand in. The request now ends
with the declaration: `wipe_status` "not_needed", no pending wipe on the desk, and the
receipt says the wipe is no longer requested. `wipe_requested` keeps the owner's answer."""

import pytest

from app.core import privacy_services
from app.extensions import db
from app.recycling import services
from app.recycling.models import DeviceReturn
from tests.conftest import login
from tests.recycling.conftest import NOW


@pytest.fixture
def withdrawn(client, auth, make, rec):
    """(owner, agent, return): a laptop declared with a certified wipe asked of the agent,
    then withdrawn by its owner through the receipt page's form."""
    owner = make.user(locale="en")
    point = rec.point()
    agent = rec.agent(point)
    device_return = rec.device_return(owner, point, asset_tag="WD-1")
    login(client, owner)
    response = auth.post(f"/recycling/returns/{device_return.receipt_number}/withdraw")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DeviceReturn, device_return.id).status == "withdrawn"
    return owner, agent, db.session.get(DeviceReturn, device_return.id)


def test_the_desk_shows_no_pending_wipe_for_a_withdrawn_return(client, withdrawn):
    _owner, agent, device_return = withdrawn
    login(client, agent)
    page = client.get("/recycling/agent?status=withdrawn").get_data(as_text=True)
    assert (device_return.receipt_number in page, "effacement demandé" in page) == (True, False)


def test_the_export_says_no_certified_wipe_is_pending_once_withdrawn(withdrawn):
    owner, _agent, _return = withdrawn
    [row] = privacy_services.export_personal_data(owner, NOW)["returns"]
    assert (row["wipe_requested"], row["wipe_status"], row["wipe_status_name"]) == (
        True,
        "not_needed",
        "No certified wipe to do",
    )


def test_the_api_says_no_certified_wipe_is_pending_once_withdrawn(client, withdrawn):
    owner, _agent, device_return = withdrawn
    login(client, owner)
    body = client.get(f"/api/v1/device-returns/{device_return.receipt_number}").get_json()
    assert (body["status"], body["wipe_status"]) == ("withdrawn", "not_needed")


def test_the_receipt_says_the_wipe_is_no_longer_requested(client, withdrawn):
    owner, _agent, device_return = withdrawn
    login(client, owner)
    page = client.get(f"/recycling/returns/{device_return.receipt_number}").get_data(as_text=True)
    assert (
        "Certified wipe requested<" in page,
        "Certified wipe no longer requested: the device was not handed in" in page,
    ) == (False, True)


def test_the_receipt_says_it_in_french(client, make, rec):
    owner = make.user(locale="fr")
    device_return = rec.device_return(owner, rec.point(), asset_tag="WD-2")
    services.withdraw_return(owner, device_return, NOW)
    db.session.commit()
    login(client, owner)
    page = client.get(f"/recycling/returns/{device_return.receipt_number}").get_data(as_text=True)
    assert "L'effacement certifié n'est plus demandé\u00a0: l'appareil n'a pas été déposé" in page


def test_a_return_still_declared_keeps_its_pending_wipe_on_the_desk(client, make, rec):
    point = rec.point()
    agent = rec.agent(point)
    rec.device_return(make.user(), point, asset_tag="WD-3")
    login(client, agent)
    page = client.get("/recycling/agent").get_data(as_text=True)
    assert "effacement demandé" in page
