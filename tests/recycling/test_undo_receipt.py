"""An agent undoes a receipt recorded by mistake: asked first, with a reason, within 24
hours and while nothing followed it; a signed step after the receipt, which stays; the
return declared again, its owner told, the campaign points taken back; refused, changing
nothing, otherwise."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup.models import CleanupAction
from app.cleanup.queries import my_standing
from app.core.audit import AuditEvent
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.messaging.models import Dispatch
from app.recycling import services
from app.recycling.models import CustodyStep, DeviceReturn, PointAgent
from tests.cleanup.conftest import build_campaign
from tests.conftest import csrf_token, login

UNDO_BUTTON = "Undo this receipt"


@pytest.fixture
def desk(client, make, rec):
    """A point, its English agent signed in, and a function giving a return the agent
    received `hours` ago."""
    point = rec.point(name="Mairie de Pessac", address="Place de la Ve République")
    agent = make.user(roles=("employee", "agent"), locale="en", display_name="Alex Agent")
    db.session.add(PointAgent(point_id=point.id, user_id=agent.id))
    db.session.commit()

    def received(owner=None, hours=1, **kwargs):
        owner = owner or make.user(locale="fr")
        at = utcnow() - timedelta(hours=hours)
        device_return = rec.device_return(owner, point, now=at - timedelta(minutes=5), **kwargs)
        services.confirm_receipt(device_return, agent, at)
        db.session.commit()
        return device_return

    login(client, agent)
    desk.point, desk.agent, desk.received = point, agent, received
    return desk


def _page(client, device_return) -> str:
    response = client.get(f"/recycling/agent/returns/{device_return.receipt_number}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _undo(client, device_return, **data):
    data.setdefault("csrf_token", csrf_token(client))
    data.setdefault("reason", "Wrong row clicked")
    return client.post(
        f"/recycling/agent/returns/{device_return.receipt_number}/undo-receipt", data=data
    )


def _reloaded(device_return) -> DeviceReturn:
    db.session.expire_all()
    return db.session.get(DeviceReturn, device_return.id)


def _steps(device_return) -> list[str]:
    return db.session.scalars(
        select(CustodyStep.step)
        .where(CustodyStep.return_id == device_return.id)
        .order_by(CustodyStep.id)
    ).all()


def _nothing_changed(device_return, status="received", steps=("declared", "received")) -> None:
    assert _reloaded(device_return).status == status
    assert _steps(device_return) == list(steps)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cancel")) is None


def test_the_button_is_offered_asked_first_with_a_reason(client, desk):
    laptop = desk.received()
    page = _page(client, laptop)
    assert UNDO_BUTTON in page
    form = re.search(r'<form[^>]*/undo-receipt"[^>]*>', page, re.S).group(0)
    assert f'data-confirm="Undo the receipt of {laptop.receipt_number}? The device is' in form
    assert 'data-confirm-yes="Undo the receipt"' in form
    assert re.search(r'<input[^>]*id="undo-reason"[^>]*required', page)
    # Without JavaScript the portal asks on a page of its own, once the reason is checked;
    # with it, a blank reason asks nothing (data-confirm-fill) and is refused at its field.
    assert 'name="ask_first_after_check"' in page and 'data-confirm-fill="reason"' in form


def test_without_javascript_a_blank_reason_is_refused_before_anything_is_asked(client, desk):
    laptop = desk.received()
    blank = _undo(client, laptop, reason="   ", ask_first_after_check="1")
    assert blank.status_code == 422 and "Say why this receipt is undone" in blank.text
    _nothing_changed(laptop)

    asked = _undo(client, laptop, reason="Wrong row", ask_first_after_check="1")
    assert (
        asked.status_code == 200 and f"Undo the receipt of {laptop.receipt_number}?" in asked.text
    )
    _nothing_changed(laptop)


def test_undoing_declares_the_return_again_after_a_signed_step_the_receipt_staying(client, desk):
    laptop = desk.received()
    response = _undo(client, laptop, reason="  Wrong row clicked  ")
    assert response.status_code == 302
    assert response.location.endswith(
        f"/recycling/agent/returns/{laptop.receipt_number}#step-answer"
    )
    undone = _reloaded(laptop)
    assert undone.status == "declared"
    _declared, receipt, step = undone.steps
    assert receipt.step == "received"
    assert (step.step, step.actor_id, step.actor_name, step.note) == (
        "receipt_undo",
        desk.agent.id,
        "Alex Agent",
        "Wrong row clicked",
    )
    assert all(services.step_is_authentic(undone.receipt_number, s) for s in undone.steps)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cancel"))
    assert (event.object_type, event.object_id, event.actor_id, event.summary) == (
        "device_return",
        laptop.receipt_number,
        desk.agent.id,
        "receipt_undo: Wrong row clicked",
    )
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert f"Receipt of {laptop.receipt_number} undone" in page
    assert "Receipt undone" in page and "Reason: Wrong row clicked" in page
    assert "Confirm receipt" in page and UNDO_BUTTON not in page


def test_the_steps_facts_are_signed_its_reason_is_not(client, desk):
    """Who undid the receipt, and when, are signed; the reason is free text that goes
    with the owner's erased data, so emptying it leaves the step verified."""
    laptop = desk.received()
    _undo(client, laptop)
    step = _reloaded(laptop).steps[-1]
    step.note = ""
    db.session.commit()
    assert services.step_is_authentic(laptop.receipt_number, step)
    step.at -= timedelta(minutes=1)
    db.session.commit()
    assert not services.step_is_authentic(laptop.receipt_number, step)


def test_the_owner_is_told_and_reads_the_step_on_the_receipt(client, make, desk):
    owner = make.user(locale="fr")
    laptop = desk.received(owner)
    _undo(client, laptop)
    assert db.session.scalar(
        select(Dispatch.id).where(Dispatch.dedupe_key == f"return:{laptop.id}:receipt_undo")
    )
    messaging_jobs.deliver_due()
    login(client, owner)
    # Read without the span marking the reason's language (its own test checks it).
    inbox = re.sub(r"</?span[^>]*>", "", html.unescape(client.get("/messaging/").text))
    inbox = " ".join(inbox.split()).replace("\u00a0", " ")
    assert (
        "Un agent a annulé la réception de votre ordinateur portable au point de collecte "
        "Mairie de Pessac : Wrong row clicked (en anglais). Votre déclaration est de nouveau "
        f"en attente (reçu {laptop.receipt_number})."
    ) in inbox
    receipt = html.unescape(client.get(f"/recycling/returns/{laptop.receipt_number}").text)
    text = " ".join(re.sub(r"<[^>]+>", " ", receipt).split()).replace("\u00a0", " ")
    assert "Réception annulée · " in text and "signé par Alex Agent" in text
    assert "Motif : Wrong row clicked" in text
    assert "Retirer ma déclaration" in text  # waiting again: the owner may withdraw it


def test_the_points_of_the_receipt_are_taken_back_and_come_again_on_a_new_receipt(
    client, make, desk
):
    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=10)
    )
    owner = make.user(locale="fr")
    laptop = desk.received(owner)
    scored = my_standing(campaign, owner)["points"]
    assert scored > 0
    _undo(client, laptop)
    assert my_standing(campaign, owner)["points"] == 0
    [entry] = db.session.scalars(select(CleanupAction)).all()
    assert entry.status == "pending"  # waiting for the device again
    assert _receive(client, laptop).status_code == 302
    assert _reloaded(laptop).status == "received"
    assert my_standing(campaign, owner)["points"] == scored


def test_undoing_a_receipt_never_makes_a_declaration_count_where_it_did_not(client, make, desk):
    """Declared before the campaign, the return never counted there: receiving it,
    undoing and receiving it again gives its owner nothing (it gave 100 points)."""
    owner = make.user(locale="fr")
    laptop = desk.received(owner)  # declared and received before any campaign
    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=10)
    )
    _undo(client, laptop)
    assert _receive(client, laptop).status_code == 302

    assert db.session.scalars(select(CleanupAction)).all() == []
    assert my_standing(campaign, owner)["points"] == 0


def _receive(client, device_return):
    return client.post(
        f"/recycling/agent/returns/{device_return.receipt_number}/receive",
        data={"csrf_token": csrf_token(client)},
    )


def test_the_device_can_be_received_again_and_that_receipt_undone_in_turn(client, desk):
    laptop = desk.received()
    _undo(client, laptop)
    _receive(client, laptop)
    assert _steps(laptop) == ["declared", "received", "receipt_undo", "received"]
    assert UNDO_BUTTON in _page(client, laptop)
    _undo(client, laptop, reason="Wrong row again")
    assert _steps(laptop)[-1] == "receipt_undo" and _reloaded(laptop).status == "declared"


def test_refused_without_a_reason(client, desk):
    laptop = desk.received()
    response = _undo(client, laptop, reason="   ")
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Say why this receipt is undone, in a few words." in page
    _nothing_changed(laptop)


def test_refused_after_24_hours(client, desk):
    laptop = desk.received(hours=25)
    assert UNDO_BUTTON not in _page(client, laptop)
    response = _undo(client, laptop)
    assert response.status_code == 422
    assert "Too late to undo this receipt, recorded on" in html.unescape(response.text)
    _nothing_changed(laptop)


def test_refused_after_a_wipe(client, desk):
    laptop = desk.received()
    services.record_wipe(
        laptop,
        desk.agent,
        "software_overwrite",
        utcnow().astimezone(local_zone()).date(),
        "C-1",
        utcnow(),
    )
    db.session.commit()
    assert UNDO_BUTTON not in _page(client, laptop)
    response = _undo(client, laptop)
    assert "the receipt can no longer be undone" in html.unescape(response.text)
    _nothing_changed(laptop, "wiped", ("declared", "received", "wiped"))


def test_refused_after_an_outcome(desk):
    monitor = desk.received(device_type="monitor", wipe_requested=False)
    services.record_outcome(monitor, desk.agent, "recycled", utcnow(), recipient="Ecologic")
    db.session.commit()
    with pytest.raises(services.ReturnError, match="Le devenir de cet appareil a été enregistré"):
        services.undo_receipt(monitor, desk.agent, "Wrong row", utcnow())
    _nothing_changed(monitor, "recycled", ("declared", "received", "recycled"))


def test_an_agent_of_another_point_gets_404_and_the_service_refuses_them(client, rec, desk):
    laptop = desk.received()
    stranger = rec.agent(rec.point())
    login(client, stranger)
    assert _undo(client, laptop).status_code == 404
    with pytest.raises(
        services.ReturnError, match="point de collecte dont vous ne vous occupez pas"
    ):
        services.undo_receipt(laptop, stranger, "Wrong row", utcnow())
    _nothing_changed(laptop)


def test_an_admin_may_undo_it(client, make, desk):
    laptop = desk.received()
    login(client, make.user(roles=("admin",), locale="en"))
    assert _undo(client, laptop).status_code == 302
    assert _reloaded(laptop).status == "declared"


def test_refused_on_ones_own_device(client, make, desk):
    """An admin's own device, received by the point's agent: the admin cannot undo it."""
    admin = make.user(roles=("admin",), locale="en")
    laptop = desk.received(admin)
    login(client, admin)
    assert UNDO_BUTTON not in _page(client, laptop)
    response = _undo(client, laptop)
    assert "You declared this return yourself" in html.unescape(response.text)
    _nothing_changed(laptop)


def test_without_the_csrf_token_nothing_changes(client, desk):
    laptop = desk.received()
    response = _undo(client, laptop, csrf_token="")
    assert response.status_code == 400
    _nothing_changed(laptop)


def test_a_wipe_recorded_meanwhile_wins_the_race(desk):
    """The undo's check passed on the page, then a wipe came first: refused, said why."""
    laptop = desk.received()
    db.session.execute(
        DeviceReturn.__table__.update().where(DeviceReturn.id == laptop.id).values(status="wiped")
    )
    # The session still holds the row as the undo read it, before the wipe.
    with pytest.raises(services.ReturnError, match="la réception ne peut plus être annulée"):
        services.undo_receipt(laptop, desk.agent, "Wrong row", utcnow())
    db.session.rollback()
    assert _steps(laptop) == ["declared", "received"]


def test_undoing_an_erased_owners_receipt_claims_no_message(client, desk):
    """Nobody is left to tell: the question and the answer say no message is sent."""
    from app.core.privacy_services import erase_user

    laptop = desk.received()
    erase_user(laptop.user, utcnow())
    db.session.commit()
    question = re.search(r'<form[^>]*/undo-receipt"[^>]*>', _page(client, laptop), re.S)[0]
    assert "its owner's account was erased: no message is sent." in question
    assert "owner is told" not in question
    assert _undo(client, laptop).status_code == 302
    page = _page(client, laptop)
    assert f"Receipt of {laptop.receipt_number} undone: the device is expected again." in page
    assert "owner is told" not in page
