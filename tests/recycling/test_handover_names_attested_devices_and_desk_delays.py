"""For a screen-reader user at the keyboard, in French. The hand-over names the devices
wiped on their owner's word (« effacés par leur propriétaire (attestation) », the words of
the « Données » column) by their receipt numbers, in its refusal and in its box's hint,
and each row's box is described by its device and its data; a donation that needs the box
says so at the box before asking anything. The desk's view of devices received over 30
days ago lists them by the day of their receipt, says how long each has been at the point
(« au point depuis N jours »), and its count names the view."""

import html
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from tests.conftest import browser_sign_in, login
from tests.recycling.conftest import local_today
from tests.recycling.test_handover_data_slips_and_long_kept import _post as _donate

NBSP = "\N{NO-BREAK SPACE}"
ATTESTED = "effacés par leur propriétaire (attestation)"


def _text(response) -> str:
    return " ".join(html.unescape(response.get_data(as_text=True)).replace(NBSP, " ").split())


@pytest.fixture
def desk(make, rec):
    """A point with a laptop and a phone wiped on their owner's word only, a laptop with a
    certified wipe and a keyboard (no data), all received; and the point's agent."""
    point = rec.point(name="Point Talence", opening_hours="24/7")
    agent = rec.agent(point, locale="fr")
    owner = make.user(locale="fr")
    now = utcnow()
    attested = rec.device_return(owner, point, "laptop", wipe_requested=False, data_wiped=True,
                                 now=now)  # fmt: skip
    phone = rec.device_return(owner, point, "smartphone", wipe_requested=False,
                              data_wiped=True, now=now)  # fmt: skip
    certified = rec.device_return(owner, point, "laptop", now=now)
    keyboard = rec.device_return(owner, point, "accessory", wipe_requested=False, now=now)
    for device in (attested, phone, certified, keyboard):
        services.confirm_receipt(device, agent, now)
    services.record_wipe(
        certified, agent, "software_overwrite", date.fromisoformat(local_today()), "CERT-9", now
    )
    db.session.commit()
    return {"point": point, "agent": agent, "attested": attested, "phone": phone,
            "certified": certified, "keyboard": keyboard}  # fmt: skip


def _paragraph(page: str, element_id: str) -> str:
    found = re.search(rf'<p class="[^"]*" id="{element_id}"[^>]*>(.*?)</p>', page)
    assert found, f"no #{element_id}"
    return found.group(1)


def test_a_refused_donation_names_the_devices_wiped_on_their_owners_word(client, desk):
    attested, phone = desk["attested"].receipt_number, desk["phone"].receipt_number
    response = _donate(client, desk, [desk["attested"], desk["keyboard"], desk["phone"]])
    assert response.status_code == 422
    error = _paragraph(_text(response), "attested_checked-error")
    assert f"Ces appareils cochés ont été {ATTESTED}, sans effacement certifié" in error
    assert f"{attested}, {phone}" in error
    assert desk["keyboard"].receipt_number not in error
    db.session.expire_all()
    assert desk["attested"].status == "received"


def test_a_refusal_names_only_the_devices_ticked(client, desk):
    response = _donate(client, desk, [desk["phone"], desk["certified"]])
    error = _paragraph(_text(response), "attested_checked-error")
    assert desk["phone"].receipt_number in error
    assert desk["attested"].receipt_number not in error


def test_the_box_and_its_hint_name_the_devices_in_the_columns_words(client, desk):
    login(client, desk["agent"])
    page = _text(client.get("/recycling/agent/handover"))
    label = re.search(r'<label for="attested_checked">(.*?)</label>', page).group(1)
    assert f"les appareils {ATTESTED} ne contiennent plus de données" in label
    hint = _paragraph(page, "attested_checked-hint")
    assert desk["attested"].receipt_number in hint and desk["phone"].receipt_number in hint
    assert desk["certified"].receipt_number not in hint
    assert "Effacées par le propriétaire (attestation)" in page  # the « Données » column
    assert "sur la parole" not in page


@pytest.mark.browser
def test_each_box_is_described_by_its_device_and_its_data(page, desk):
    browser_sign_in(page, desk["agent"])
    page.goto("/recycling/agent/handover")
    box = page.get_by_role("checkbox", name=desk["attested"].receipt_number, exact=True)
    expect(box).to_have_accessible_description(
        "Ordinateur portable Effacées par le propriétaire (attestation)"
    )
    keyboard = page.get_by_role("checkbox", name=desk["keyboard"].receipt_number, exact=True)
    expect(keyboard).to_have_accessible_description(re.compile(r"Aucune donnée$"))


def _type_recipient_and_slip(page):
    page.locator("#recipient").focus()
    page.keyboard.type("Emmaüs Connect")
    page.keyboard.press("Tab")
    page.keyboard.type("BX-31")


@pytest.mark.browser
def test_a_donation_needing_the_box_says_so_at_the_box_before_asking(page, desk):
    """« Donné » with the box unticked: no question (a « yes » would only be refused); the
    error, naming the devices, is said at the box, which takes the focus. Ticked with
    Space, « Donné » asks the one question."""
    browser_sign_in(page, desk["agent"])
    page.goto("/recycling/agent/handover")
    phone = desk["phone"].receipt_number
    page.locator(f"#handover-{desk['attested'].receipt_number}").focus()
    page.keyboard.press("Space")  # left behind: only the phone needs the box now
    _type_recipient_and_slip(page)
    donated = page.get_by_role("button", name="Donné", exact=True)
    donated.focus()
    page.keyboard.press("Enter")
    box = page.locator("#attested_checked")
    expect(box).to_be_focused()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(box).to_have_accessible_description(re.compile(rf"^Ces appareils cochés.*: {phone}\."))
    expect(box).to_have_attribute("aria-invalid", "true")
    assert (
        desk["attested"].receipt_number not in page.locator("#attested_checked-error").inner_text()
    )
    db.session.expire_all()
    assert desk["phone"].status == "received"
    page.keyboard.press("Space")
    donated.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alertdialog")).to_contain_text("remis à Emmaüs Connect")


@pytest.fixture
def shelf(make, rec):
    """Two laptops received over 30 days ago: the one declared first was received last."""
    point = rec.point(name="Point Cenon", opening_hours="24/7")
    agent = rec.agent(point, locale="fr")
    owner = make.user(locale="fr")
    now = utcnow()
    late = rec.device_return(owner, point, "laptop", now=now - timedelta(days=60))
    early = rec.device_return(owner, point, "laptop", now=now - timedelta(days=40))
    services.confirm_receipt(late, agent, now - timedelta(days=31))
    services.confirm_receipt(early, agent, now - timedelta(days=35))
    services.record_wipe(early, agent, "software_overwrite",
                         date.fromisoformat(local_today()) - timedelta(days=34), "C-1",
                         now - timedelta(days=34))  # fmt: skip
    db.session.commit()
    return agent, early, late


def test_the_long_kept_view_lists_the_longest_at_the_point_first(client, shelf):
    agent, early, late = shelf
    login(client, agent)
    page = _text(client.get("/recycling/agent?status=kept"))
    assert page.index(f'id="return-{early.receipt_number}"') < page.index(
        f'id="return-{late.receipt_number}"'
    )


def test_a_row_says_how_long_the_device_has_been_at_the_point(client, shelf):
    agent, early, _late = shelf
    login(client, agent)
    page = _text(client.get("/recycling/agent?status=kept"))
    row = page[page.index(f'id="return-{early.receipt_number}"') :]
    assert "Données effacées</span> · au point depuis 35 jours" in row[: row.index("</tr>")]


def test_the_count_names_the_view(client, shelf):
    agent, _early, _late = shelf
    login(client, agent)
    page = _text(client.get("/recycling/agent?status=kept"))
    assert (
        '<p id="agent-returns-count" data-announce>2 dépôts reçus depuis plus de 30 jours, '
        "toujours au point</p>"
    ) in page


@pytest.mark.browser
def test_after_filter_the_count_read_out_names_the_view(page, shelf):
    agent, early, _late = shelf
    browser_sign_in(page, agent)
    page.goto("/recycling/agent", wait_until="load")
    page.evaluate("window.announcerAtLoad = document.getElementById('announcer')")
    page.locator("#status").select_option("kept")
    page.get_by_role("button", name="Filtrer").focus()
    page.keyboard.press("Enter")
    said = "2 dépôts reçus depuis plus de 30 jours, toujours au point"
    page.wait_for_function(
        "(said) => window.announcerAtLoad.isConnected && "
        "window.announcerAtLoad.textContent.replace(/\\s+/g, ' ').includes(said)",
        arg=said,
    )
    expect(page.locator("#agent-returns tbody tr").first).to_contain_text(early.receipt_number)
