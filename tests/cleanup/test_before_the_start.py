"""A draft's preview and a scheduled campaign show only what applies before the start:
no « Points : 0, Rang : – » nor « Mes badges », no link to review flagged entries; and
publishing says that a results message follows at the end."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from tests.conftest import browser_sign_in, login


def _campaign(make, make_campaign, organiser, publish):
    now = utcnow()
    return make_campaign(
        organiser=organiser,
        publish=publish,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=20),
    )


@pytest.mark.parametrize("publish", [False, True], ids=["draft", "scheduled"])
def test_no_points_rank_or_badges_before_the_start(client, make, make_campaign, publish):
    organiser = make.user(roles=("organiser",), locale="en")
    campaign = _campaign(make, make_campaign, organiser, publish)
    login(client, organiser)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-testid="my-rank"' not in page and 'data-testid="my-points"' not in page
    assert "My badges" not in page
    assert "Points, ranks and badges are counted from the campaign's start." in page


def test_a_scheduled_campaign_offers_no_review_of_flagged_entries(client, make, make_campaign):
    organiser = make.user(roles=("organiser",), locale="en")
    campaign = _campaign(make, make_campaign, organiser, publish=True)
    login(client, organiser)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Review flagged entries" not in page
    assert f"/cleanup/campaigns/{campaign.id}/review" not in page


def test_a_running_campaign_still_shows_ones_progress_and_the_review_link(
    client, make, make_campaign
):
    organiser = make.user(roles=("organiser",), locale="en")
    now = utcnow()
    campaign = make_campaign(
        organiser=organiser, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5)
    )
    login(client, organiser)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-testid="my-rank"' in page and "My badges" in page
    assert "Review flagged entries" in page


@pytest.mark.browser
def test_the_publish_question_says_a_results_message_follows_at_the_end(page, make, make_campaign):
    organiser = make.user(roles=("organiser",))
    campaign = _campaign(make, make_campaign, organiser, publish=False)
    browser_sign_in(page, organiser)
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    expect(page.get_by_text("Ma progression")).to_be_visible()
    expect(page.get_by_test_id("my-rank")).to_have_count(0)
    expect(page.get_by_text("Mes badges")).to_have_count(0)
    page.locator("form[action$='/publish'] button").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(
        "(lancement, un rappel une semaine avant la fin, un autre 48 heures avant, "
        "puis les résultats à la fin)"
    )
    dialog.get_by_role("button", name="Pas encore").click()
    expect(dialog).to_have_count(0)
