"""In a browser: at 320 px with the text spacing of WCAG 1.4.12,
the template form's closed campaign select cut its chosen value (« La campagne du
destinataire »); it wraps onto a second line, as the clean-up log form's menu does."""

import pytest

from tests.cleanup.test_log_menu_and_my_row_browser import MEASURE
from tests.conftest import TEXT_SPACING, browser_sign_in

pytestmark = pytest.mark.browser


def test_at_320_px_with_text_spacing_the_chosen_campaign_is_read_whole(
    spaced_page, make, make_campaign
):
    make_campaign(name_fr="Défi numérique")
    page = spaced_page
    browser_sign_in(page, make.user(roles=("organiser",), locale="fr"))
    page.goto("/messaging/templates/new")
    page.add_style_tag(content=TEXT_SPACING)
    select = page.locator("#template-form select[name=campaign_id]")
    chosen = select.locator("option:checked")
    assert chosen.inner_text() == "La campagne du destinataire"
    measured = select.evaluate(
        MEASURE.replace(
            "context.font = style.font;",
            "context.font = style.font; context.letterSpacing = style.letterSpacing; context.wordSpacing = style.wordSpacing;",
        )
    )
    assert measured["width"] <= 320
    if measured["text"] > measured["room"]:  # longer than a line: drawn on more lines
        assert measured["height"] >= 44 + measured["font"]
