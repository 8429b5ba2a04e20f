"""The Preview button that reloads the editor (without JavaScript, or the visible one):
the page opens at the preview's heading, which takes the focus and is read with what
the preview found, instead of the focus left on <body>."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login
from tests.messaging.conftest import PREVIEW


def _heading(page: str) -> str:
    return re.search(r'<h2 id="preview-heading"[^>]*>', page).group(0)


def test_the_preview_heading_is_focusable_and_described_after_preview(auth, client, make):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/templates/new", data={**PREVIEW, "key": "Ma Lettre", "action": "preview"}
    )
    page = response.get_data(as_text=True)
    heading = _heading(page)
    assert 'tabindex="-1"' in heading and "autofocus" in heading
    assert 'aria-describedby="preview-said preview-summary"' in heading
    assert 'id="preview-said"' in page and 'id="preview-summary"' in page


def test_a_visit_leaves_the_preview_heading_alone(client, make):
    login(client, make.user(roles=("organiser",)))
    heading = _heading(client.get("/messaging/templates/new").get_data(as_text=True))
    assert "tabindex" not in heading and "autofocus" not in heading


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [False, True])
def test_preview_of_an_empty_template_focuses_its_heading_read_with_its_problems(
    browser, live_server, make, javascript
):
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", java_script_enabled=javascript
    )
    page = context.new_page()
    try:
        browser_sign_in(page, make.user(roles=("organiser",), email="nora@example.org"))
        page.goto("/messaging/templates/new")
        page.get_by_role("button", name="Aperçu", exact=True).click()
        page.wait_for_load_state()
        heading = page.locator("#preview-heading")
        expect(heading).to_be_focused()
        expect(heading).to_have_accessible_description(
            re.compile(r"Aperçu\s*: 6 problèmes à corriger\.")
        )
    finally:
        context.close()
