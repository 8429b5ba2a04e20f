"""The desk's search by asset tag or receipt found nothing: the device may be one nobody
declared. When what was typed is an asset tag, the answer offers « Enregistrer cet appareil
apporté sans déclaration », leading to the walk-in form with that tag filled in, unless a
live return elsewhere holds the tag (the form would refuse it: the desk says it is
recorded); nothing more on the desk's default page, which is at its DOM budget."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from app.recycling.models import DeviceReturn, PointAgent
from tests.conftest import csrf_token, login

OFFER = "Enregistrer cet appareil apporté sans déclaration"


@pytest.fixture
def desk(client, rec):
    """A point, its French agent signed in at the desk."""
    point = rec.point(name="Mairie de Pessac", accepted_types="laptop,monitor")
    desk.agent = rec.agent(point, locale="fr")
    login(client, desk.agent)
    desk.point = point
    return desk


def _searched(client, typed: str, **args) -> str:
    response = client.get("/recycling/agent", query_string={"receipt": typed, **args})
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _offer(page: str) -> str | None:
    """The offer's address, if the page makes it."""
    found = re.search(rf'<a href="([^"]+)">{OFFER}</a>', page)
    return found.group(1) if found else None


def test_a_tag_found_nowhere_offers_the_walk_in_form_with_the_tag_filled_in(client, desk):
    page = _searched(client, " bm-pc 0099 ")
    assert "Aucun dépôt ne porte ce numéro de reçu ou d'inventaire" in page
    offer = _offer(page)
    assert offer is not None and offer.startswith("/recycling/agent/walk-in?")
    form = html.unescape(client.get(offer).get_data(as_text=True))
    assert re.search(r'<input[^>]*id="asset_tag"[^>]*value="bm-pc 0099"', form)
    # Recorded from there, the device carries that tag.
    response = client.post(
        f"/recycling/agent/walk-in/{desk.point.id}",
        data={"csrf_token": csrf_token(client), "device_type": "monitor", "condition": "working",
              "asset_tag": "bm-pc 0099"},
    )  # fmt: skip
    assert response.status_code == 302
    assert db.session.scalar(select(DeviceReturn.asset_tag)) == "BM-PC 0099"


def test_the_offer_keeps_the_point_the_desk_stands_at(client, rec, desk):
    other = rec.point(name="Mairie de Talence")
    db.session.add(PointAgent(point_id=other.id, user_id=desk.agent.id))
    db.session.commit()
    offer = _offer(_searched(client, "BM-PC-0099", point=other.id))
    assert f"point={other.id}" in offer and "asset_tag=BM-PC-0099" in offer
    # Choosing another of their points on the form keeps the tag filled in.
    chooser = re.search(r'<form method="get".*?</form>', client.get(offer).text, re.S).group(0)
    assert '<input type="hidden" name="asset_tag" value="BM-PC-0099">' in chooser


def test_a_receipt_number_found_nowhere_offers_nothing(client, desk):
    page = _searched(client, "RC-7K3M-9QXD")
    assert "Aucun dépôt" in page and _offer(page) is None


def test_text_that_cannot_be_an_asset_tag_offers_nothing(client, desk):
    for typed in ("ÉCRAN-12", "tag: 12", "-12", "x" * 41):
        assert _offer(_searched(client, typed)) is None, typed


def test_an_empty_search_offers_nothing(client, desk):
    assert _offer(_searched(client, "  ")) is None


def test_a_tag_found_opens_its_return_and_offers_nothing(client, make, rec, desk):
    found = rec.device_return(make.user(), desk.point, asset_tag="BM-PC-0042")
    response = client.get("/recycling/agent", query_string={"receipt": "bm pc 0042"})
    assert response.status_code == 302
    assert response.location.endswith(f"/recycling/agent/returns/{found.receipt_number}")


def test_the_desks_default_page_gains_nothing(client, desk):
    page = html.unescape(client.get("/recycling/agent").get_data(as_text=True))
    assert OFFER not in page
    # The walk-in is still reached from the desk's introduction, as before.
    assert "Enregistrer un appareil apporté sans déclaration" in page


def test_an_agent_of_no_point_is_offered_nothing(client, make, rec):
    login(client, rec.agent(locale="fr"))
    assert _offer(_searched(client, "BM-PC-0099")) is None


def test_a_tag_typed_by_hand_in_the_walk_in_address_is_checked_as_the_search_does(client, desk):
    form = client.get("/recycling/agent/walk-in", query_string={"asset_tag": "<b>É</b>"})
    assert form.status_code == 200
    assert re.search(r'<input[^>]*id="asset_tag"[^>]*>', form.text)
    assert "<b>" not in re.search(r'<input[^>]*id="asset_tag"[^>]*>', form.text).group(0)
    assert 'value="&lt;b&gt;' not in form.text  # not filled in at all
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 0


# A live return elsewhere holds the tag: the walk-in form would refuse it (`walk_in.tag_problem`),
# so the desk does not offer it, and says the tag is recorded, naming nothing of that return.
ALREADY_RECORDED = (
    "Ce numéro d'inventaire est déjà enregistré, pour un appareil déposé par une autre personne."
)


def _held_elsewhere(make, rec, tag: str, recycled: bool = False) -> DeviceReturn:
    other = rec.point(name="Mairie de Talence", accepted_types="laptop")
    held = rec.device_return(make.user(), other, asset_tag=tag, wipe_requested=False,
                             data_wiped=True)  # fmt: skip
    if recycled:
        agent, now = rec.agent(other), utcnow()
        services.confirm_receipt(held, agent, now - timedelta(minutes=5))
        services.record_outcome(held, agent, "recycled", now, recipient="Ecologic")
        db.session.commit()
    return held


@pytest.mark.parametrize("recycled", [False, True], ids=["declared", "recycled"])
def test_a_tag_held_by_a_live_return_elsewhere_is_not_offered(client, make, rec, desk, recycled):
    held = _held_elsewhere(make, rec, "BM-LAP-000099", recycled)
    page = _searched(client, "bm lap 000099")
    assert _offer(page) is None
    error = re.search(r'<p class="error" id="receipt-error">(.*?)</p>', page, re.S).group(1)
    assert error.replace("\u00a0", " ") == (
        f"Aucun dépôt ne porte ce numéro de reçu ou d'inventaire à vos points de collecte. "
        f"{ALREADY_RECORDED}"
    )
    assert held.receipt_number not in page and "Talence" not in page
    # As the form says: sent anyway, it is refused.
    refused = client.post(
        f"/recycling/agent/walk-in/{desk.point.id}",
        data={"csrf_token": csrf_token(client), "device_type": "monitor", "condition": "working",
              "asset_tag": "BM-LAP-000099"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 1


def test_a_tag_freed_elsewhere_is_offered_and_accepted(client, make, rec, desk):
    held = _held_elsewhere(make, rec, "BM-LAP-000098")
    services.withdraw_return(held.user, held, utcnow())
    db.session.commit()
    page = _searched(client, "BM-LAP-000098")
    assert ALREADY_RECORDED not in page
    offer = _offer(page)
    assert offer is not None
    recorded = client.post(
        f"/recycling/agent/walk-in/{desk.point.id}",
        data={"csrf_token": csrf_token(client), "device_type": "monitor", "condition": "working",
              "asset_tag": "BM-LAP-000098"},
    )  # fmt: skip
    assert recorded.status_code == 302
