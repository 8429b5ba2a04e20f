"""Correcting or deleting an entry leaves the log form as the person left it: the action
chosen and the quantity typed, not yet logged, were put back to the first action and
emptied (the answer re-renders "My progress", the log form with it)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant
from tests.conftest import browser_sign_in, csrf_token


def _running_with_entries(make, make_campaign, count=2):
    """A running campaign, a participant and their `count` entries of 1 GB (ids)."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2))
    me = make.user()
    ids = [services.log_action(me, campaign, "delete-mail", 1, now).id for _ in range(count)]
    db.session.commit()
    return campaign, me, ids


def _correct_url(page_html: str, entry_id: int) -> str:
    found = re.search(rf'action="(/cleanup/actions/{entry_id}/correct\?[^"]*)"', page_html)
    return found.group(1).replace("&amp;", "&")


def test_an_answer_about_an_entry_keeps_the_log_fields_through_htmx(client, make, make_campaign):
    campaign, me, (first, second) = _running_with_entries(make, make_campaign)
    person = Participant(client, campaign, me)
    corrected = person.correct(first, "0,6").get_data(as_text=True)
    assert '<div id="log-fields" hx-preserve="true">' in corrected
    deleted = person.delete(second, htmx=True).get_data(as_text=True)
    assert '<div id="log-fields" hx-preserve="true">' in deleted
    # A log's answer empties the quantity: its fields are the new ones.
    logged = person.log("delete-mail", "1").get_data(as_text=True)
    assert '<div id="log-fields">' in logged


def test_without_javascript_a_correction_keeps_the_action_chosen(client, make, make_campaign):
    campaign, me, (first, _second) = _running_with_entries(make, make_campaign)
    person = Participant(client, campaign, me)
    shown = person.page("?action_type=remove-duplicates")
    url = _correct_url(shown, first)
    assert "action_type=remove-duplicates" in url
    response = client.post(url, data={"csrf_token": csrf_token(client), "quantity": "0,6"})
    assert response.status_code == 302
    assert "action_type=remove-duplicates" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert re.search(r'<option selected value="remove-duplicates"', page)


@pytest.mark.browser
@pytest.mark.parametrize("change", ["correct", "delete"])
def test_correcting_or_deleting_an_entry_leaves_the_log_form_as_typed(
    page, make, make_campaign, change
):
    campaign, me, (first, second) = _running_with_entries(make, make_campaign)
    browser_sign_in(page, me)
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.select_option("select[name=action_type]", "remove-duplicates")
    page.fill("form.cleanup-log input[name=quantity]", "7")
    if change == "correct":
        page.fill(f"#quantity-{first}", "0,6")
        page.press(f"#quantity-{first}", "Enter")
        expect(page.locator("#progress-status")).to_have_text("Saisie corrigée.")
    else:
        page.locator(f"#delete-{second}").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Supprimer").click()
        expect(page.locator("#progress-status")).to_have_text("Saisie supprimée.")
    expect(page.locator("select[name=action_type]")).to_have_value("remove-duplicates")
    expect(page.locator("form.cleanup-log input[name=quantity]")).to_have_value("7")
    expect(page.locator("#quantity-hint")).to_contain_text("Go")
    # Logged as typed.
    page.locator("#log-submit").click()
    expect(page.locator("form.cleanup-log #progress-status")).to_contain_text("Enregistré")
    expect(page.locator("form.cleanup-log input[name=quantity]")).to_have_value("")


@pytest.mark.browser
def test_a_refused_correction_after_a_refused_log_takes_the_focus(page, make, make_campaign):
    """The kept log fields keep the autofocus of their own refusal: it took the focus
    from the refused correction."""
    campaign, me, (first, _second) = _running_with_entries(make, make_campaign)
    browser_sign_in(page, me)
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.fill("form.cleanup-log input[name=quantity]", "beaucoup")
    page.locator("#log-submit").click()
    expect(page.locator("form.cleanup-log input[name=quantity]")).to_be_focused()
    page.fill(f"#quantity-{first}", "trop")
    page.press(f"#quantity-{first}", "Enter")
    expect(page.locator(f"#quantity-{first}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#quantity-{first}")).to_be_focused()
    expect(page.locator("form.cleanup-log input[name=quantity]")).to_have_value("beaucoup")
