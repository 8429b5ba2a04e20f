"""A typo in a value signed in the chain of custody (a wipe's certificate number, an
outcome's slip number or organisation) is corrected by a signed `correction` step of its
own: the earlier step stays as signed, marked corrected, the status does not move, and
every signature still verifies. Refusals change nothing."""

import html

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.recycling import services
from app.recycling.models import CustodyStep, DeviceReturn
from tests.conftest import browser_sign_in, csrf_token, login


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def _recycled(make, rec, owner_locale="en"):
    """A monitor recycled, handed over to « Ecologik » under slip 88412 (a typo)."""
    point = rec.point(name="Mairie de Pessac")
    agent = rec.agent(point, locale="fr")
    owner = make.user(locale=owner_locale, email_opt_in=True)
    monitor = rec.device_return(owner, point, "monitor", wipe_requested=False, now=utcnow())
    services.confirm_receipt(monitor, agent, utcnow())
    services.record_outcome(monitor, agent, "recycled", utcnow(), recipient="Ecologik",
                            handover_slip="88412")  # fmt: skip
    db.session.commit()
    return owner, agent, monitor


def _wiped(make, rec):
    """A laptop received and wiped, certificate « CERT-0O1 » (a typo)."""
    point = rec.point(name="Mairie de Cenon")
    agent = rec.agent(point, locale="fr")
    owner = make.user(locale="fr")
    laptop = rec.device_return(owner, point, "laptop", now=utcnow())
    services.confirm_receipt(laptop, agent, utcnow())
    services.record_wipe(
        laptop,
        agent,
        "crypto_erase",
        utcnow().astimezone(local_zone()).date(),
        "CERT-0O1",
        utcnow(),
    )
    db.session.commit()
    return owner, agent, laptop


def _step(device_return, name):
    return next(s for s in device_return.steps if s.step == name)


def _correct(client, agent, device_return, field, new_value, reason="Faute de frappe", step="x"):
    login(client, agent)
    target = _step(device_return, step).id if step != "x" else None
    data = {
        "csrf_token": csrf_token(client),
        "field": f"{target}:{field}",
        "new_value": new_value,
        "reason": reason,
    }
    return client.post(f"/recycling/agent/returns/{device_return.receipt_number}/correct",
                       data=data)  # fmt: skip


def test_a_wipe_certificate_corrected_shows_the_new_number_and_still_verifies(client, make, rec):
    owner, agent, laptop = _wiped(make, rec)
    answer = _correct(client, agent, laptop, "certificate_number", "CERT-001", step="wiped")
    assert answer.status_code == 302
    db.session.expire_all()
    assert laptop.status == "wiped"
    assert [s.step for s in laptop.steps][-1] == "correction"
    assert not services.check_custody(laptop).broken
    page = _page(client, f"/recycling/agent/returns/{laptop.receipt_number}")
    assert "certificat\N{NO-BREAK SPACE}: CERT-001" in page
    assert (
        "«\N{NO-BREAK SPACE}CERT-0O1\N{NO-BREAK SPACE}» est devenu «\N{NO-BREAK SPACE}CERT-001\N{NO-BREAK SPACE}»"
        in page
    )
    assert "Motif\N{NO-BREAK SPACE}: Faute de frappe" in page
    assert "Signature vérifiée" in page and "ne correspond pas" not in page
    login(client, owner)
    receipt = _page(client, f"/recycling/returns/{laptop.receipt_number}")
    assert "CERT-001" in receipt and "Faute de frappe" in receipt


def test_the_api_gives_the_corrected_certificate(client, make, rec):
    owner, agent, laptop = _wiped(make, rec)
    _correct(client, agent, laptop, "certificate_number", "CERT-001", step="wiped")
    login(client, owner)
    body = client.get(f"/api/v1/device-returns/{laptop.receipt_number}").get_json()
    assert body["wipe_certificate"] == "CERT-001"
    correction = body["custody"][-1]
    assert correction["step"] == "correction"
    assert correction["correction"]["old_value"] == "CERT-0O1"
    assert correction["correction"]["new_value"] == "CERT-001"
    assert correction["correction"]["reason"] == "Faute de frappe"


def test_a_recipient_and_slip_corrected_show_on_the_receipt_and_the_batch_slip(client, make, rec):
    owner, agent, monitor = _recycled(make, rec)
    assert (
        _correct(client, agent, monitor, "recipient", "Ecologic", step="recycled").status_code
        == 302
    )
    db.session.expire_all()
    assert (
        _correct(client, agent, monitor, "handover_slip", "88413", step="recycled").status_code
        == 302
    )
    db.session.expire_all()
    assert not services.check_custody(monitor).broken
    slip = _page(client, f"/recycling/agent/handover/{monitor.point_id}/slip?slip=88413")
    assert monitor.receipt_number in slip and "Ecologic" in slip and "Ecologik" not in slip
    assert (
        client.get(f"/recycling/agent/handover/{monitor.point_id}/slip?slip=88412").status_code
        == 404
    )
    login(client, owner)
    receipt = _page(client, f"/recycling/returns/{monitor.receipt_number}")
    assert "Handed over to Ecologic, slip no. 88413" in receipt
    assert "“Ecologik” became “Ecologic”" in receipt


@pytest.mark.parametrize(
    ("field", "value", "reason", "said"),
    [
        ("serial", "X", "Typo", "Choisissez une valeur"),
        ("handover_slip", "88412", "Typo", "déjà enregistrée"),
        ("handover_slip", "88413", "  ", "Dites pourquoi"),
        ("handover_slip", "   ", "Typo", "Saisissez la valeur correcte"),
        ("handover_slip", "9" * 65, "Typo", "64 caractères"),
        ("handover_slip", "88413", "x" * 251, "250 caractères"),
    ],
)
def test_a_refused_correction_says_why_and_changes_nothing(
    client, make, rec, field, value, reason, said
):
    _owner, agent, monitor = _recycled(make, rec)
    answer = _correct(client, agent, monitor, field, value, reason, step="recycled")
    assert answer.status_code == 422
    assert said in html.unescape(answer.get_data(as_text=True))
    db.session.expire_all()
    assert [s.step for s in monitor.steps][-1] == "recycled"


def test_an_agent_never_corrects_their_own_devices_return(client, make, rec):
    _owner, agent, monitor = _recycled(make, rec)
    db.session.execute(update(DeviceReturn).where(DeviceReturn.id == monitor.id)
                       .values(user_id=agent.id))  # fmt: skip
    db.session.commit()
    answer = _correct(client, agent, monitor, "recipient", "Ecologic", step="recycled")
    assert answer.status_code == 422
    assert "un autre agent du point" in html.unescape(answer.get_data(as_text=True))


def test_an_agent_of_another_point_gets_404(client, make, rec):
    _owner, _agent, monitor = _recycled(make, rec)
    outsider = rec.agent(rec.point())
    answer = _correct(client, outsider, monitor, "recipient", "Ecologic", step="recycled")
    assert answer.status_code == 404


def test_a_correction_altered_afterwards_no_longer_verifies(client, make, rec):
    _owner, agent, monitor = _recycled(make, rec)
    _correct(client, agent, monitor, "recipient", "Ecologic", step="recycled")
    db.session.execute(update(CustodyStep).where(CustodyStep.step == "correction")
                       .values(new_value="Autre"))  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    assert services.check_custody(monitor).broken


def test_the_owners_erasure_takes_the_reason_and_the_chain_still_verifies(client, make, rec):
    from app.core.privacy_services import erase_user

    owner, agent, monitor = _recycled(make, rec)
    _correct(client, agent, monitor, "recipient", "Ecologic", "Dit par M. Dupont", step="recycled")
    erase_user(db.session.get(type(owner), owner.id), utcnow())
    db.session.commit()
    db.session.expire_all()
    step = db.session.scalar(select(CustodyStep).where(CustodyStep.step == "correction"))
    assert step.reason == "" and step.new_value == "Ecologic"
    assert not services.check_custody(monitor).broken


def test_the_owner_is_told_of_the_correction(client, make, rec):
    owner, agent, monitor = _recycled(make, rec)
    _correct(client, agent, monitor, "handover_slip", "88413", step="recycled")
    messaging_jobs.deliver_due()
    login(client, owner)
    inbox = " ".join(_page(client, "/messaging/").split())
    assert "an agent corrected the hand-over slip number" in inbox
    assert "“88412” became “88413”" in inbox


@pytest.mark.browser
def test_a_correction_typed_from_the_keyboard(browser, live_server, page, make, rec):
    _owner, agent, laptop = _wiped(make, rec)
    browser_sign_in(page, agent)
    page.goto(f"/recycling/agent/returns/{laptop.receipt_number}")
    page.locator("#correction-field").focus()
    page.keyboard.press("ArrowDown")  # the wipe's certificate, the only value offered
    page.keyboard.press("Tab")
    page.keyboard.type("CERT-001")
    page.keyboard.press("Tab")
    page.keyboard.type("Faute de frappe")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    answer = page.locator("#step-answer")
    expect(answer).to_contain_text("Correction enregistrée")
    expect(answer).to_be_focused()
    expect(page.locator("#custody")).to_contain_text(
        "«\N{NO-BREAK SPACE}CERT-0O1\N{NO-BREAK SPACE}» est devenu «\N{NO-BREAK SPACE}CERT-001\N{NO-BREAK SPACE}»"
    )
