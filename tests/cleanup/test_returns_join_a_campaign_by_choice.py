"""A device return puts nobody on a campaign's leaderboard without asking: someone who
does not take part yet is offered, unticked, to count it there (under their pseudonym);
someone who takes part already counts it, as the form says; and the person can withdraw
a return's entry from the campaign in « My entries », its receipt then saying so."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from app.recycling.models import DeviceReturn
from tests.cleanup.conftest import Participant
from tests.conftest import login
from tests.recycling.conftest import RecyclingFactories

NAMES = {"name_en": "Clean-up week", "name_fr": "Semaine du nettoyage"}


def _text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(page))


def _world(client, make, make_campaign, locale="en"):
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), **NAMES
    )
    rec = RecyclingFactories(make)
    point = rec.point()
    agent = rec.agent(point)
    owner = make.user(locale=locale)
    login(client, owner)
    return campaign, point, agent, owner


def _declare(auth, point, **extra):
    data = {"collection_point_id": point.id, "device_type": "laptop",
            "condition": "working", "wipe_requested": "y", **extra}  # fmt: skip
    response = auth.post("/recycling/returns/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(DeviceReturn).order_by(DeviceReturn.id.desc())).first()


def _receive(client, auth, agent, owner, device_return):
    login(client, agent)
    url = f"/recycling/agent/returns/{device_return.receipt_number}/receive"
    assert auth.post(url).status_code == 302
    login(client, owner)


def _board(client, campaign) -> str:
    return _text(client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard"))


def test_the_form_offers_a_newcomer_an_unticked_choice(client, make, make_campaign):
    campaign, _point, _agent, _owner = _world(client, make, make_campaign)
    page = client.get("/recycling/returns/new").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="count_in"[^>]*>', page)
    assert box is not None and f'value="{campaign.id}"' in box.group(0)
    assert "checked" not in box.group(0)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "Count this return in “Clean-up week”" in re.sub(r"\s+", " ", text)
    assert "under your pseudonym" in text


def test_a_newcomer_who_does_not_tick_stays_off_the_board(client, auth, make, make_campaign):
    campaign, point, agent, owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    _receive(client, auth, agent, owner, device_return)
    assert db.session.scalar(select(CleanupAction.id)) is None
    assert owner.pseudonym not in _board(client, campaign)
    receipt = _text(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert "Counted" not in receipt and "daily limit" not in receipt


def test_a_newcomer_who_ticks_counts_once_received(client, auth, make, make_campaign):
    campaign, point, agent, owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point, count_in=str(campaign.id))
    _receive(client, auth, agent, owner, device_return)
    page = _board(client, campaign)
    assert owner.pseudonym in page and "100" in page


def test_someone_taking_part_counts_without_ticking_as_the_form_says(
    client, auth, make, make_campaign
):
    campaign, point, agent, owner = _world(client, make, make_campaign)
    assert Participant(client, campaign, owner).log("delete-mail", "1").status_code == 200
    page = _text(client.get("/recycling/returns/new"))
    assert 'name="count_in"' not in client.get("/recycling/returns/new").get_data(as_text=True)
    assert "This return counts in “Clean-up week”, where you take part" in page
    device_return = _declare(auth, point)
    _receive(client, auth, agent, owner, device_return)
    assert db.session.scalar(select(CleanupAction.status).where(
        CleanupAction.source_key == f"device-return:{device_return.id}")) == "accepted"  # fmt: skip


def test_the_person_withdraws_a_return_from_the_campaign(client, auth, make, make_campaign):
    campaign, point, agent, owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point, count_in=str(campaign.id))
    _receive(client, auth, agent, owner, device_return)
    entry = db.session.scalar(select(CleanupAction))
    me = Participant(client, campaign, owner)
    assert f'id="withdraw-{entry.id}"' in me.page()
    answer = me.delete(entry.id, htmx=True)
    assert answer.status_code == 200
    assert "no longer counts in this campaign" in _text(answer)
    assert owner.pseudonym not in _board(client, campaign)
    assert 'data-testid="my-points">0<' in me.page()
    receipt = _text(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert "You withdrew this return from “Clean-up week”: it does not count there." in receipt
    assert "daily limit" not in receipt


def test_the_choice_is_in_french(client, make, make_campaign):
    _world(client, make, make_campaign, locale="fr")
    page = _text(client.get("/recycling/returns/new"))
    assert "Compter ce dépôt dans « Semaine du nettoyage »" in page
    assert "sous votre pseudonyme" in page
