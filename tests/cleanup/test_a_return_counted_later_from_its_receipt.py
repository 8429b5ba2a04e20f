"""Someone who did not tick « Count this return in … » when declaring (or withdrew the
return from the campaign since) counts it later from its receipt: one button per running
campaign it could count in, with the same words about the leaderboard as the form; the
effect is the declaration's (waiting for the device, or counting if an agent has it), and
every refusal says why, changing nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant
from tests.cleanup.test_returns_join_a_campaign_by_choice import (
    _board,
    _declare,
    _receive,
    _text,
    _world,
)
from tests.conftest import login


def _receipt(client, device_return):
    return client.get(f"/recycling/returns/{device_return.receipt_number}")


def _count(auth, device_return, campaign):
    url = f"/recycling/returns/{device_return.receipt_number}/count-in"
    return auth.post(url, {"campaign_id": campaign.id})


def _entries(device_return):
    return (
        db.session.execute(
            select(CleanupAction.status).where(
                CleanupAction.source_key == f"device-return:{device_return.id}"
            )
        )
        .scalars()
        .all()
    )


def _refused(client, answer, device_return, words):
    assert answer.status_code == 302
    page = _text(client.get(answer.headers["Location"]))
    assert words in page, page
    return page


def test_the_receipt_offers_to_count_a_return_not_ticked(client, auth, make, make_campaign):
    campaign, point, _agent, _owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    page = _receipt(client, device_return).get_data(as_text=True)
    action = f"/recycling/returns/{device_return.receipt_number}/count-in"
    assert f'action="{action}"' in page and f'name="campaign_id" value="{campaign.id}"' in page
    text = _text(_receipt(client, device_return))
    assert "Count this return in “Clean-up week”" in text
    assert "you will appear on its leaderboard under your pseudonym" in text


def test_counted_from_the_receipt_it_waits_for_the_device(client, auth, make, make_campaign):
    campaign, point, _agent, _owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    answer = _count(auth, device_return, campaign)
    assert answer.status_code == 302
    assert _entries(device_return) == ["pending"]
    page = _text(client.get(answer.headers["Location"]))
    assert "Counts 100 points in “Clean-up week” once an agent receives it" in page
    assert "/count-in" not in _receipt(client, device_return).get_data(as_text=True)


def test_a_device_already_received_counts_at_once(client, auth, make, make_campaign):
    campaign, point, agent, owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    _receive(client, auth, agent, owner, device_return)
    assert _count(auth, device_return, campaign).status_code == 302
    assert _entries(device_return) == ["accepted"]
    assert owner.pseudonym in _board(client, campaign)
    assert "Counted: 100 points in “Clean-up week”." in _text(_receipt(client, device_return))


def test_a_withdrawn_return_counts_again_in_its_own_entry(client, auth, make, make_campaign):
    campaign, point, agent, owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point, count_in=str(campaign.id))
    _receive(client, auth, agent, owner, device_return)
    entry = db.session.scalar(select(CleanupAction))
    assert Participant(client, campaign, owner).delete(entry.id, htmx=True).status_code == 200
    assert "/count-in" in _receipt(client, device_return).get_data(as_text=True)
    assert _count(auth, device_return, campaign).status_code == 302
    assert _entries(device_return) == ["accepted"]
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 1
    assert owner.pseudonym in _board(client, campaign)


def test_counting_twice_is_refused(client, auth, make, make_campaign):
    campaign, point, _agent, _owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point, count_in=str(campaign.id))
    answer = _count(auth, device_return, campaign)
    _refused(client, answer, device_return, "This return already counts in “Clean-up week”.")
    assert _entries(device_return) == ["pending"]


def test_someone_else_s_return_is_not_found(client, auth, make, make_campaign):
    campaign, point, _agent, _owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    login(client, make.user())
    assert _count(auth, device_return, campaign).status_code == 404
    assert _entries(device_return) == []


def test_a_withdrawn_declaration_is_refused(client, auth, make, make_campaign):
    campaign, point, _agent, _owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    url = f"/recycling/returns/{device_return.receipt_number}/withdraw"
    assert auth.post(url, {}).status_code == 302
    assert "/count-in" not in _receipt(client, device_return).get_data(as_text=True)
    answer = _count(auth, device_return, campaign)
    _refused(client, answer, device_return, "You withdrew this declaration")
    assert _entries(device_return) == []


def test_a_campaign_that_has_ended_is_refused(client, auth, make, make_campaign):
    campaign, point, _agent, _owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    campaign.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    answer = _count(auth, device_return, campaign)
    _refused(client, answer, device_return, "“Clean-up week” is no longer running")
    assert _entries(device_return) == []


def test_a_frozen_campaign_is_refused(client, auth, make, make_campaign):
    campaign, point, _agent, _owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    campaign.frozen_at = utcnow()
    db.session.commit()
    assert "/count-in" not in _receipt(client, device_return).get_data(as_text=True)
    answer = _count(auth, device_return, campaign)
    _refused(client, answer, device_return, "“Clean-up week” is no longer running")
    assert _entries(device_return) == []


def test_a_campaign_out_of_the_person_s_scope_is_refused(client, auth, make, make_campaign):
    _campaign, point, _agent, _owner = _world(client, make, make_campaign)
    elsewhere = make_campaign(
        name_en="Other directorate", name_fr="Autre direction", all_departments=False,
        department_ids=[make.department().id], starts_at=utcnow() - timedelta(days=1),
        ends_at=utcnow() + timedelta(days=5),
    )  # fmt: skip
    device_return = _declare(auth, point)
    page = _receipt(client, device_return).get_data(as_text=True)
    assert f'name="campaign_id" value="{elsewhere.id}"' not in page
    answer = _count(auth, device_return, elsewhere)
    _refused(client, answer, device_return, "This return cannot count in “Other directorate”")
    assert _entries(device_return) == []


def test_an_unknown_campaign_is_refused_without_error(client, auth, make, make_campaign):
    _campaign, point, _agent, _owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    url = f"/recycling/returns/{device_return.receipt_number}/count-in"
    assert auth.post(url, {"campaign_id": "999999999"}).status_code == 404
    assert auth.post(url, {"campaign_id": "9" * 40}).status_code == 400
    assert _entries(device_return) == []


def test_a_campaign_begun_after_the_declaration_is_not_offered(client, auth, make, make_campaign):
    campaign, point, _agent, _owner = _world(client, make, make_campaign)
    device_return = _declare(auth, point)
    device_return.declared_at = campaign.starts_at - timedelta(days=1)
    db.session.commit()
    assert "/count-in" not in _receipt(client, device_return).get_data(as_text=True)
    answer = _count(auth, device_return, campaign)
    _refused(client, answer, device_return, "This return cannot count in “Clean-up week”")
    assert _entries(device_return) == []


def test_the_daily_limit_is_said(client, auth, make, make_campaign):
    campaign, point, _agent, _owner = _world(client, make, make_campaign)
    for _n in range(5):  # the limit of 5 devices a day
        _declare(auth, point, count_in=str(campaign.id))
    device_return = _declare(auth, point)
    answer = _count(auth, device_return, campaign)
    _refused(client, answer, device_return, "daily limit of 5 devices")
    assert _entries(device_return) == []


def test_the_offer_is_in_french(client, auth, make, make_campaign):
    _campaign, point, _agent, _owner = _world(client, make, make_campaign, locale="fr")
    device_return = _declare(auth, point)
    page = _text(_receipt(client, device_return))
    assert "Compter ce dépôt dans « Semaine du nettoyage »" in page
    assert "sous votre pseudonyme" in page
