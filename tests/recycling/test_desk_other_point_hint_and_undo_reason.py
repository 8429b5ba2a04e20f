"""A receipt declared at another point read at the desk
as a typo (but an asset tag, guessable, must not be told apart); the e-mail of an undone
receipt said « par erreur » whatever the agent's reason, and never said it."""

import html
import re
from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.recycling import services
from tests.conftest import csrf_token, login

ELSEWHERE = "This receipt was declared at another collection point"
NOT_FOUND = "No return with this receipt number or asset tag at your points."
TAG_RECORDED = "This asset tag is already recorded, for a device returned by someone else."


def _text(response) -> str:
    # A span inside a sentence (a reason's `lang`) is no word break.
    page = re.sub(r"</?span[^>]*>", "", response.get_data(as_text=True))
    page = re.sub(r"<[^>]+>", " ", html.unescape(page))
    return " ".join(page.split()).replace("\u00a0", " ")


def _desk(client, typed: str) -> str:
    return _text(client.get("/recycling/agent", query_string={"receipt": typed}))


def test_a_receipt_declared_at_another_point_is_told_apart_from_a_typo(client, make, rec):
    here, there = rec.point(name="Mairie de Cenon"), rec.point(name="Mairie de Talence")
    agent = rec.agent(here)
    agent.locale = "en"
    owner = make.user(display_name="Camille Secret")
    elsewhere = rec.device_return(owner, there, asset_tag="BM-PC-7")
    login(client, agent)

    page = _desk(client, elsewhere.receipt_number.lower().replace("-", " "))
    assert ELSEWHERE in page and NOT_FOUND not in page
    # That fact only: neither the person nor the point, nor the device's tag.
    assert "Camille" not in page and "Talence" not in page and "BM-PC-7" not in page
    assert NOT_FOUND in _desk(client, "RC-2222-2222")  # a typo still reads as one


def test_an_asset_tag_declared_at_another_point_reads_as_nothing_at_the_agents_points(
    client, make, rec
):
    """Tags are printed on devices and run in sequence, so any
    agent could type a colleague's and learn where their device is declared; only a
    receipt number, which its owner shows, earns the hint. The desk says no more of the
    tag than the walk-in form, which refuses it, would: recorded, for someone else."""
    here, there = rec.point(name="Mairie de Cenon"), rec.point(name="Mairie de Talence")
    agent = rec.agent(here)
    agent.locale = "en"
    elsewhere = rec.device_return(make.user(), there, asset_tag="BM-PC-7")
    login(client, agent)

    for typed in ("BM-PC-7", "bm pc 7"):
        page = _desk(client, typed)
        assert NOT_FOUND in page and ELSEWHERE not in page
        assert elsewhere.receipt_number not in page and "Talence" not in page
        assert TAG_RECORDED in page
    # A tag declared nowhere is offered to the walk-in form instead.
    nowhere = _desk(client, "BM-PC-8")
    assert NOT_FOUND in nowhere and TAG_RECORDED not in nowhere
    assert "Record this device brought without a declaration" in nowhere


def test_a_declaration_received_or_withdrawn_elsewhere_is_not_offered_to_withdraw(
    client, make, rec
):
    here, there = rec.point(), rec.point()
    agent, other_agent = rec.agent(here), rec.agent(there)
    agent.locale = "en"
    owner = make.user()
    received = rec.device_return(owner, there)
    services.confirm_receipt(received, other_agent, utcnow())
    withdrawn = rec.device_return(owner, there, device_type="monitor", wipe_requested=False)
    services.withdraw_return(owner, withdrawn, utcnow())
    db.session.commit()
    login(client, agent)
    for device_return in (received, withdrawn):
        page = _desk(client, device_return.receipt_number)
        assert NOT_FOUND in page and ELSEWHERE not in page


def test_the_owners_receipt_says_how_to_bring_it_to_another_point(client, make, rec):
    owner = make.user(locale="en")
    device_return = rec.device_return(owner, rec.point())
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert (
        "Bringing it to another collection point? Withdraw this declaration, then declare "
        "the device at that point."
    ) in page


def _undone_by(client, make, rec, agent_locale: str, reason: str):
    point = rec.point(name="Mairie de Pessac")
    agent = rec.agent(point)
    agent.locale = agent_locale
    owner = make.user(locale="fr")
    laptop = rec.device_return(owner, point, now=utcnow() - timedelta(hours=1))
    services.confirm_receipt(laptop, agent, utcnow() - timedelta(minutes=30))
    db.session.commit()
    login(client, agent)
    response = client.post(
        f"/recycling/agent/returns/{laptop.receipt_number}/undo-receipt",
        data={"csrf_token": csrf_token(client), "reason": reason},
    )
    assert response.status_code == 302
    messaging_jobs.deliver_due()
    login(client, owner)
    return laptop, owner


def test_the_undone_receipts_notice_gives_the_agents_reason_not_a_mistake(client, make, rec):
    reason = "Mauvais appareil : la personne a apporté une souris."
    laptop, _owner = _undone_by(client, make, rec, "fr", reason)
    inbox = _text(client.get("/messaging/"))
    assert (
        "Un agent a annulé la réception de votre ordinateur portable au point de collecte "
        "Mairie de Pessac : Mauvais appareil : la personne a apporté une souris. Votre "
        f"déclaration est de nouveau en attente (reçu {laptop.receipt_number})."
    ) in inbox
    assert "par erreur" not in inbox and "(en français)" not in inbox


def test_a_reason_in_another_language_is_said_so_in_the_notice_and_marked_on_the_receipt(
    client, make, rec
):
    laptop, _owner = _undone_by(client, make, rec, "en", "Wrong device: a mouse")
    inbox = _text(client.get("/messaging/"))
    assert "Mairie de Pessac : Wrong device: a mouse (en anglais). Votre déclaration" in inbox
    receipt = client.get(f"/recycling/returns/{laptop.receipt_number}").get_data(as_text=True)
    assert '<span lang="en">Wrong device: a mouse</span>' in receipt
    assert "Motif : Wrong device: a mouse (en anglais)" in _text(
        client.get(f"/recycling/returns/{laptop.receipt_number}")
    )
