"""A device brought to the desk that nobody declared (a walk-in): the agent records it at
a point they handle, received by them at once, with its owner when named (an active
account, by staff number or e-mail address) or none; its signed chain of custody
verifies, it follows the usual path, and every refusal changes nothing."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cleanup.models import CleanupAction
from app.cleanup.queries import my_standing
from app.cleanup.services import log_action
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.messaging.models import Dispatch
from app.recycling import services
from app.recycling.models import WALK_IN, DeviceReturn
from tests.cleanup.conftest import build_campaign
from tests.conftest import csrf_token, login
from tests.recycling.conftest import error_at


@pytest.fixture
def desk(client, make, rec):
    """A point taking laptops and monitors, its French agent signed in."""
    point = rec.point(name="Mairie de Pessac", accepted_types="laptop,monitor")
    agent = rec.agent(point, locale="fr", display_name="Alex Agent")
    login(client, agent)
    desk.point, desk.agent = point, agent
    return desk


def _text(response) -> str:
    """A page's words, tags and repeated spaces aside (no-break spaces as spaces)."""
    words = re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True)))
    return " ".join(words.split()).replace("\u00a0", " ")


def _record(client, point, **data):
    data = {"device_type": "laptop", "condition": "working", "wipe_requested": "y", **data}
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(f"/recycling/agent/walk-in/{point.id}", data=data)


def _returns() -> list[DeviceReturn]:
    db.session.expire_all()
    return db.session.scalars(select(DeviceReturn).order_by(DeviceReturn.id)).all()


def _only_walk_in() -> DeviceReturn:
    [walk_in] = [r for r in _returns() if r.walked_in]
    return walk_in


def _nothing_recorded(before: int = 0) -> None:
    assert len(_returns()) == before
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_an_agent_records_a_walk_in_received_at_their_point_with_a_chain_that_verifies(
    client, desk
):
    page = client.get(f"/recycling/agent/walk-in?point={desk.point.id}")
    assert page.status_code == 200
    words = _text(page)
    assert "Enregistrer un appareil apporté sans déclaration" in words
    # The point's types only, and the data question as the return form asks it.
    assert 'value="laptop"' in page.text and 'value="printer"' not in page.text
    assert "Données de l'appareil" in words

    response = _record(client, desk.point, asset_tag="bm-pc 0042")
    walk_in = _only_walk_in()
    assert response.status_code == 302
    assert response.location.endswith(
        f"/recycling/agent/returns/{walk_in.receipt_number}?point={desk.point.id}"
    )
    assert (walk_in.status, walk_in.point_id, walk_in.user_id) == ("received", desk.point.id, None)
    assert (walk_in.asset_tag, walk_in.wipe_requested) == ("BM-PC 0042", True)
    assert [(s.step, s.actor_id, s.actor_name) for s in walk_in.steps] == [
        (WALK_IN, desk.agent.id, "Alex Agent"),
        ("received", desk.agent.id, "Alex Agent"),
    ]
    custody = services.check_custody(walk_in)
    assert not custody.broken and all(custody.verified.values())
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.object_id, event.actor_id, event.summary) == (
        "receive",
        walk_in.receipt_number,
        desk.agent.id,
        WALK_IN,
    )

    opened = _text(client.get(response.location))
    assert "sans propriétaire" in opened  # the flash: recorded, without an owner
    assert "Apporté sans déclaration · " in opened and "signé par Alex Agent" in opened
    assert opened.count("Signature vérifiée") == 2
    assert "Enregistrer l'effacement" in opened  # the next step, as for any receipt
    # On the desk, its row says received, waiting for its next step.
    row = re.search(
        rf'<tr id="return-{walk_in.receipt_number}".*?</tr>',
        client.get("/recycling/agent").text,
        re.S,
    )
    assert row and "status-received" in row.group(0) and "Étape suivante" in row.group(0)


def test_the_owner_named_by_staff_number_sees_it_and_is_told_of_its_receipt(client, make, desk):
    owner = make.user(locale="fr", staff_number="M04512", display_name="Camille Owner")
    response = _record(client, desk.point, owner=" m04512 ", wipe_requested="n")
    walk_in = _only_walk_in()
    assert response.status_code == 302 and walk_in.user_id == owner.id
    # Told as a receipt confirmed at the desk is, once; nothing of the walk-in step itself.
    notices = db.session.scalars(select(Dispatch.dedupe_key)).all()
    assert notices == [f"return:{walk_in.id}:received"]
    assert "pour le compte m04512" in _text(client.get(response.location))

    messaging_jobs.deliver_due()
    login(client, owner)
    assert walk_in.receipt_number in client.get("/recycling/my-returns").text
    inbox = _text(client.get("/messaging/"))
    assert f"(reçu {walk_in.receipt_number})" in inbox
    receipt = _text(client.get(f"/recycling/returns/{walk_in.receipt_number}"))
    assert "Apporté sans déclaration · " in receipt and "signé par Alex Agent" in receipt
    # Said at the desk by whoever brought it, not attested by its owner.
    assert "Effacé avant d'être apporté, d'après ce qui a été dit au guichet" in receipt
    assert "Retirer ma déclaration" not in receipt  # received: nothing to withdraw
    assert "a été modifié" not in receipt  # the record verifies


def test_the_owner_may_be_named_by_e_mail_address_in_any_case(client, make, desk):
    owner = make.user(email="dominique.martin@example.org")
    assert _record(client, desk.point, owner="Dominique.Martin@Example.org").status_code == 302
    assert _only_walk_in().user_id == owner.id


def test_an_agent_at_a_point_they_do_not_handle_gets_404_and_nothing_is_recorded(client, rec, desk):
    elsewhere = rec.point(name="Mairie de Talence")
    assert client.get(f"/recycling/agent/walk-in?point={elsewhere.id}").status_code == 404
    assert _record(client, elsewhere).status_code == 404
    assert _record(client, elsewhere, point_id=str(desk.point.id)).status_code == 404
    _nothing_recorded()


def test_an_admin_may_record_at_any_point(client, make, rec):
    point = rec.point(name="Mairie de Bègles", accepted_types="monitor")
    login(client, make.user(roles=("admin",)))
    assert _record(client, point, device_type="monitor").status_code == 302
    assert _only_walk_in().point_id == point.id


def test_an_employee_who_is_no_agent_cannot_post_the_form(client, make, rec):
    point = rec.point()
    login(client, make.user(locale="fr"))
    assert client.get("/recycling/agent/walk-in").status_code == 403
    assert _record(client, point).status_code == 403
    _nothing_recorded()


def test_without_its_csrf_token_the_form_changes_nothing(client, desk):
    assert _record(client, desk.point, csrf_token="").status_code == 400
    _nothing_recorded()


def test_a_type_the_point_does_not_take_is_refused_in_french(client, desk):
    response = _record(client, desk.point, device_type="printer")
    assert response.status_code == 422
    assert "Mairie de Pessac n'accepte pas ce type d'appareil : Imprimante." in _text(response)
    assert "Rien n'a été enregistré" in _text(response)  # the error summary
    _nothing_recorded()


def test_an_asset_tag_of_another_live_return_is_refused_with_its_message(client, make, rec, desk):
    other = rec.point(name="Mairie de Talence")
    rec.device_return(make.user(), other, asset_tag="BM-PC-0042")
    response = _record(client, desk.point, asset_tag="bm pc 0042")
    assert response.status_code == 422
    assert error_at(html.unescape(response.text), "asset_tag").replace("\u00a0", " ") == (
        "Un appareil portant ce numéro d'inventaire a déjà été déposé par une autre personne."
    )
    _nothing_recorded(before=1)


def test_a_tag_declared_and_waiting_at_the_agents_point_sends_them_to_that_declaration(
    client, make, rec, desk
):
    declared = rec.device_return(make.user(), desk.point, asset_tag="BM-PC-0042")
    response = _record(client, desk.point, asset_tag="BM-PC-0042")
    assert response.status_code == 422
    message = _text(response)
    assert "déjà été déposé par une autre personne" not in message
    assert (
        f"Cet appareil est déjà enregistré sous le reçu {declared.receipt_number}, une "
        f"déclaration qui l'attend à {desk.point.label} : ouvrez-la et confirmez plutôt sa "
        "réception."
    ) in message
    _nothing_recorded(before=1)


def test_an_unknown_or_inactive_owner_is_refused_in_french(client, make, desk):
    make.user(staff_number="M777", active=False)
    for owner in ("M999", "M777", "personne@example.org"):
        response = _record(client, desk.point, owner=owner)
        assert response.status_code == 422
        assert "Aucun compte actif n'a ce matricule ou cette adresse" in error_at(
            html.unescape(response.text), "owner"
        ).replace("\u00a0", " ")
    _nothing_recorded()


def test_the_agent_cannot_name_themselves_the_owner(client, desk):
    response = _record(client, desk.point, owner=desk.agent.email)
    assert response.status_code == 422
    assert "un appareil qui vous appartient" in _text(response)
    _nothing_recorded()


def test_a_data_bearing_device_needs_the_data_question_answered(client, desk):
    response = _record(client, desk.point, wipe_requested="")
    assert response.status_code == 422
    assert "Cet appareil peut contenir des données" in error_at(
        html.unescape(response.text), "wipe_requested"
    )
    _nothing_recorded()
    # A monitor holds none: the question is not asked of it.
    assert _record(client, desk.point, device_type="monitor", wipe_requested="").status_code == 302


def test_no_input_makes_a_server_error(client, desk):
    response = _record(
        client,
        desk.point,
        device_type="x" * 500,
        condition="\x00",
        wipe_requested=["y", "n"],
        asset_tag="É" * 90,
        owner="@" * 400,
        form_token="z" * 300,
    )
    assert response.status_code == 422
    _nothing_recorded()


def test_the_same_form_sent_twice_records_one_device(client, desk):
    first = _record(client, desk.point, form_token="token-1", asset_tag="BM-PC-7")
    again = _record(client, desk.point, form_token="token-1", asset_tag="BM-PC-7")
    assert first.status_code == again.status_code == 302
    assert first.location == again.location
    assert len(_returns()) == 1
    # Back, another device typed in the same form: recorded anew.
    other = _record(client, desk.point, form_token="token-1", device_type="monitor")
    assert other.status_code == 302 and other.location != first.location
    assert len(_returns()) == 2


def test_a_walk_in_follows_the_usual_path_to_its_outcome(client, desk):
    _record(client, desk.point, device_type="monitor", condition="broken")
    walk_in = _only_walk_in()
    response = client.post(
        f"/recycling/agent/returns/{walk_in.receipt_number}/outcome",
        data={"csrf_token": csrf_token(client), "outcome": "recycled", "recipient": "Ecologic"},
    )
    assert response.status_code == 302
    walk_in = _only_walk_in()
    assert walk_in.status == "recycled"
    assert [s.step for s in walk_in.steps] == [WALK_IN, "received", "recycled"]
    assert not services.check_custody(walk_in).broken


def test_it_counts_only_in_campaigns_its_owner_takes_part_in_and_nowhere_without_one(
    client, make, desk
):
    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=10)
    )
    taking_part, not_taking_part = make.user(staff_number="P1"), make.user(staff_number="P2")
    log_action(taking_part, campaign, "delete-mail", 1, now - timedelta(hours=1))
    db.session.commit()
    before = my_standing(campaign, taking_part)["points"]

    for owner in ("P1", "P2", ""):
        assert _record(client, desk.point, owner=owner).status_code == 302

    entries = db.session.scalars(
        select(CleanupAction).where(CleanupAction.source_key.like("device-return:%"))
    ).all()
    assert len(entries) == 1 and entries[0].status == "accepted"
    assert my_standing(campaign, taking_part)["points"] > before
    assert my_standing(campaign, not_taking_part)["points"] == 0


def test_the_audit_log_names_a_walk_in_and_finds_it_by_those_words(client, make, desk):
    client.get(_record(client, desk.point).location)  # its message read at the desk
    walk_in = _only_walk_in()
    login(client, make.user(roles=("admin",), locale="fr"))

    def searched(words: str) -> str:
        return _text(client.get("/admin/audit", query_string={"text": words}))

    found = searched("apporté sans déclaration")
    assert walk_in.receipt_number in found and "Apporté sans déclaration" in found
    assert walk_in.receipt_number not in searched("jamais arrivé")
