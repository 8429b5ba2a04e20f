"""The confirm dialog's "today" is the portal's day (Europe/Paris), not the browser's.

A wipe may bear today's date at the latest, Paris's today (data-confirm-until). A browser
in Auckland is a day ahead every Paris afternoon: typing Paris's tomorrow asked "are you
sure?" and the server then refused the date. It is refused at its field at once, as in
Paris, and Paris's today is still asked about.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from tests.conftest import browser_sign_in
from tests.recycling.conftest import RecyclingFactories

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def in_auckland(browser, live_server):
    """A French browser set to Auckland's time zone, its clock on this Paris afternoon."""
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", timezone_id="Pacific/Auckland"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    paris_afternoon = datetime.combine(datetime.now(PARIS).date(), time(15), tzinfo=PARIS)
    page.clock.set_fixed_time(paris_afternoon)
    yield page
    context.close()


def test_a_wipe_dated_parisian_tomorrow_is_not_asked_about(in_auckland, make):
    page = in_auckland
    rec = RecyclingFactories(make)
    point = rec.point(name="Point Floirac", opening_hours="24/7")
    agent = rec.agent(point)
    device_return = rec.device_return(make.user(locale="fr"), point, now=utcnow())
    services.confirm_receipt(device_return, agent, utcnow())
    db.session.commit()
    today = datetime.now(PARIS).date()
    assert page.evaluate("new Date().getDate()") == (today + timedelta(days=1)).day
    browser_sign_in(page, agent)
    page.goto(f"/recycling/agent/returns/{device_return.receipt_number}", wait_until="load")
    page.select_option("select[name=method]", "crypto_erase")
    page.fill("input[name=certificate_number]", "CERT-42")
    record = page.locator("main form").get_by_role("button", name="Enregistrer l'effacement")

    page.fill("input[name=wipe_date]", today.isoformat())
    record.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Annuler").click()
    page.fill("input[name=wipe_date]", (today + timedelta(days=1)).isoformat())
    record.click()

    expect(page.locator("#wipe_date-error")).to_contain_text(
        "La date d'effacement ne peut pas être dans le futur."
    )
    expect(page.get_by_role("alertdialog")).to_have_count(0)
