"""With no audience chosen, "Count the recipients" answers what to do, and that answer
takes the focus and describes the Audience field, rather than an empty answer."""

import html
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login

HX = {"HX-Request": "true"}
SAID = "Choose an audience to count its recipients."


def _audience_select(page: str) -> str:
    return re.search(r'<select[^>]*id="audience"[^>]*>', page).group(0)


def _count_paragraph(page: str) -> str:
    return re.search(r'<p id="audience-size".*?</p>', page, re.S).group(0)


def test_counting_with_no_audience_says_so_at_the_audience_field(client, make, template):
    template()
    login(client, make.user(roles=("organiser",), locale="en"))
    form = client.get("/messaging/schedule").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(
        "/messaging/schedule", data={"csrf_token": token, "audience": "", "count": "yes"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    count = _count_paragraph(page)
    assert SAID in html.unescape(count)
    # The page opens at #audience-size: the count is focusable and takes the focus.
    assert 'tabindex="-1"' in count and "autofocus" in count
    select = _audience_select(page)
    assert 'aria-invalid="true"' in select
    assert 'aria-describedby="audience-size"' in select


def test_the_live_count_says_to_choose_an_audience_when_none_is(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    fragment = client.get("/messaging/audience-size?audience=", headers=HX).get_data(as_text=True)
    assert SAID in html.unescape(fragment)
    page = client.get("/messaging/audience-size?audience=")
    assert page.status_code == 422
    assert SAID in html.unescape(page.get_data(as_text=True))


def test_the_audience_is_described_by_its_count(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    select = _audience_select(client.get("/messaging/schedule").get_data(as_text=True))
    assert 'aria-describedby="audience-size"' in select


@pytest.mark.browser
def test_without_javascript_the_count_says_to_choose_an_audience_and_takes_the_focus(
    browser, live_server, make, template
):
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        template()
        browser_sign_in(page, make.user(roles=("organiser",), email="nora@example.org"))
        page.goto("/messaging/schedule")
        page.get_by_role("button", name="Compter les destinataires").click()
        page.wait_for_load_state()
        said = re.compile("Choisissez un groupe de destinataires pour en compter les personnes")
        count = page.locator("main #audience-size")
        expect(count).to_be_focused()
        expect(count).to_have_text(said)
        expect(page.locator("#audience")).to_have_accessible_description(said)
    finally:
        context.close()
