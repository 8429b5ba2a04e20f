"""An agent closes a declaration whose device never came: offered once its owner had their
chance (declared a week ago and reminded, or two weeks ago), asked first, signed, audited,
shown on the receipt and in the owner's export; refused, changing nothing, otherwise."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.recycling import queries, services
from app.recycling.models import CustodyStep, DeviceReturn, PointAgent
from tests.conftest import csrf_token, login

CLOSE_BUTTON = "Close: the device never came"


@pytest.fixture
def desk(app, client, make, rec, monkeypatch):
    """A point, its English agent signed in, and a function declaring a return days ago
    (reminded or not)."""
    monkeypatch.setitem(app.config, "RECYCLING_REMINDER_DAYS", 7)
    point = rec.point(name="Mairie de Pessac", address="Place de la Ve République")
    agent = make.user(roles=("employee", "agent"), locale="en", display_name="Alex Agent")
    db.session.add(PointAgent(point_id=point.id, user_id=agent.id))
    db.session.commit()

    def declare(owner=None, days=8, reminded=True, **kwargs):
        owner = owner or make.user(locale="fr")
        declared = utcnow() - timedelta(days=days)
        device_return = rec.device_return(owner, point, now=declared, **kwargs)
        if reminded:
            device_return.reminded_at = declared + timedelta(days=7)
            db.session.commit()
        return device_return

    login(client, agent)
    desk.point, desk.agent, desk.declare = point, agent, declare
    return desk


def _page(client, device_return) -> str:
    response = client.get(f"/recycling/agent/returns/{device_return.receipt_number}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _close(client, device_return, **data):
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(
        f"/recycling/agent/returns/{device_return.receipt_number}/not-brought", data=data
    )


def _reloaded(device_return) -> DeviceReturn:
    db.session.expire_all()
    return db.session.get(DeviceReturn, device_return.id)


def test_the_button_is_offered_asked_first_for_a_declaration_left_waiting(client, desk):
    laptop = desk.declare()
    page = _page(client, laptop)
    assert CLOSE_BUTTON in page
    form = re.search(r'<form[^>]*/not-brought"[^>]*>', page, re.S).group(0)
    assert f'data-confirm="Close the declaration {laptop.receipt_number}? Its owner is told' in form
    assert 'data-confirm-yes="Close the declaration"' in form
    # Without JavaScript the route asks first (the portal's question page).
    assert 'name="ask_first"' in page
    assert "its owner was reminded on" in page


@pytest.mark.parametrize(
    ("days", "reminded"),
    [(6, True), (8, False), (13, False)],
    ids=["declared-six-days-ago", "not-reminded-yet", "not-reminded-under-two-weeks"],
)
def test_the_button_is_not_offered_too_early(client, desk, days, reminded):
    device_return = desk.declare(days=days, reminded=reminded)
    assert CLOSE_BUTTON not in _page(client, device_return)


def test_two_weeks_without_a_reminder_are_enough(client, desk):
    assert CLOSE_BUTTON in _page(client, desk.declare(days=15, reminded=False))


def test_closing_records_a_signed_step_the_withdrawn_signal_and_an_audit_event(client, desk):
    laptop = desk.declare(asset_tag="BM-PC-42")
    response = _close(client, laptop)
    assert response.status_code == 302
    assert response.location.endswith(
        f"/recycling/agent/returns/{laptop.receipt_number}#step-answer"
    )
    closed = _reloaded(laptop)
    assert closed.status == "not_brought"
    assert closed.asset_tag_key is None  # free for a later declaration
    step = closed.steps[-1]
    assert (step.step, step.actor_id, step.actor_name) == (
        "not_brought",
        desk.agent.id,
        "Alex Agent",
    )
    assert services.step_is_authentic(closed.receipt_number, step)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "device_return"))
    assert (event.action, event.object_id, event.summary, event.actor_id) == (
        "close",
        laptop.receipt_number,
        "not_brought",
        desk.agent.id,
    )
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert f"Declaration {laptop.receipt_number} closed: its owner is told" in page
    assert CLOSE_BUTTON not in page and "Confirm receipt" not in page
    assert "Closed: the device never came" in page


def test_the_owner_reads_the_step_on_the_receipt_and_in_the_export(client, make, desk):
    owner = make.user(locale="fr")
    laptop = desk.declare(owner, asset_tag="BM-PC-43")
    _close(client, laptop)
    login(client, owner)
    receipt = html.unescape(client.get(f"/recycling/returns/{laptop.receipt_number}").text)
    text = " ".join(re.sub(r"<[^>]+>", " ", receipt).split())
    assert "Clos : l'appareil n'est jamais arrivé · " in text  # the no-break space split off
    assert "signé par Alex Agent" in text
    assert "Un agent a clos cette déclaration car l'appareil n'est jamais arrivé" in text
    assert "Retirer ma déclaration" not in text and "Retiré par vous" not in text
    document = client.get("/auth/profile/export").get_json(force=True)
    [exported] = document["returns"]
    assert (exported["status"], exported["status_name"]) == (
        "not_brought",
        "Clos\u00a0: l'appareil n'est jamais arrivé",
    )
    assert [(s["step"], s["step_name"]) for s in exported["custody"]] == [
        ("declared", "Déclaré"),
        ("not_brought", "Clos\u00a0: l'appareil n'est jamais arrivé"),
    ]


def test_the_same_asset_tag_can_be_declared_again_after_the_closure(client, make, rec, desk):
    owner = make.user()
    laptop = desk.declare(owner, asset_tag="BM-PC-44")
    _close(client, laptop)
    again, created = services.register_device_return(
        owner, desk.point, "laptop", "working", utcnow(), asset_tag="bm pc 44",
        wipe_requested=True,
    )  # fmt: skip
    assert created and again.receipt_number != laptop.receipt_number


def test_a_closed_declaration_counts_in_no_statistic_and_shows_under_its_filter(client, desk):
    laptop = desk.declare()
    _close(client, laptop)
    assert queries.grouped_returns() == []
    assert queries.statistics()["expected"] == 0
    listed = client.get("/recycling/agent?status=not_brought").get_data(as_text=True)
    assert laptop.receipt_number in listed
    assert laptop.receipt_number not in client.get("/recycling/agent").get_data(as_text=True)


def test_the_open_data_says_closed_declarations_are_left_out(client, make, desk):
    """They left the records, yet `left_out` named only the withdrawn declarations."""
    _close(client, desk.declare())
    login(client, make.user(roles=("admin",), locale="fr"))
    data = client.get("/recycling/admin/statistics.json").get_json()
    assert data["records"] == []
    assert data["left_out"] == (
        "declarations withdrawn before an agent received the device, and declarations "
        "an agent closed because the device never arrived"
    )


def _nothing_changed(device_return, status="declared"):
    again = _reloaded(device_return)
    assert again.status == status
    assert [s.step for s in again.steps if s.step == "not_brought"] == []
    assert db.session.scalar(select(AuditEvent).filter_by(action="close")) is None


def test_a_declaration_too_recent_is_refused_with_why(client, desk):
    tablet = desk.declare(days=8, reminded=False)
    response = _close(client, tablet)
    assert response.status_code == 302
    page = _page(client, tablet)
    assert "Too early to close this declaration, made on " in page
    assert (
        "it can be closed 7 days after it was declared once its owner has been reminded, or 14 days"
        in page
    )
    _nothing_changed(tablet)


def test_a_received_device_cannot_be_closed(client, make, rec, desk):
    laptop = desk.declare()
    services.confirm_receipt(laptop, rec.agent(desk.point), utcnow())
    db.session.commit()
    _close(client, laptop)
    assert "An agent has received this device: its declaration cannot be closed" in _page(
        client, laptop
    )
    _nothing_changed(laptop, "received")


def test_a_withdrawn_declaration_cannot_be_closed(client, make, desk):
    owner = make.user()
    laptop = desk.declare(owner)
    services.withdraw_return(owner, laptop, utcnow())
    db.session.commit()
    _close(client, laptop)
    assert "This declaration was withdrawn by the person who made it." in _page(client, laptop)
    _nothing_changed(laptop, "withdrawn")


def test_closing_twice_is_said_and_records_one_step(client, desk):
    laptop = desk.declare()
    _close(client, laptop)
    _close(client, laptop)
    assert "This declaration is already closed: the device never came." in _page(client, laptop)
    steps = db.session.scalars(
        select(CustodyStep.step)
        .where(CustodyStep.return_id == laptop.id)
        .order_by(CustodyStep.at, CustodyStep.id)
    ).all()
    assert steps == ["declared", "not_brought"]


def test_without_the_csrf_token_nothing_changes(client, desk):
    laptop = desk.declare()
    response = _close(client, laptop, csrf_token="")
    assert response.status_code in (302, 400)
    _nothing_changed(laptop)


def test_an_agent_of_another_point_gets_404_and_an_employee_403(client, make, rec, desk):
    laptop = desk.declare()
    login(client, rec.agent(rec.point()))
    assert _close(client, laptop).status_code == 404
    assert client.get(f"/recycling/agent/returns/{laptop.receipt_number}").status_code == 404
    login(client, make.user())
    assert _close(client, laptop).status_code == 403
    _nothing_changed(laptop)


def test_the_service_refuses_an_agent_of_another_point(make, rec, desk):
    laptop = desk.declare()
    stranger = rec.agent(rec.point())
    with pytest.raises(
        services.ReturnError, match="point de collecte dont vous ne vous occupez pas"
    ):
        services.close_not_brought(laptop, stranger, utcnow(), 7)
    _nothing_changed(laptop)


def test_an_admin_may_close_it_at_any_point(client, make, desk):
    laptop = desk.declare()
    login(client, make.user(roles=("admin",), locale="en"))
    assert CLOSE_BUTTON in _page(client, laptop)
    _close(client, laptop)
    assert _reloaded(laptop).status == "not_brought"


def test_after_the_closure_the_owner_cannot_withdraw_nor_an_agent_receive(client, make, desk):
    owner = make.user(locale="en")
    laptop = desk.declare(owner)
    _close(client, laptop)
    response = client.post(
        f"/recycling/agent/returns/{laptop.receipt_number}/receive",
        data={"csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert "This declaration was closed because the device never came" in _page(client, laptop)
    login(client, owner)
    client.post(
        f"/recycling/returns/{laptop.receipt_number}/withdraw",
        data={"csrf_token": csrf_token(client)},
    )
    receipt = html.unescape(client.get(f"/recycling/returns/{laptop.receipt_number}").text)
    assert "there is nothing to withdraw" in receipt
    assert _reloaded(laptop).status == "not_brought"
    api = client.post(
        f"/api/v1/device-returns/{laptop.receipt_number}/withdraw",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert api.status_code == 409
    assert "there is nothing to withdraw" in api.get_json()["error"]["message"]


def test_the_audit_log_words_the_closure(client, make, desk):
    laptop = desk.declare()
    _close(client, laptop)
    login(client, make.user(roles=("admin",), locale="en"))
    log = html.unescape(client.get("/admin/audit").get_data(as_text=True))
    assert "The device never came" in log and laptop.receipt_number in log
