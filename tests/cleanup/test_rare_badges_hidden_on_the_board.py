"""A badge few people hold identifies them beside their pseudonym: the public individual
board (page, fragment and API) shows a badge only once enough listed people hold it,
while each person still reads all their own badges on their progress."""

import html
from datetime import timedelta

from app.cleanup import queries, services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _board_with_one_second_life(make, make_campaign):
    """Six people who logged mail (« First step » for each), one of whom also had a
    device received (« Second life », that person's alone)."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    people = [make.user(locale="en") for _ in range(6)]
    for person in people:
        services.log_action(person, campaign, "delete-mail", 1, utcnow())
    services.log_action(
        people[0], campaign, "return-device", 1, utcnow(), source_key="device-return:1"
    )
    db.session.commit()
    return campaign, people


def test_a_badge_held_by_one_person_is_not_shown_on_the_board(client, make, make_campaign):
    campaign, people = _board_with_one_second_life(make, make_campaign)
    login(client, people[1])
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    for headers in ({}, {"HX-Request": "true"}):
        page = html.unescape(client.get(url, headers=headers).get_data(as_text=True))
        assert people[0].pseudonym in page
        assert "First step" in page  # held by six listed people
        assert "Second life" not in page


def test_nor_in_the_api(client, make, make_campaign):
    campaign, people = _board_with_one_second_life(make, make_campaign)
    login(client, people[1])
    entries = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard").get_json()["entries"]
    mine = next(e for e in entries if e["name"] == people[0].pseudonym)
    assert mine["badges"] == ["first-action"]


def test_the_holder_still_reads_it_on_their_progress(client, make, make_campaign):
    campaign, people = _board_with_one_second_life(make, make_campaign)
    login(client, people[0])
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))
    assert "Second life" in page.split('data-testid="my-badges"')[1].split("</ul>")[0]


def test_the_threshold_is_a_setting_never_below_the_small_team_one(app):
    assert queries.min_badge_holders() == queries.MIN_BADGE_HOLDERS == 5
    app.config["LEADERBOARD_MIN_BADGE_HOLDERS"] = 1
    app.config["LEADERBOARD_MIN_TEAM"], before = 3, app.config["LEADERBOARD_MIN_TEAM"]
    try:
        assert queries.min_badge_holders() == 3
    finally:
        del app.config["LEADERBOARD_MIN_BADGE_HOLDERS"]
        app.config["LEADERBOARD_MIN_TEAM"] = before
