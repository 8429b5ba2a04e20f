"""In a browser (users' findings, 6 December): at 360 px the log form's menu cut its
chosen action (« Supprimer les vieux e-mails et pièc… »), and "Show my place" focused a
row whose accessible name was empty."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import browser_sign_in

# The text of the chosen option as drawn, against the room the select gives it, and the
# select's height: a text wider than that room must be drawn on more lines, not cut.
MEASURE = """(select) => {
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const text = select.options[select.selectedIndex].text;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {
    text: context.measureText(text).width, room: room, height: select.clientHeight,
    font: parseFloat(style.fontSize), width: select.getBoundingClientRect().width,
    form: select.closest("form").getBoundingClientRect().width,
  };
}"""


@pytest.mark.browser
def test_at_360_px_the_chosen_action_is_read_whole(page, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2))
    me = make.user()
    page.set_viewport_size({"width": 360, "height": 740})
    browser_sign_in(page, me)
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    menu = page.locator("form.cleanup-log select[name=action_type]")
    menu.select_option("delete-mail")
    expect(menu.locator("option:checked")).to_contain_text(
        "Supprimer les vieux e-mails et pièces jointes"
    )
    long = menu.evaluate(MEASURE)
    menu.select_option("clean-phone")  # « Nettoyer son téléphone »: one line
    expect(page.locator("#quantity-hint")).to_contain_text("Go")  # the choice is taken
    short = menu.evaluate(MEASURE)
    assert long["width"] >= long["form"] - 1  # the whole width of the form
    assert long["text"] > long["room"]  # longer than a line of it at 360 px…
    # …so on a second line, not cut: it was as high as a one-line choice (44 px).
    assert short["text"] < short["room"]
    assert long["height"] >= short["height"] + long["font"]


@pytest.mark.browser
def test_show_my_place_focuses_a_row_read_by_its_rank_name_and_points(page, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    first = make.user(leaderboard_visibility="name", display_name="Alice Martin")
    me = make.user(leaderboard_visibility="name", display_name="Bruno Petit")
    services.log_action(first, campaign, "delete-mail", 3, now)
    services.log_action(me, campaign, "delete-mail", 1, now)
    db.session.commit()
    browser_sign_in(page, me)
    page.goto(f"/cleanup/campaigns/{campaign.id}/leaderboard")
    page.get_by_role("link", name="Voir ma place").click()
    page.wait_for_url("**me=1#my-row")
    row = page.locator("#my-row")
    expect(row).to_be_focused()
    expect(row).to_have_accessible_name("Votre place\u00a0: rang 2, Bruno Petit, 10 points")
    # What a screen reader is given for the focused element.
    name = page.evaluate(
        "document.activeElement.ariaLabel || document.activeElement.getAttribute('aria-label')"
    )
    assert name == "Votre place\u00a0: rang 2, Bruno Petit, 10 points"
