"""A walk-in's receipt is undone to correct a record made by mistake (a wrong type, then
recorded again): the device is still on the desk. The agent's hint and question, the
owner's receipt, its data line and the owner's notice say so (the record cancelled, the
device staying at the point, nothing for its owner to do), keeping the agent's reason.
A tag already recorded at one of the agent's points names that return's receipt, linked;
after a walk-in the desk and the form stay at its point; the owner's notice of its receipt
says it was brought without a declaration; the receipt number under the QR code stays on
one line on a phone; one asset-tag example everywhere."""

import html
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.recycling.models import CollectionPoint, DeviceReturn
from tests.audit.conftest import AXE, WCAG_TAGS, describe_violations
from tests.conftest import browser_sign_in, csrf_token, login
from tests.recycling.conftest import error_at
from tests.recycling.test_undo_receipt import _reloaded, _undo

OLD_WORDS = ("personne n'apportera", "déclarez-le", "apportez-le de nouveau", "n'a pas été déposé")


@pytest.fixture
def desk(client, rec):
    """Two points (Pessac first), their French agent signed in, and a function recording
    a walk-in through the form (`point`: Pessac unless said)."""
    pessac = rec.point(name="Mairie de Pessac", accepted_types="laptop,monitor")
    talence = rec.point(name="Mairie de Talence", accepted_types="laptop,monitor")
    agent = rec.agent(pessac, talence, locale="fr", display_name="Alex Agent")
    login(client, agent)

    def recorded(point=None, **data):
        data = {"device_type": "laptop", "condition": "working", "wipe_requested": "y",
                "csrf_token": csrf_token(client), **data}  # fmt: skip
        return client.post(f"/recycling/agent/walk-in/{(point or pessac).id}", data=data)

    desk.pessac, desk.talence, desk.agent, desk.recorded = pessac, talence, agent, recorded
    return desk


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def _text(page: str) -> str:
    words = re.sub(r"<[^>]+>", " ", html.unescape(page))
    return " ".join(words.split()).replace("\u00a0", " ")


def _only_walk_in() -> DeviceReturn:
    db.session.expire_all()
    [found] = db.session.scalars(select(DeviceReturn)).all()
    return found


# --- 1. Undoing a walk-in's receipt: a record made by mistake, the device still here ---------


def test_the_agents_hint_and_question_say_the_device_stays_to_be_recorded_again(client, make, desk):
    desk.recorded(owner=make.user(staff_number="M1").staff_number)
    laptop = _only_walk_in()
    page = _page(client.get(f"/recycling/agent/returns/{laptop.receipt_number}"))
    hint = _text(re.search(r'id="undo-receipt-hint">.*?</p>', page, re.S).group(0))
    assert "Enregistré par erreur (mauvais type, mauvais propriétaire) ? Jusqu" in hint
    assert "l'appareil reste au point de collecte, à enregistrer de nouveau si besoin" in hint
    question = re.search(r'<form[^>]*/undo-receipt"[^>]*>', page, re.S).group(0)
    assert "Cet enregistrement, fait par erreur, est retiré" in question
    assert "L'appareil reste au point de collecte : enregistrez-le de nouveau si besoin" in question
    assert "son propriétaire est prévenu qu'il n'a rien à faire" in question
    # Without JavaScript, the question page says the same.
    asked = _page(_undo(client, laptop, ask_first_after_check="1"))
    assert "L'appareil reste au point de collecte : enregistrez-le de nouveau si besoin" in asked
    for words in OLD_WORDS:
        assert words not in page and words not in asked, words
    assert _reloaded(laptop).status == "received"


def test_the_agents_answer_says_the_device_stays_here(client, desk):
    desk.recorded()
    laptop = _only_walk_in()
    answer = _text(client.get(_undo(client, laptop).location).text)
    assert (
        f"Réception de {laptop.receipt_number} annulée : son enregistrement est retiré. "
        "L'appareil reste ici : enregistrez-le de nouveau si besoin."
    ) in answer
    # Its data line says the record was cancelled, not that the device never came.
    assert (
        "L'effacement certifié n'est plus demandé sous ce reçu : cet enregistrement a été annulé"
    ) in answer


def test_its_owner_reads_on_the_receipt_that_there_is_nothing_to_do(client, make, desk):
    owner = make.user(locale="fr", staff_number="M2")
    desk.recorded(owner="M2")
    laptop = _only_walk_in()
    _undo(client, laptop, reason="Mauvais type : c'est un écran")
    login(client, owner)
    receipt = _text(client.get(f"/recycling/returns/{laptop.receipt_number}").text)
    assert (
        "Un agent a annulé cet enregistrement de l'appareil, apporté au point de collecte sans "
        "déclaration, car il avait été fait par erreur : il ne compte dans aucune campagne ni "
        "aucune statistique. L'appareil reste au point de collecte : vous n'avez rien à faire, "
        "un agent l'enregistrera de nouveau si besoin."
    ) in receipt
    assert "L'effacement certifié n'est plus demandé sous ce reçu" in receipt
    assert "Motif : Mauvais type : c'est un écran" in receipt  # the agent's reason, kept
    for words in OLD_WORDS:
        assert words not in receipt, words


def test_its_owners_notice_says_the_record_was_cancelled_with_the_reason(client, make, desk):
    owner = make.user(locale="fr", staff_number="M3")
    desk.recorded(owner="M3")
    laptop = _only_walk_in()
    _undo(client, laptop, reason="Enregistré comme portable, c'est un écran")
    messaging_jobs.deliver_due()
    login(client, owner)
    inbox = _text(re.sub(r"</?span[^>]*>", "", client.get("/messaging/").text))
    assert (
        "Un agent a annulé l'enregistrement de votre ordinateur portable au point de collecte "
        "Mairie de Pessac (appareil apporté sans déclaration), car il avait été fait par "
        "erreur : Enregistré comme portable, c'est un écran. Cet enregistrement est retiré "
        f"(reçu {laptop.receipt_number}) et ne compte dans aucune campagne. L'appareil reste "
        "au point de collecte : vous n'avez rien à faire, un agent l'enregistrera de nouveau "
        "si besoin."
    ) in inbox
    assert "déclarez-le" not in inbox


# --- 3. A tag already recorded at one of the agent's points --------------------------------


def test_a_tag_she_recorded_at_her_point_names_its_receipt_with_a_link(client, desk):
    desk.recorded(asset_tag="BM-LAP-000042")
    first = _only_walk_in()
    response = desk.recorded(device_type="monitor", asset_tag="bm lap 000042")
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    message = error_at(page, "asset_tag")
    address = f"/recycling/agent/returns/{first.receipt_number}"
    assert message.replace("\u00a0", " ") == (
        f'Cet appareil est déjà enregistré sous le reçu <a href="{address}">'
        f"{first.receipt_number}</a>."
    )
    assert "une autre personne" not in page
    # The summary at the top links to the field: its words only, no link inside a link.
    summary = re.search(r'<div class="notice error-summary".*?</div>', page, re.S).group(0)
    assert f"déjà enregistré sous le reçu {first.receipt_number}." in summary
    assert address not in summary
    assert client.get(address).status_code == 200  # hers to open
    assert db.session.scalar(select(func.count(DeviceReturn.id))) == 1


def test_a_tag_held_at_a_point_she_does_not_handle_names_nothing(client, make, rec, desk):
    elsewhere = rec.point(name="Mairie de Bègles")
    held = rec.device_return(make.user(), elsewhere, asset_tag="BM-LAP-000043")
    response = desk.recorded(asset_tag="BM-LAP-000043")
    assert response.status_code == 422
    message = error_at(html.unescape(response.text), "asset_tag").replace("\u00a0", " ")
    assert message == (
        "Un appareil portant ce numéro d'inventaire a déjà été déposé par une autre personne."
    )
    assert held.receipt_number not in response.text


# --- 4. After a walk-in, the desk and the form stay at its point ---------------------------


def test_after_a_walk_in_at_her_second_point_the_desk_and_the_form_stay_there(client, desk):
    talence = desk.talence.id
    response = desk.recorded(point=desk.talence)
    laptop = _only_walk_in()
    assert response.location.endswith(f"?point={talence}")
    page = _page(client.get(response.location))
    another = re.search(r'<a href="([^"]+)">Enregistrer un autre appareil apporté sans', page)
    assert another and another.group(1) == f"/recycling/agent/walk-in?point={talence}"
    form = _page(client.get(another.group(1)))
    assert "Appareil reçu à Mairie de Talence" in form
    # Back to the desk: it stands at that point, and so does its walk-in link.
    back = re.search(r'<a href="([^"]+)">Retour au guichet de collecte</a>', page).group(1)
    assert back == f"/recycling/agent?point={talence}"
    desk_page = _page(client.get(back))
    intro = re.search(r'<a href="([^"]+)">Enregistrer un appareil apporté sans', desk_page)
    assert intro.group(1) == f"/recycling/agent/walk-in?point={talence}"
    assert "Appareil reçu à Mairie de Talence" in _page(client.get(intro.group(1)))
    # The return's page opened any other way offers no such link.
    plain = _page(client.get(f"/recycling/agent/returns/{laptop.receipt_number}"))
    assert "Enregistrer un autre appareil" not in plain
    assert 'href="/recycling/agent">Retour au guichet de collecte' in plain


def test_the_point_in_the_address_counts_only_for_a_walk_in_at_that_point(client, make, rec, desk):
    declared = rec.device_return(make.user(), desk.pessac)
    for point in (desk.pessac.id, "x" * 300):
        page = _page(
            client.get(f"/recycling/agent/returns/{declared.receipt_number}?point={point}")
        )
        assert "Enregistrer un autre appareil" not in page
    desk.recorded(point=desk.talence, asset_tag="BM-LAP-000044")
    walked = db.session.scalar(select(DeviceReturn).where(DeviceReturn.asset_tag.is_not(None)))
    other = _page(
        client.get(f"/recycling/agent/returns/{walked.receipt_number}?point={desk.pessac.id}")
    )
    assert "Enregistrer un autre appareil" not in other


def test_the_same_form_sent_twice_also_opens_at_its_point(client, desk):
    first = desk.recorded(point=desk.talence, form_token="token-9")
    again = desk.recorded(point=desk.talence, form_token="token-9")
    assert again.location == first.location
    assert again.location.endswith(f"?point={desk.talence.id}")


# --- 5. The owner's notice of its receipt ----------------------------------------------------


def test_the_owners_received_notice_says_it_was_brought_without_a_declaration(client, make, desk):
    owner = make.user(locale="fr", staff_number="M5")
    desk.recorded(owner="M5")
    laptop = _only_walk_in()
    messaging_jobs.deliver_due()
    login(client, owner)
    inbox = _text(re.sub(r"</?span[^>]*>", "", client.get("/messaging/").text))
    assert (
        f"Ordinateur portable (reçu {laptop.receipt_number}) : l'appareil a été apporté au "
        "point de collecte Mairie de Pessac sans déclaration ; un agent l'a enregistré comme "
        "reçu le "
    ) in inbox
    assert ", à votre nom." in inbox
    assert "un agent a confirmé sa réception" not in inbox


def test_a_declared_returns_received_notice_is_worded_as_before(client, make, rec, desk):
    owner = make.user(locale="fr")
    declared = rec.device_return(owner, desk.pessac)
    client.post(
        f"/recycling/agent/returns/{declared.receipt_number}/receive",
        data={"csrf_token": csrf_token(client)},
    )
    messaging_jobs.deliver_due()
    login(client, owner)
    inbox = _text(re.sub(r"</?span[^>]*>", "", client.get("/messaging/").text))
    assert "un agent a confirmé sa réception au point de collecte Mairie de Pessac" in inbox
    assert "sans déclaration" not in inbox


# --- 6. The receipt number on one line; one asset-tag example --------------------------------


def test_the_walk_in_form_and_the_desk_give_the_same_asset_tag_example(client, desk):
    form = _page(client.get("/recycling/agent/walk-in"))
    assert "L'étiquette d'inventaire collée sur l'appareil, par exemple BM-PRI-001574." in form
    assert "par exemple BM-PRI-001574 (" in _page(client.get("/recycling/agent"))
    assert "BM-PC-004213" not in form
    refused = _page(desk.recorded(asset_tag="É-1"))
    assert error_at(refused, "asset_tag").endswith("par exemple BM-PRI-001574.")


@pytest.mark.browser
def test_the_receipt_number_under_the_code_stays_on_one_line_on_a_phone(page, make, rec):
    owner = make.user(locale="fr")
    declared = rec.device_return(owner, rec.point(name="Mairie de Talence"), now=utcnow())
    page.set_viewport_size({"width": 320, "height": 640})
    browser_sign_in(page, owner)
    page.goto(f"/recycling/returns/{declared.receipt_number}")
    number = page.locator("#desk-qr figcaption .receipt-number")
    assert number.inner_text() == declared.receipt_number
    # Wherever the caption's lines end (its width, from a small phone's to the figure's
    # widest): one line box, as an inline element broken across lines has one per line.
    lines = number.evaluate(
        """element => {
            const figure = element.closest("figure"), counts = new Set();
            for (let width = 160; width <= 320; width += 2) {
                figure.style.width = width + "px";
                counts.add(element.getClientRects().length);
            }
            return [...counts];
        }"""
    )
    assert lines == [1]


@pytest.fixture
def phone(browser, live_server):
    """A 320 px wide page into which axe-core may be injected (its CSP bypassed)."""
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", bypass_csp=True,
        viewport={"width": 320, "height": 640},
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _no_axe_violation(page) -> None:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )["violations"]
    assert not violations, describe_violations(violations)


@pytest.mark.browser
def test_the_next_device_at_the_same_point_and_its_tag_taken_in_a_browser(phone, rec):
    page = phone
    rec.point(name="Mairie de Pessac", accepted_types="monitor")
    talence = rec.point(name="Mairie de Talence", accepted_types="monitor")
    agent = rec.agent(*db.session.scalars(select(CollectionPoint)).all(), locale="fr")
    browser_sign_in(page, agent)

    def record(tag: str) -> None:
        page.locator("input[name=device_type][value=monitor]").check()
        page.locator("input[name=condition][value=working]").check()
        page.locator("#asset_tag").fill(tag)
        page.get_by_role("button", name="Enregistrer comme reçu").click()

    page.goto(f"/recycling/agent/walk-in?point={talence.id}")
    record("BM-MON-000046")
    another = page.get_by_role(
        "link", name="Enregistrer un autre appareil apporté sans déclaration"
    )
    expect(another).to_be_visible()
    _no_axe_violation(page)
    another.click()
    expect(page.get_by_role("heading", name="Appareil reçu à Mairie de Talence")).to_be_visible()
    record("bm mon 000046")
    first = db.session.scalar(select(DeviceReturn))
    error = page.locator("#asset_tag-error")
    expect(error).to_have_text(
        f"Cet appareil est déjà enregistré sous le reçu {first.receipt_number}."
    )
    _no_axe_violation(page)
    error.get_by_role("link", name=first.receipt_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dépôt {first.receipt_number}")
