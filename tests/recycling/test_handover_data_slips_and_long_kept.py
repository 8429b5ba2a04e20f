"""What a hand-over says of each device's data (a wipe on the owner's word is not "nothing
to do"), the confirmation before donating such a device, the slips found again (from the
chain of custody, and a point's list of slips), the desk's view of devices received long
ago with how long each has waited, and the wording of the pages around them."""

import html
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from app.recycling.models import NOT_BROUGHT, CustodyStep, DeviceReturn
from tests.conftest import browser_sign_in, csrf_token, login
from tests.recycling.conftest import local_today

NBSP = "\N{NO-BREAK SPACE}"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def desk(make, rec):
    """A point with three devices ready: a laptop wiped on its owner's word only, a laptop
    with a certified wipe (CERT-7) and a keyboard (no data); and the point's agent."""
    point = rec.point(name="Centre technique municipal – Blanquefort")
    agent = rec.agent(point, locale="fr")
    owner = make.user(locale="fr", display_name="Odile Propriétaire")
    now = utcnow()
    attested = rec.device_return(owner, point, "laptop", wipe_requested=False, data_wiped=True,
                                 now=now, asset_tag="BM-PC-1")  # fmt: skip
    certified = rec.device_return(owner, point, "laptop", now=now, asset_tag="BM-PC-2")
    keyboard = rec.device_return(owner, point, "accessory", wipe_requested=False, now=now,
                                 asset_tag="BM-ACC-3")  # fmt: skip
    for device in (attested, certified, keyboard):
        services.confirm_receipt(device, agent, now)
    services.record_wipe(
        certified, agent, "software_overwrite", date.fromisoformat(local_today()), "CERT-7", now
    )
    db.session.commit()
    return {"point": point, "agent": agent, "owner": owner, "attested": attested,
            "certified": certified, "keyboard": keyboard}  # fmt: skip


def _post(client, desk, devices, **fields):
    login(client, desk["agent"])
    data = {"csrf_token": csrf_token(client), "receipts": [d.receipt_number for d in devices],
            "recipient": "Emmaüs Connect", "handover_slip": "BX-9", "outcome": "donated",
            **fields}  # fmt: skip
    return client.post(f"/recycling/agent/handover/{desk['point'].id}", data=data)


def _row(page: str, receipt: str) -> str:
    start = page.index(f'id="handover-{receipt}"')
    return page[start : page.index("</tr>", start)]


def test_a_wipe_on_the_owners_word_reads_as_such_at_the_hand_over(client, desk):
    login(client, desk["agent"])
    page = _text(client.get("/recycling/agent/handover"))
    assert "Effacées par le propriétaire (attestation)" in _row(
        page, desk["attested"].receipt_number
    )
    assert "Aucune donnée" in _row(page, desk["keyboard"].receipt_number)
    assert "Effacement certifié enregistré" in _row(page, desk["certified"].receipt_number)
    assert "Aucun effacement certifié à faire" not in page


def test_the_hand_over_page_says_the_devices_are_at_the_point(client, desk):
    login(client, desk["agent"])
    page = _text(client.get("/recycling/agent/handover"))
    assert "Appareils prêts à être remis, au point Centre technique municipal – Blanquefort" in page
    assert "Prêts à remettre à" not in page


def test_donating_a_device_wiped_on_its_owners_word_asks_for_the_box(client, desk):
    response = _post(client, desk, [desk["attested"], desk["keyboard"]])
    assert response.status_code == 422
    assert "Ces appareils cochés ont été effacés par leur propriétaire (attestation)" in _text(
        response
    )
    db.session.expire_all()
    assert (desk["attested"].status, desk["keyboard"].status) == ("received", "received")


def test_donating_it_with_the_box_ticked_records_the_donation(client, desk):
    response = _post(client, desk, [desk["attested"]], attested_checked="y")
    assert response.status_code == 302
    db.session.expire_all()
    assert desk["attested"].status == "donated"


def test_recycling_it_needs_no_box(client, desk):
    response = _post(client, desk, [desk["attested"]], outcome="recycled")
    assert response.status_code == 302
    db.session.expire_all()
    assert desk["attested"].status == "recycled"


def test_donating_certified_or_data_free_devices_needs_no_box(client, desk):
    response = _post(client, desk, [desk["certified"], desk["keyboard"]])
    assert response.status_code == 302


def test_the_slip_has_a_data_column(client, desk):
    devices = [desk["attested"], desk["certified"], desk["keyboard"]]
    _post(client, desk, devices, outcome="recycled")
    page = _text(client.get(f"/recycling/agent/handover/{desk['point'].id}/slip?slip=BX-9"))
    table = page[page.index('<table class="handover-slip">') :]
    assert '<th scope="col">Données</th>' in table
    assert f"Effacement certifié, certificat n°{NBSP}CERT-7" in table
    assert "Effacées par le propriétaire (attestation)" in table
    assert "Aucune donnée" in table


def test_the_chain_of_custody_links_the_slip_for_staff_only(client, desk):
    _post(client, desk, [desk["keyboard"]], outcome="recycled", recipient="Ecologic")
    receipt = desk["keyboard"].receipt_number
    slip_url = f"/recycling/agent/handover/{desk['point'].id}/slip?slip=BX-9"
    page = _text(client.get(f"/recycling/agent/returns/{receipt}"))
    assert f'<a href="{slip_url}">Remis à Ecologic, bordereau n°{NBSP}BX-9</a>' in page
    assert client.get(slip_url).status_code == 200
    login(client, desk["owner"])
    owners = _text(client.get(f"/recycling/returns/{receipt}"))
    assert f"bordereau n°{NBSP}BX-9" in owners and "/slip?slip=" not in owners


def test_a_points_slips_are_listed_with_organisation_count_and_mass(client, desk):
    _post(client, desk, [desk["certified"], desk["keyboard"]], outcome="recycled",
          recipient="Ecologic")  # fmt: skip
    point_id = desk["point"].id
    hand_over = _text(client.get(f"/recycling/agent/handover?point={point_id}"))
    assert f'href="/recycling/agent/handover/{point_id}/slips"' in hand_over
    page = _text(client.get(f"/recycling/agent/handover/{point_id}/slips"))
    row = page[page.index(f'<a href="/recycling/agent/handover/{point_id}/slip?slip=BX-9">') :]
    row = row[: row.index("</tr>")]
    # A laptop (2 kg) and a keyboard (0.4 kg), typical masses.
    assert "Ecologic" in row and ">2<" in row and "2,4" in row


def test_another_points_agent_cannot_list_its_slips(client, desk, rec):
    login(client, rec.agent(rec.point(name="Mairie de Bègles")))
    assert client.get(f"/recycling/agent/handover/{desk['point'].id}/slips").status_code == 404


@pytest.fixture
def shelf(make, rec):
    """A laptop received 31 days ago, a monitor received 5 days ago, both at the point."""
    point = rec.point(name="Point Cenon", opening_hours="24/7")
    agent = rec.agent(point, locale="fr")
    owner = make.user(locale="fr")
    now = utcnow()
    old = rec.device_return(owner, point, "laptop", now=now - timedelta(days=33))
    services.confirm_receipt(old, agent, now - timedelta(days=31))
    recent = rec.device_return(owner, point, "monitor", wipe_requested=False,
                               now=now - timedelta(days=6))  # fmt: skip
    services.confirm_receipt(recent, agent, now - timedelta(days=5))
    db.session.commit()
    return agent, old, recent


def test_the_desk_lists_devices_received_over_30_days_ago(client, shelf):
    agent, old, recent = shelf
    login(client, agent)
    page = _text(client.get("/recycling/agent?status=kept"))
    assert old.receipt_number in page and recent.receipt_number not in page
    assert "Reçus depuis plus de 30\N{NO-BREAK SPACE}jours, toujours au point" in page or (
        "Reçus depuis plus de 30 jours, toujours au point" in page
    )


def test_each_desk_row_says_how_long_the_device_has_waited(client, shelf):
    agent, old, recent = shelf
    login(client, agent)
    page = _text(client.get("/recycling/agent"))
    old_row = page[page.index(f'id="return-{old.receipt_number}"') :]
    assert (
        "Reçu par un agent</span> · au point depuis 31 jours" in old_row[: old_row.index("</tr>")]
    )
    recent_row = page[page.index(f'id="return-{recent.receipt_number}"') :]
    assert "au point depuis 5 jours" in recent_row[: recent_row.index("</tr>")]


def test_a_receipt_page_gives_its_dates_in_one_format(client, make, rec):
    """A wipe of 12 September: « 12 sept. 2025 » in the chain, never « 12 septembre 2025 »
    in the data line above it."""
    point = rec.point(name="Point Lormont", opening_hours="24/7")
    agent = rec.agent(point, locale="fr")
    owner = make.user(locale="fr")
    then = datetime(2025, 9, 10, 9, 0, tzinfo=UTC)
    laptop = rec.device_return(owner, point, "laptop", now=then)
    services.confirm_receipt(laptop, agent, then + timedelta(hours=1))
    services.record_wipe(laptop, agent, "software_overwrite", date(2025, 9, 12), "C-1",
                         then + timedelta(days=2))  # fmt: skip
    db.session.commit()
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{laptop.receipt_number}"))
    assert "12 septembre 2025" not in page and "10 septembre 2025" not in page
    assert "12 sept. 2025" in page


def test_the_points_page_promises_no_wipe_it_does_not_make(client, make):
    login(client, make.user(locale="fr"))
    page = _text(client.get("/recycling/"))
    assert "ils sont effacés, puis" not in page
    assert "avec un certificat, si vous le demandez, ou par vous-même au préalable" in page
    assert "ne reprennent que le matériel de la collectivité" in page


def test_the_return_form_says_personal_devices_go_elsewhere(client, make, rec):
    rec.point(name="Point Bassens", opening_hours="24/7")
    login(client, make.user(locale="fr"))
    page = _text(client.get("/recycling/returns/new"))
    assert "déposez un appareil personnel à la déchèterie de votre commune" in page


@pytest.fixture
def demo(app):
    from app.core.demo import seed_core
    from app.recycling.seed import seed_recycling

    rng = random.Random(3)
    seed_core(rng, 60)
    seed_recycling(rng)  # the demo's own size: its slips
    db.session.commit()


def test_the_demo_closes_declarations_never_brought(demo):
    month_ago = utcnow() - timedelta(days=31)
    left = select(func.count(DeviceReturn.id)).where(
        DeviceReturn.status == "declared", DeviceReturn.declared_at < month_ago
    )
    assert db.session.scalar(left) == 0
    closed = db.session.scalars(select(DeviceReturn).where(DeviceReturn.status == NOT_BROUGHT))
    closed = list(closed)
    assert closed and all(not services.check_custody(r).broken for r in closed)


def test_the_demo_donates_no_broken_device(demo):
    broken_given = select(func.count(DeviceReturn.id)).where(
        DeviceReturn.condition == "broken", DeviceReturn.status.in_(("donated", "reused"))
    )
    assert db.session.scalar(broken_given) == 0


def test_the_demo_hands_devices_over_in_batch_slips(demo):
    per_slip = (
        select(CustodyStep.handover_slip, func.count(CustodyStep.id))
        .where(CustodyStep.handover_slip.is_not(None))
        .group_by(CustodyStep.handover_slip)
    )
    counts = [count for _slip, count in db.session.execute(per_slip)]
    assert max(counts) >= 3 and sum(counts) > 1.5 * len(counts)
    one = db.session.scalar(select(CustodyStep).where(CustodyStep.handover_slip.is_not(None)))
    assert not services.check_custody(one.device_return).broken


@pytest.mark.browser
def test_the_long_kept_view_chosen_from_the_keyboard(page, shelf):
    """Choose « Reçus depuis plus de 30 jours » in the desk's filter with the keyboard: the
    device received 31 days ago is listed, saying how long it waited."""
    agent, old, _recent = shelf
    browser_sign_in(page, agent)
    page.goto("/recycling/agent")
    page.locator("#status").select_option("kept")
    page.get_by_role("button", name="Filtrer").focus()
    page.keyboard.press("Enter")
    rows = page.locator("#agent-returns table.desk-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(old.receipt_number)
    expect(rows.first).to_contain_text("depuis 31 jours")


@pytest.mark.browser
def test_a_past_slip_found_again_from_the_hand_over_page(page, desk, client):
    """From the hand-over page, « Bordereaux déjà enregistrés à ce point », then the slip's
    number: its page opens, with its data column."""
    _post(client, desk, [desk["keyboard"]], outcome="recycled", recipient="Ecologic")
    browser_sign_in(page, desk["agent"])
    page.goto("/recycling/agent/handover")
    page.get_by_role("link", name="Bordereaux déjà enregistrés à ce point").click()
    expect(page.locator("h1")).to_contain_text("Bordereaux de remise")
    page.get_by_role("link", name="BX-9").click()
    expect(page.locator("h1")).to_have_text("Bordereau de remise BX-9")
    expect(page.locator("table.handover-slip")).to_contain_text("Aucune donnée")
