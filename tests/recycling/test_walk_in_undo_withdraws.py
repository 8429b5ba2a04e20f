"""Undoing the receipt of a device brought without a declaration (a walk-in) put it back
to "waiting", as a declared return: nobody will bring it, it is at the desk already or
was recorded by mistake. Within the same window and rules, the undo now withdraws the
record: a signed step after the receipt, the chain still verifying (and its tampering
still seen), audited, its asset tag free, in no statistic and no campaign, its owner told
and reading it withdrawn by an agent; the question and the answers say so."""

import html
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.cleanup.models import CleanupAction
from app.cleanup.queries import my_standing
from app.cleanup.services import log_action
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.messaging.models import Dispatch
from app.recycling import queries, services, walk_in
from app.recycling.models import RECEIPT_UNDONE, WALK_IN, DeviceReturn
from tests.cleanup.conftest import build_campaign
from tests.conftest import csrf_token, login
from tests.recycling.test_undo_receipt import _reloaded, _undo


@pytest.fixture
def desk(client, make, rec):
    """A point, its French agent signed in, and a function recording a walk-in an hour
    ago (`owner`: its owner, else none)."""
    point = rec.point(name="Mairie de Pessac", accepted_types="laptop,monitor")
    agent = rec.agent(point, locale="fr", display_name="Alex Agent")
    login(client, agent)

    def recorded(owner=None, hours=1, **answers):
        answers = {"device_type": "laptop", "condition": "working", "wipe_requested": True,
                   "asset_tag": "BM-PC-0042", **answers}  # fmt: skip
        found, _created = walk_in.record_walk_in(
            agent,
            point,
            walk_in.WalkIn(owner=owner.email if owner else None, **answers),
            utcnow() - timedelta(hours=hours),
        )
        db.session.commit()
        return found

    desk.point, desk.agent, desk.recorded = point, agent, recorded
    return desk


def _text(page: str) -> str:
    words = re.sub(r"<[^>]+>", " ", html.unescape(page))
    return " ".join(words.split()).replace("\u00a0", " ")


def test_undoing_a_walk_ins_receipt_withdraws_it_with_a_signed_step(client, desk):
    laptop = desk.recorded()
    response = _undo(client, laptop)
    assert response.status_code == 302
    undone = _reloaded(laptop)
    assert undone.status == "withdrawn"
    assert [(s.step, s.actor_id, s.note) for s in undone.steps] == [
        (WALK_IN, desk.agent.id, ""),
        ("received", desk.agent.id, ""),
        (RECEIPT_UNDONE, desk.agent.id, "Réception enregistrée par erreur."),  # no owner
    ]
    custody = services.check_custody(undone)
    assert not custody.broken and all(custody.verified.values())
    page = _text(client.get(response.location).text)
    assert f"Réception de {laptop.receipt_number} annulée : son enregistrement est retiré." in page
    assert "Retiré par un agent" in page
    assert "Confirmer la réception" not in page and "Annuler cette réception" not in page


def test_the_chain_tells_a_status_set_back_or_its_last_step_deleted(client, desk):
    laptop = desk.recorded()
    _undo(client, laptop)
    table = DeviceReturn.__table__
    # Set back to waiting, the undo step kept: the chain no longer leads to that status.
    db.session.execute(table.update().where(table.c.id == laptop.id).values(status="declared"))
    db.session.commit()
    assert services.check_custody(_reloaded(laptop)).missing_at_end
    # The undo step deleted and the status set back to received: the seal tells it.
    undone = _reloaded(laptop)
    db.session.delete(undone.steps[-1])
    db.session.execute(table.update().where(table.c.id == laptop.id).values(status="received"))
    db.session.commit()
    assert services.check_custody(_reloaded(laptop)).seal_broken


def test_it_is_audited_as_a_withdrawal_and_the_log_finds_it_by_its_words(client, make, desk):
    owner = make.user(locale="fr")
    laptop = desk.recorded(owner)
    _undo(client, laptop, reason="Apporté par erreur")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cancel"))
    assert (event.object_id, event.actor_id, event.summary) == (
        laptop.receipt_number,
        desk.agent.id,
        "walk_in_withdrawn: Apporté par erreur",
    )
    login(client, make.user(roles=("admin",), locale="fr"))
    found = _text(client.get("/admin/audit", query_string={"text": "enregistrement retiré"}).text)
    assert laptop.receipt_number in found
    assert (
        "Réception annulée et enregistrement retiré (apporté sans déclaration) : Apporté par erreur"
    ) in found
    assert laptop.receipt_number in _text(
        client.get("/admin/audit", query_string={"text": "réception annulée"}).text
    )


def test_its_asset_tag_is_free_and_it_counts_in_no_statistic(client, make, rec, desk):
    laptop = desk.recorded(asset_tag="BM-PC-0042")
    before = queries.statistics(None)["total"]
    assert before == 1
    _undo(client, laptop)
    assert _reloaded(laptop).asset_tag_key is None
    assert queries.statistics(None)["total"] == 0
    assert queries.collective_figures(utcnow().year)["returned"] == 0
    # The same device declared now, by its owner, is accepted.
    again = rec.device_return(make.user(), desk.point, asset_tag="bm pc 0042")
    assert again.status == "declared"


def test_its_owner_is_told_and_sees_it_withdrawn_by_an_agent(client, make, desk):
    owner = make.user(locale="fr", display_name="Camille Owner")
    laptop = desk.recorded(owner)
    _undo(client, laptop, reason="Mauvais appareil")
    keys = set(db.session.scalars(select(Dispatch.dedupe_key)))
    assert f"return:{laptop.id}:receipt_undo" in keys
    messaging_jobs.deliver_due()
    login(client, owner)
    inbox = _text(re.sub(r"</?span[^>]*>", "", client.get("/messaging/").text))
    assert (
        "Un agent a annulé l'enregistrement de votre ordinateur portable au point de collecte "
        "Mairie de Pessac (appareil apporté sans déclaration), car il avait été fait par "
        "erreur : Mauvais appareil. Cet enregistrement est retiré (reçu "
        f"{laptop.receipt_number}) et ne compte dans aucune campagne."
    ) in inbox
    receipt = _text(client.get(f"/recycling/returns/{laptop.receipt_number}").text)
    assert "Statut : Retiré par un agent" in receipt
    assert "a annulé cet enregistrement de l'appareil, apporté au point de collecte sans" in receipt
    assert "Retiré par vous" not in receipt and "a été modifié" not in receipt
    assert "Retirer ma déclaration" not in receipt  # nothing for its owner to withdraw
    # Their lists say it too, not « Retiré par vous ».
    for address in ("/recycling/", "/recycling/my-returns", "/"):
        listed = _text(client.get(address).text)
        assert "Retiré par un agent" in listed and "Retiré par vous" not in listed, address


def test_the_points_its_receipt_scored_are_taken_back_for_good(client, make, desk):
    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=10)
    )
    owner = make.user(locale="fr")
    log_action(owner, campaign, "delete-mail", 1, now - timedelta(hours=2))
    db.session.commit()
    before = my_standing(campaign, owner)["points"]
    laptop = desk.recorded(owner)
    assert my_standing(campaign, owner)["points"] > before
    _undo(client, laptop)
    assert my_standing(campaign, owner)["points"] == before
    entries = db.session.scalars(
        select(CleanupAction).where(CleanupAction.source_key.like("device-return:%"))
    ).all()
    assert entries == []  # nothing left waiting for a device nobody will bring


def test_the_question_and_the_hint_speak_of_a_walk_in(client, make, desk):
    laptop = desk.recorded()
    page = html.unescape(client.get(f"/recycling/agent/returns/{laptop.receipt_number}").text)
    form = re.search(r'<form[^>]*/undo-receipt"[^>]*>', page, re.S).group(0)
    assert (
        f"Annuler la réception de {laptop.receipt_number}, enregistrée sans déclaration ? "
        "Cet enregistrement, fait par erreur, est retiré"
    ) in form.replace("\u00a0", " ")
    assert "Aucun propriétaire n'est enregistré" in form
    hint = _text(re.search(r'id="undo-receipt-hint">.*?</p>', page, re.S).group(0))
    assert "cet enregistrement peut être annulé : il est retiré" in hint
    with_owner = desk.recorded(make.user(), asset_tag="BM-PC-0043")
    page = html.unescape(
        client.get(f"/recycling/agent/returns/{with_owner.receipt_number}").text
    ).replace("\u00a0", " ")
    form = re.search(r'<form[^>]*/undo-receipt"[^>]*>', page, re.S).group(0)
    assert "son propriétaire est prévenu" in form


def test_without_javascript_the_question_page_speaks_of_a_walk_in(client, make, desk):
    laptop = desk.recorded(make.user())
    asked = _undo(client, laptop, ask_first_after_check="1")
    assert asked.status_code == 200
    assert "enregistrée sans déclaration ?" in html.unescape(asked.text).replace("\u00a0", " ")
    assert _reloaded(laptop).status == "received"


def test_the_usual_rules_still_hold(client, rec, desk):
    late = desk.recorded(hours=25)
    assert _undo(client, late).status_code == 422
    assert _reloaded(late).status == "received"
    stranger = rec.agent(rec.point())
    fresh = desk.recorded(asset_tag="BM-PC-0077")
    login(client, stranger)
    assert _undo(client, fresh).status_code == 404
    assert _reloaded(fresh).status == "received"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cancel")) is None


def test_a_declared_return_is_still_declared_again(client, make, rec, desk):
    """A declared return's undone receipt waits for its device, as before."""
    declared = rec.device_return(make.user(), desk.point)
    services.confirm_receipt(declared, desk.agent, utcnow() - timedelta(hours=1))
    db.session.commit()
    assert _undo(client, declared).status_code == 302
    assert _reloaded(declared).status == "declared"
    assert not services.check_custody(_reloaded(declared)).broken


def test_a_withdrawn_walk_in_cannot_be_received_nor_undone_again(client, desk):
    laptop = desk.recorded()
    _undo(client, laptop)
    received = client.post(
        f"/recycling/agent/returns/{laptop.receipt_number}/receive",
        data={"csrf_token": csrf_token(client)},
    )
    assert received.status_code == 302
    assert _undo(client, laptop).status_code == 422
    assert [s.step for s in _reloaded(laptop).steps] == [WALK_IN, "received", RECEIPT_UNDONE]


def test_its_owners_export_names_it_withdrawn_by_an_agent(client, make, desk):
    owner = make.user(locale="fr")
    laptop = desk.recorded(owner)
    _undo(client, laptop)
    with force_locale("fr"):
        [exported] = queries.personal_returns(owner)
    assert (exported["status"], exported["status_name"]) == ("withdrawn", "Retiré par un agent")
