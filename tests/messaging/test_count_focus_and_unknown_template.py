"""The schedule form: "Count the recipients" (a whole page, with or without JavaScript)
lands the focus on the count, which a screen reader then reads; a template asked for in
the address that does not exist preselects nothing and says so at the template field."""

import html
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login


def _template_select(page: str) -> str:
    return re.search(r'<select[^>]*id="template".*?</select>', page, re.S).group(0)


def _organiser_on(page, make, template) -> None:
    """A template to send and an organiser signed in on `page`."""
    template()
    browser_sign_in(page, make.user(roles=("organiser",), email="nora@example.org"))


def _count_with_the_button(page) -> None:
    page.goto("/messaging/schedule")
    page.select_option("#audience", "everyone")
    page.get_by_role("button", name="Compter les destinataires").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_counting_the_recipients_brings_the_focus_to_the_count(page, make, template):
    _organiser_on(page, make, template)
    _count_with_the_button(page)
    count = page.locator("main #audience-size")
    expect(count).to_be_focused()
    expect(count).to_contain_text("destinataires")


@pytest.mark.browser
def test_without_javascript_the_count_takes_the_focus_too(browser, live_server, make, template):
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        _organiser_on(page, make, template)
        _count_with_the_button(page)
        expect(page.locator("main #audience-size")).to_be_focused()
    finally:
        context.close()


@pytest.mark.browser
def test_the_count_an_audience_change_brings_leaves_the_focus_on_the_audience(page, make, template):
    _organiser_on(page, make, template)
    page.goto("/messaging/schedule")
    page.locator("#audience").focus()
    page.select_option("#audience", "everyone")
    expect(page.locator("main #audience-size")).to_contain_text("destinataire")
    expect(page.locator("#audience")).to_be_focused()


@pytest.mark.parametrize("asked", ["test-review", "999999", "99999999999999999999", "²"])
def test_an_unknown_template_in_the_address_preselects_none_and_says_so(
    client, make, template, asked
):
    template()
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = html.unescape(client.get(f"/messaging/schedule?template={asked}").get_data(as_text=True))
    select = _template_select(page)
    # The empty choice comes first and is the one chosen: the browser shows no template.
    first = re.search(r"<option[^>]*>", select).group(0)
    assert 'value=""' in first and "selected" in first
    assert select.count("selected") == 1
    error = re.search(r'<p class="error" id="template-error">([^<]*)</p>', page).group(1)
    assert "Le modèle demandé n'existe pas" in error
    assert 'aria-invalid="true"' in re.search(r'<select[^>]*id="template"[^>]*>', page).group(0)


def test_a_known_template_in_the_address_is_still_preselected(client, make, template):
    tpl = template()
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = html.unescape(
        client.get(f"/messaging/schedule?template={tpl.id}").get_data(as_text=True)
    )
    select = _template_select(page)
    assert re.search(
        rf'<option selected value="{tpl.id}">|<option value="{tpl.id}" selected', select
    )
    # The empty first choice is always offered (nothing chosen in advance), not chosen here.
    assert '<option value="">' in select
    assert 'id="template-error"' not in page


def test_scheduling_with_no_template_chosen_asks_for_one_and_keeps_none_chosen(
    auth, client, make, template
):
    template()
    login(client, make.user(roles=("organiser",), locale="fr"))
    response = auth.post(
        "/messaging/schedule", data={"template": "", "audience": "everyone", "kind": "now"}
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="template-error">([^<]*)</p>', page).group(1)
    assert error == "Choisissez le modèle à envoyer."
    assert re.findall(r"<option[^>]*\bselected\b[^>]*>", _template_select(page)) == [
        '<option selected value="">'
    ]
