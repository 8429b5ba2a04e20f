"""An outcome that hands the device over outside the administration (donated,
refurbished, recycled) records, signed with the step, the organisation that received it
(required) and the hand-over slip's number (optional): shown in the chain of custody to
the agent and the owner, in the owner's notice, the API and both exports. An outcome's
note is marked with the language it was written in, as an undone receipt's reason is
(RGAA 8.7). Outcomes recorded before keep verifying."""

import hashlib
import hmac
import html
import json
import re
from datetime import timedelta

import pytest
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, update

from app.core import privacy_services
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.recycling import services
from app.recycling.models import CustodyStep, DeviceReturn
from tests.conftest import csrf_token, login
from tests.factories import Factories
from tests.messaging import conftest as messaging
from tests.recycling.conftest import NOW, RecyclingFactories
from tests.recycling.test_signed_chain_migration_round_trip import portal  # noqa: F401

# A real SMTP server (aiosmtpd), and settings changed for one test: messaging's fixtures.
smtp, config = messaging.smtp, messaging.config

NOTE_FR = "Remis à l'éco-organisme Ecologic, bordereau n° 88412"
REVISION = "20261218_recycling_handover"


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def _monitor(make, rec, owner_locale="en", agent_locale="fr"):
    """A received monitor (no data, no wipe to wait for) and an agent of its point."""
    point = rec.point(name="Mairie de Pessac")
    agent = rec.agent(point, locale=agent_locale)
    owner = make.user(locale=owner_locale, email_opt_in=True)
    monitor = rec.device_return(owner, point, "monitor", wipe_requested=False, now=utcnow())
    services.confirm_receipt(monitor, agent, utcnow())
    db.session.commit()
    return owner, agent, monitor


def _record(client, agent, monitor, **fields):
    """The agent taps an outcome on the return's page; returns the response."""
    login(client, agent)
    data = {"csrf_token": csrf_token(client), "outcome": "recycled", **fields}
    return client.post(f"/recycling/agent/returns/{monitor.receipt_number}/outcome", data=data)


# --- 1. an outcome's note marked with its language -------------------------------------


def test_a_french_outcome_note_is_marked_on_an_english_owners_receipt(client, make, rec):
    owner, agent, monitor = _monitor(make, rec)
    _record(client, agent, monitor, recipient="Ecologic", note=NOTE_FR)
    login(client, owner)
    page = _page(client, f"/recycling/returns/{monitor.receipt_number}")
    assert f'Note: <span lang="fr">{NOTE_FR}</span> <span class="hint">(in French)</span>' in page


def test_an_outcome_note_in_the_readers_language_is_not_marked(client, make, rec):
    _owner, agent, monitor = _monitor(make, rec)
    _record(client, agent, monitor, recipient="Ecologic", note=NOTE_FR)
    page = _page(client, f"/recycling/agent/returns/{monitor.receipt_number}")
    assert f"Note\N{NO-BREAK SPACE}: {NOTE_FR}" in page
    assert '<span lang="fr">' not in page


# --- 2. who received the device, signed ------------------------------------------------


def test_the_hand_over_is_shown_signed_to_the_agent_and_the_owner(client, make, rec):
    owner, agent, monitor = _monitor(make, rec)
    assert (
        _record(client, agent, monitor, recipient=" Ecologic ", handover_slip="88412").status_code
        == 302
    )
    agent_page = _page(client, f"/recycling/agent/returns/{monitor.receipt_number}")
    step = agent_page.split("Recyclé", 2)[-1]
    assert "Remis à Ecologic, bordereau n°\N{NO-BREAK SPACE}88412" in step
    assert "Signature vérifiée" in step and "La signature ne correspond pas" not in agent_page
    login(client, owner)
    owner_page = _page(client, f"/recycling/returns/{monitor.receipt_number}")
    assert "Handed over to Ecologic, slip no. 88412" in owner_page


def test_a_device_leaving_the_administration_needs_who_received_it(client, make, rec):
    _owner, agent, monitor = _monitor(make, rec)
    refused = _record(client, agent, monitor, recipient="  ", handover_slip="88412")
    assert refused.status_code == 422
    page = html.unescape(refused.get_data(as_text=True))
    assert "Indiquez l'organisme à qui l'appareil a été remis" in page
    db.session.expire_all()
    assert monitor.status == "received" and [s.step for s in monitor.steps][-1] == "received"


def test_a_device_reused_inside_is_handed_to_no_organisation(client, make, rec):
    _owner, agent, monitor = _monitor(make, rec)
    refused = _record(client, agent, monitor, outcome="reused", recipient="Ecologic")
    assert refused.status_code == 422
    assert "n'est remis à aucun organisme" in html.unescape(refused.get_data(as_text=True))
    db.session.expire_all()
    assert monitor.status == "received"


def test_a_slip_number_too_long_is_refused_at_its_field(client, make, rec):
    _owner, agent, monitor = _monitor(make, rec)
    refused = _record(client, agent, monitor, recipient="Ecologic", handover_slip="9" * 65)
    assert refused.status_code == 422
    db.session.expire_all()
    assert monitor.status == "received"


@pytest.mark.parametrize(("column", "value"), [("recipient", "Quelqu'un"), ("handover_slip", None)])
def test_a_hand_over_changed_afterwards_no_longer_verifies(client, make, rec, column, value):
    _owner, agent, monitor = _monitor(make, rec)
    _record(client, agent, monitor, recipient="Ecologic", handover_slip="88412")
    db.session.execute(
        update(CustodyStep)
        .where(CustodyStep.return_id == monitor.id, CustodyStep.step == "recycled")
        .values({column: value})
    )
    db.session.commit()
    db.session.expire_all()
    assert services.check_custody(monitor).broken
    page = _page(client, f"/recycling/agent/returns/{monitor.receipt_number}")
    assert "La signature ne correspond pas\N{NO-BREAK SPACE}: cette étape a été modifiée" in page


def _signed_before_18_december(receipt: str, step: CustodyStep, position: int) -> str:
    """A step's signature as the code before the hand-over signed it (payload 2)."""
    parts = [receipt, step.step, step.at.isoformat(timespec="seconds"), str(step.actor_id or "")]
    parts += [step.wipe_method or "", "", step.certificate_number or ""]
    payload = json.dumps(["chain", *parts, step.actor_name or "", position]).encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def test_an_outcome_recorded_before_the_hand_over_still_verifies(client, make, rec):
    _owner, agent, monitor = _monitor(make, rec)
    # As recorded before 18 December: no organisation, signed without one.
    step = services._add_step(monitor, "recycled", agent, utcnow(), note="D3E")
    step.signature = _signed_before_18_december(monitor.receipt_number, step, 2)
    db.session.commit()
    db.session.expire_all()
    assert not services.check_custody(monitor).broken
    login(client, agent)
    page = _page(client, f"/recycling/agent/returns/{monitor.receipt_number}")
    assert "Remis à" not in page.split("Chaîne de traçabilité", 1)[1].split("</ol>", 1)[0]


def test_the_owners_notice_names_the_organisation(client, make, rec, smtp, config):
    config(MAIL_WORKING_HOURS="24/7")
    owner, agent, monitor = _monitor(make, rec, owner_locale="fr")
    messaging_jobs.deliver_due()  # the receipt's notice, out of the way
    _record(client, agent, monitor, recipient="Ecologic", handover_slip="88412")
    messaging_jobs.deliver_due()
    _to, mail = smtp.messages[-1]
    plain = mail.get_body(("plain",)).get_content()
    expected = "l'appareil a été recyclé, remis à Ecologic (bordereau n°\N{NO-BREAK SPACE}88412)"
    assert expected in plain
    login(client, owner)
    assert expected in _page(client, "/messaging/")


def test_the_api_and_both_exports_give_the_hand_over(client, make, rec):
    owner, agent, monitor = _monitor(make, rec)
    _record(client, agent, monitor, recipient="Ecologic", handover_slip="88412")
    facts = ("Ecologic", "88412")
    [owners] = privacy_services.export_personal_data(owner, NOW)["returns"]
    [exported] = [s for s in owners["custody"] if s["step"] == "recycled"]
    assert (exported["recipient"], exported["handover_slip"]) == facts
    signed = privacy_services.export_personal_data(agent, NOW)["custody_steps"]
    [agents] = [s for s in signed if s["step"] == "recycled"]
    assert (agents["recipient"], agents["handover_slip"]) == facts
    login(client, owner)
    body = client.get(f"/api/v1/device-returns/{monitor.receipt_number}").get_json()
    [step] = [s for s in body["custody"] if s["step"] == "recycled"]
    assert (step["recipient"], step["handover_slip"]) == facts


def test_the_note_hint_fits_an_outcome(client, make, rec):
    _owner, agent, monitor = _monitor(make, rec)
    login(client, agent)
    page = _page(client, f"/recycling/agent/returns/{monitor.receipt_number}")
    assert "écran fissuré" not in page
    assert re.search(r"Remis à \(organisme\)", page)


# --- the migration ---------------------------------------------------------------------


def test_the_migration_keeps_every_earlier_chain_verified(portal):  # noqa: F811 - the imported fixture
    make = Factories()
    rec = RecyclingFactories(make)
    point = rec.point()
    agent = rec.agent(point)
    ids = []
    for outcome in ("reused", "recycled"):
        device_return = rec.device_return(make.user(), point, "monitor", wipe_requested=False)
        services.confirm_receipt(device_return, agent, NOW + timedelta(hours=1))
        # As the code before recorded an outcome: no hand-over, a note.
        services._add_step(device_return, outcome, agent, NOW + timedelta(hours=2), note="D3E")
        ids.append(device_return.id)
    db.session.commit()
    db.session.remove()

    downgrade(revision=f"{REVISION}-1")
    columns = {c["name"] for c in inspect(db.engine).get_columns("recycling_custody_step")}
    assert "recipient" not in columns and "handover_slip" not in columns
    upgrade(revision="heads")

    for return_id in ids:
        device_return = db.session.get(DeviceReturn, return_id)
        assert not services.check_custody(device_return).broken
    recipients = db.session.scalars(select(CustodyStep.recipient)).all()
    assert recipients and set(recipients) == {None}
