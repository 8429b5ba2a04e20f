"""As an employee in French: one's returns told apart and
all of them reachable, the map's zoom buttons in French, the withdrawal asked truthfully,
the reminder worded for any device's name."""

import html
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.cleanup.models import CleanupAction, CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.recycling import jobs, services
from tests.audit.conftest import AXE, WCAG_TAGS, describe_violations
from tests.cleanup.conftest import make_campaign  # noqa: F401
from tests.conftest import browser_sign_in, login
from tests.messaging.conftest import config  # noqa: F401

RECEIPT = re.compile(r'href="/recycling/returns/(RC-[0-9A-Z]{4}-[0-9A-Z]{4})"')
ALONE = "Retirer cette déclaration\u00a0? L'appareil ne sera plus attendu au point de collecte."
IN_A_CAMPAIGN = (
    "Retirer cette déclaration\u00a0? L'appareil ne sera plus attendu au point de collecte, et "
    "sa saisie dans la campagne de nettoyage en cours, qui attendait l'appareil, est "
    "supprimée\u00a0: les points qu'elle aurait rapportés à sa réception ne viendront pas."
)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _my_latest(client) -> str:
    """The "Mes derniers dépôts" section of the points page."""
    page = _text(client.get("/recycling/"))
    return page.split('id="my-returns"', 1)[1].split("</section>", 1)[0]


def _returns(rec, owner, point, count, start, **kwargs):
    """`count` returns of `owner`, an hour apart from `start`, oldest first."""
    return [
        rec.device_return(owner, point, now=start + timedelta(hours=n), **kwargs)
        for n in range(count)
    ]


# 1. My returns: each says what the device is, and all of them are a link away.


def test_my_latest_returns_say_which_device_each_is(client, make, rec):
    """Three returns of one day at one point: told apart by type and asset tag."""
    point = rec.point(name="Point Pessac")
    owner = make.user(locale="fr")
    moment = utcnow() - timedelta(hours=3)
    rec.device_return(owner, point, "tablet", now=moment, asset_tag="BM-TAB-12")
    rec.device_return(owner, point, "printer", now=moment + timedelta(minutes=5))
    rec.device_return(owner, point, "laptop", now=moment + timedelta(minutes=9))
    login(client, owner)
    latest = _my_latest(client)
    assert "/recycling/my-returns" not in latest  # all three are here already
    lines = re.findall(r"<li>(.*?)</li>", latest, re.S)
    assert [" ".join(line.split()).split(" · ")[1] for line in lines] == [
        "Ordinateur portable",
        "Imprimante",
        "Tablette (n° d'inventaire BM-TAB-12)",
    ]


def test_see_all_my_returns_reaches_the_older_ones_newest_first(client, make, rec):
    """Seven returns, the oldest recycled long ago: the points page shows five and a link
    « Voir tous mes dépôts (7) », whose page lists all seven, each to its receipt."""
    point = rec.point()
    agent = rec.agent(point)
    owner = make.user(locale="fr")
    start = utcnow() - timedelta(days=60)
    oldest = rec.device_return(owner, point, now=start, wipe_requested=False, data_wiped=True)
    services.confirm_receipt(oldest, agent, start + timedelta(days=1))
    services.record_outcome(
        oldest, agent, "recycled", start + timedelta(days=2), recipient="Ecologic"
    )
    db.session.commit()
    newer = _returns(rec, owner, point, 6, utcnow() - timedelta(days=1))
    login(client, owner)

    latest = _my_latest(client)
    assert len(RECEIPT.findall(latest)) == 5 and oldest.receipt_number not in latest
    assert '<a href="/recycling/my-returns">Voir tous mes dépôts (7)</a>' in latest

    page = _text(client.get("/recycling/my-returns"))
    wanted = [r.receipt_number for r in reversed([oldest, *newer])]
    assert RECEIPT.findall(page) == wanted
    assert "7 dépôts, du plus récent au plus ancien." in page
    line = page.split(f"/recycling/returns/{oldest.receipt_number}", 1)[1].split("</li>", 1)[0]
    assert "Recyclé" in line


def test_all_my_returns_come_twenty_a_page(client, make, rec):
    owner = make.user(locale="fr")
    made = _returns(rec, owner, rec.point(), 23, utcnow() - timedelta(days=2))
    login(client, owner)
    first = _text(client.get("/recycling/my-returns"))
    assert RECEIPT.findall(first) == [r.receipt_number for r in reversed(made[3:])]
    assert 'href="/recycling/my-returns?page=2" rel="next"' in first
    second = _text(client.get("/recycling/my-returns?page=2"))
    assert RECEIPT.findall(second) == [r.receipt_number for r in reversed(made[:3])]
    assert "<title>Mes dépôts – Page 2 sur 2" in second
    # An old link past the end shows the last page, not an empty one.
    assert RECEIPT.findall(_text(client.get("/recycling/my-returns?page=9"))) == [
        r.receipt_number for r in reversed(made[:3])
    ]


def test_all_my_returns_are_only_mine_whoever_asks(client, make, rec):
    """An admin (who may open anyone's receipt) is shown their own returns only."""
    point = rec.point()
    mine = rec.device_return(make.user(), point, now=utcnow())
    admin = make.user(locale="fr", roles=("employee", "admin"))
    login(client, admin)
    page = _text(client.get("/recycling/my-returns"))
    assert mine.receipt_number not in page
    assert "Vous n'avez encore déclaré aucun dépôt." in page


def test_all_my_returns_ask_to_sign_in_first(client):
    response = client.get("/recycling/my-returns")
    assert response.status_code == 302 and "/auth/sign-in" in response.location


def test_my_latest_returns_follow_a_new_return_a_receipt_and_a_withdrawal(client, auth, make, rec):
    """The section is kept per what it shows: each change is seen at the next visit."""
    point = rec.point(name="Point Talence", opening_hours="24/7")
    agent = rec.agent(point)
    owner = make.user(locale="fr")
    made = _returns(rec, owner, point, 6, utcnow() - timedelta(days=1))
    login(client, owner)
    assert "Voir tous mes dépôts (6)" in _my_latest(client)

    form = {"collection_point_id": point.id, "device_type": "monitor", "condition": "broken",
            "asset_tag": "BM-ECR-3"}  # fmt: skip
    assert auth.post("/recycling/returns/new", form).status_code == 302
    latest = _my_latest(client)
    assert "Voir tous mes dépôts (7)" in latest and "Écran (n° d'inventaire BM-ECR-3)" in latest

    services.confirm_receipt(made[-1], agent, utcnow())
    db.session.commit()
    line = _my_latest(client).split(made[-1].receipt_number, 1)[1].split("</li>", 1)[0]
    assert "Reçu par un agent" in line

    auth.post(f"/recycling/returns/{made[-2].receipt_number}/withdraw", {})
    line = _my_latest(client).split(made[-2].receipt_number, 1)[1].split("</li>", 1)[0]
    assert "Retiré par vous" in line


@pytest.fixture
def phone(browser, live_server):
    """A 320 px wide page into which axe-core may be injected (its CSP bypassed)."""
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR",
        bypass_csp=True,
        viewport={"width": 320, "height": 640},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.browser
def test_all_my_returns_read_on_a_phone_and_pass_axe(phone, make, rec):
    page = phone
    owner = make.user(locale="fr")
    _returns(rec, owner, rec.point(name="Cité municipale – Bordeaux"), 22, utcnow() - timedelta(days=2),
             asset_tag=None)  # fmt: skip
    browser_sign_in(page, owner)
    page.goto("/recycling/")
    page.get_by_role("link", name="Voir tous mes dépôts (22)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes dépôts")
    expect(page.locator("main li a[href^='/recycling/returns/']")).to_have_count(20)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )["violations"]
    assert not violations, describe_violations(violations)
    page.get_by_role("link", name="Suivant").click()
    expect(page.locator("main li a[href^='/recycling/returns/']")).to_have_count(2)


# 2. The map's zoom buttons speak the page's language.


@pytest.mark.browser
def test_the_maps_zoom_buttons_are_named_and_titled_in_french(page, make, rec):
    home = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    rec.point(commune=home, name="Point Pessac", opening_hours="24/7")
    browser_sign_in(page, make.user(commune=home, locale="fr"))
    page.goto("/recycling/")
    page.get_by_role("button", name="Afficher la carte").click()
    zoom_in = page.get_by_role("button", name="Zoom avant", exact=True)
    zoom_out = page.get_by_role("button", name="Zoom arrière", exact=True)
    expect(zoom_in).to_have_attribute("title", "Zoom avant")
    expect(zoom_out).to_have_attribute("title", "Zoom arrière")
    expect(
        page.locator("#points-map [title^='Zoom in'], #points-map [title^='Zoom out']")
    ).to_have_count(0)
    zoom_in.click()  # it still zooms
    expect(zoom_out).to_be_enabled()


# 3. Withdrawing says what really happens: nothing was scored, points to come are dropped.


def _withdraw_question(client, receipt: str) -> str:
    page = _text(client.get(f"/recycling/returns/{receipt}"))
    asked = re.search(r'data-confirm="([^"]*)"', page).group(1)
    # Without JavaScript the same question comes on a page of its own.
    assert f'name="ask_first" value="{asked}"' in page
    return asked


def test_withdrawing_a_return_outside_any_campaign_speaks_of_no_points(client, make, rec):
    owner = make.user(locale="fr")
    device_return = rec.device_return(owner, rec.point(opening_hours="24/7"), now=utcnow())
    login(client, owner)
    assert _withdraw_question(client, device_return.receipt_number) == ALONE


def _running(make_campaign):  # noqa: F811
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=10))


def test_withdrawing_a_return_waiting_in_a_campaign_says_its_points_to_come_are_dropped(
    client,
    auth,
    make,
    rec,
    make_campaign,  # noqa: F811
):
    """And it does: the campaign's entry waiting for the device is removed."""
    _running(make_campaign)
    point = rec.point(opening_hours="24/7")
    owner = make.user(locale="fr")
    login(client, owner)
    campaign = db.session.scalar(select(CleanupCampaign.id))
    form = {"collection_point_id": point.id, "device_type": "tablet", "condition": "working",
            "wipe_requested": "y", "count_in": str(campaign)}  # fmt: skip
    receipt = auth.post("/recycling/returns/new", form).location.rsplit("/", 1)[1]
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 1

    assert _withdraw_question(client, receipt) == IN_A_CAMPAIGN
    auth.post(f"/recycling/returns/{receipt}/withdraw", {})
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0


@pytest.mark.browser
def test_the_withdrawal_dialog_promises_no_score_it_never_gave(page, make, rec, make_campaign):  # noqa: F811
    _running(make_campaign)
    owner = make.user(locale="fr")
    device_return = rec.device_return(owner, rec.point(opening_hours="24/7"), now=utcnow())
    browser_sign_in(page, owner)
    page.goto(f"/recycling/returns/{device_return.receipt_number}", wait_until="load")
    page.get_by_role("button", name="Retirer ma déclaration").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(IN_A_CAMPAIGN)
    expect(dialog).not_to_contain_text("quittent votre score")


# 4. The reminder agrees with "l'appareil", whatever the device's name.


def _reminded(app, client, make, rec, config, locale):  # noqa: F811
    config(RECYCLING_REMINDER_DAYS=7)
    owner = make.user(locale=locale)
    point = rec.point(name="Mairie de Pessac", address="Place de la Ve République")
    tablet = rec.device_return(owner, point, "tablet", now=utcnow() - timedelta(days=8))
    jobs.remind_waiting_returns()
    messaging_jobs.deliver_due()
    login(client, owner)
    return tablet, " ".join(_text(client.get("/messaging/")).split())


def test_the_reminder_of_a_tablet_reads_right_in_french(app, client, make, rec, config):  # noqa: F811
    tablet, inbox = _reminded(app, client, make, rec, config, "fr")
    assert (
        f"L'appareil « Tablette » (reçu {tablet.receipt_number}) que vous avez déclaré le " in inbox
    )
    assert (
        "au point de collecte Mairie de Pessac (Place de la Ve République) n'a encore été reçu par aucun"
        in inbox
    )
    assert "Si vous gardez finalement cet appareil, retirez la déclaration" in inbox
    assert "vous l'avez déclaré" not in inbox and "Si vous le gardez" not in inbox


def test_the_reminder_of_a_tablet_reads_right_in_english(app, client, make, rec, config):  # noqa: F811
    tablet, inbox = _reminded(app, client, make, rec, config, "en")
    assert f"The device (Tablet, receipt {tablet.receipt_number}) you declared on " in inbox
    assert "If you are keeping this device after all, withdraw the declaration" in inbox
