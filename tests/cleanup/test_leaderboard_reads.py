"""The leaderboard pages read a campaign's columns and goals as plain values and keep a
person's points to come per process: every change must still show at the next view, in
the reader's own line (rank, points, points to come, "Show my place") and in the table."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupActionType, CleanupCampaignActionType, CleanupGoal
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant
from tests.conftest import login


@pytest.fixture(autouse=True)
def _every_badge_shown(app, monkeypatch):
    """Every badge beside its holders, however few (the setting's smallest value): a
    rare one is left off the board otherwise (test_rare_badges_hidden_on_the_board.py)."""
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_BADGE_HOLDERS", 1)


def _running(make_campaign, **overrides):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5),
                         **overrides)  # fmt: skip


def _own_line(client, campaign, query: str = "") -> str:
    """The reader's own line above the table, as read (tags dropped, entities decoded)."""
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard{query}")
    assert page.status_code == 200
    line = re.search(r'<p class="cleanup-own-rank">(.*?)</p>', page.get_data(as_text=True), re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", line.group(1)))


def _declared_return(user, campaign, number: int) -> None:
    """What the recycling service logs for a declared return: a pending entry."""
    services.log_action(user, campaign, "return-device", 1, utcnow(),
                        source_key=f"device-return:{number}", pending=True)  # fmt: skip
    db.session.commit()


def test_a_logged_action_shows_at_once_in_my_rank_on_the_leaderboard(client, make, make_campaign):
    campaign = _running(make_campaign)
    services.log_action(make.user(), campaign, "delete-mail", 3, utcnow())  # 30 points
    db.session.commit()
    me = Participant(client, campaign, make.user(locale="en"))
    assert me.log("delete-mail", "2").status_code == 200
    assert _own_line(client, campaign).startswith("Your rank: 2 of 2, 20 points")
    assert me.log("delete-mail", "2").status_code == 200  # 40 points: ahead
    assert _own_line(client, campaign).startswith("Your rank: 1 of 2, 40 points")
    # The departments' board says it too, in French.
    me.user.locale = "fr"
    db.session.commit()
    assert _own_line(client, campaign, "?scope=departments").startswith(
        "Votre rang\xa0: 1 sur 2, 40 points"
    )


def test_points_to_come_on_the_leaderboard_follow_the_return(client, make, make_campaign):
    campaign = _running(make_campaign)
    me = Participant(client, campaign, make.user(locale="en"))
    assert me.log("delete-mail", "2").status_code == 200  # 20 points counted
    assert "to come" not in _own_line(client, campaign)
    assert "once your device" not in _own_line(client, campaign)

    _declared_return(me.user, campaign, 1)
    assert "20 points (+100 once your device is received)" in _own_line(client, campaign)
    _declared_return(me.user, campaign, 2)
    assert "20 points (+200 once your devices are received)" in _own_line(client, campaign)

    services.count_received_device_return(1, utcnow())  # an agent has the first device
    db.session.commit()
    assert "120 points (+100 once your device is received)" in _own_line(client, campaign)

    services.take_back_device_return(2, me.user, utcnow())  # the second one withdrawn
    db.session.commit()
    line = _own_line(client, campaign)
    assert "120 points" in line and "once your device" not in line


def test_points_to_come_leave_the_leaderboard_once_returns_no_longer_count(
    client, make, make_campaign
):
    campaign = _running(make_campaign)
    me = Participant(client, campaign, make.user(locale="en"))
    _declared_return(me.user, campaign, 1)
    assert "(+100 once your device is received)" in _own_line(client, campaign)

    returns = db.session.scalar(
        select(CleanupCampaignActionType)
        .join(CleanupActionType)
        .where(
            CleanupCampaignActionType.campaign_id == campaign.id,
            CleanupActionType.key == "return-device",
        )
    )
    db.session.delete(returns)
    db.session.commit()
    assert "once your device" not in _own_line(client, campaign)


def test_show_my_place_follows_my_visibility_and_the_scope(client, auth, make, make_campaign):
    campaign = _running(make_campaign)
    me = Participant(client, campaign, make.user(locale="en"))
    link = f'href="/cleanup/campaigns/{campaign.id}/leaderboard?me=1#my-row"'
    board = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    assert link not in client.get(board).get_data(as_text=True)  # nothing counted yet
    assert me.log("delete-mail", "1").status_code == 200
    assert link in client.get(board).get_data(as_text=True)
    assert link not in client.get(f"{board}?scope=departments").get_data(as_text=True)

    response = auth.post(
        "/auth/profile/preferences", {"locale": "en", "visibility": "hidden", "email_opt_in": ""}
    )
    assert response.status_code == 302
    page = client.get(board).get_data(as_text=True)
    assert link not in page and "Your rank: 1 of 1" in html.unescape(page)


def test_the_leaderboard_follows_a_change_of_the_campaigns_goals(client, make, make_campaign):
    """A goal reached gives everyone listed its badge; the table is cached by the goals."""
    campaign = _running(make_campaign, goals={"participants": 1})
    person = make.user(locale="en", leaderboard_visibility="name", display_name="Ada Lovelace")
    services.log_action(person, campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, person)
    board = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    row = re.compile(r"<tr>.*?Ada Lovelace.*?</tr>", re.S)
    assert "Goal reached" in row.search(client.get(board).get_data(as_text=True)).group(0)

    goal = db.session.scalar(select(CleanupGoal).where(CleanupGoal.campaign_id == campaign.id))
    goal.target = 1000
    db.session.commit()
    assert "Goal reached" not in row.search(client.get(board).get_data(as_text=True)).group(0)


def test_the_leaderboard_names_the_campaign_in_the_readers_language(client, make, make_campaign):
    campaign = _running(make_campaign)
    reader = make.user(locale="en")
    login(client, reader)
    board = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    english = client.get(board).get_data(as_text=True)
    assert "<title>Individuals – Leaderboards · Clean-up" in english and ">Clean-up</a>" in english
    reader.locale = "fr"
    db.session.commit()
    french = client.get(board).get_data(as_text=True)
    assert "<title>Individus – Classements · Nettoyage" in french and ">Nettoyage</a>" in french


def test_a_drafts_leaderboard_is_for_organisers_only(client, make, make_campaign):
    draft = make_campaign(publish=False)
    board = f"/cleanup/campaigns/{draft.id}/leaderboard"
    login(client, make.user())
    assert client.get(board).status_code == 404
    login(client, make.user(roles=("organiser",)))
    assert client.get(board).status_code == 200
