"""An erased person chose nothing: their account takes no rank on the individual
board (page, API, one's own rank), while their department's and commune's totals keep
their points. The board started at rank 2, the erased person holding rank 1 as if
hidden, under « People who chose to be hidden count in the ranks »."""

import re
from datetime import timedelta

from app.auth.models import User
from app.cleanup import services
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

HIDDEN_NOTE = "People who chose to be hidden count in the ranks but are not listed."


def _board_with_an_erased_leader(client, make, make_campaign, hidden_second=False):
    """The leader (5 entries) erased; a hidden person (3) if asked; Ada (1) listed."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    department = make.department(name_en="Roads")
    leader = make.user(leaderboard_visibility="name", display_name="Leader", department=department)
    services.log_action(leader, campaign, "delete-mail", 5, now)
    if hidden_second:
        hidden = make.user(leaderboard_visibility="hidden", department=department)
        services.log_action(hidden, campaign, "delete-mail", 3, now)
    ada = make.user(leaderboard_visibility="name", display_name="Ada Lovelace")
    services.log_action(ada, campaign, "delete-mail", 1, now)
    db.session.commit()
    erase_user(db.session.get(User, leader.id), now)
    db.session.commit()
    return campaign, ada, department


def _rows(page: str) -> list[tuple[str, str]]:
    """(rank, name) of each row of the individual board."""
    return re.findall(r'<td>(\d+)</td><th scope="row">([^<]+)</th>', page)


def test_the_board_starts_at_rank_1_after_an_erasure(client, make, make_campaign):
    campaign, _ada, _department = _board_with_an_erased_leader(client, make, make_campaign)
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").get_data(as_text=True)
    assert _rows(page) == [("1", "Ada Lovelace")]
    assert HIDDEN_NOTE not in page  # nobody ranked is missing: no gap to explain


def test_the_api_ranks_the_first_listed_person_1(client, make, make_campaign):
    campaign, _ada, _department = _board_with_an_erased_leader(client, make, make_campaign)
    login(client, make.user())
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard").get_json()
    assert [(e["rank"], e["name"]) for e in answer["entries"]] == [(1, "Ada Lovelace")]


def test_a_hidden_person_still_takes_a_rank_but_the_erased_one_does_not(
    client, make, make_campaign
):
    campaign, _ada, _department = _board_with_an_erased_leader(
        client, make, make_campaign, hidden_second=True
    )
    login(client, make.user(locale="en"))
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard").get_json()
    assert [(e["rank"], e["name"]) for e in answer["entries"]] == [(2, "Ada Lovelace")]
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").get_data(as_text=True)
    assert HIDDEN_NOTE in page.replace("&#39;", "'")


def test_ones_own_rank_leaves_the_erased_out(client, make, make_campaign):
    campaign, ada, _department = _board_with_an_erased_leader(client, make, make_campaign)
    login(client, ada)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    mine = re.search(r'data-testid="my-rank">([^<]*)<', page).group(1)
    assert mine == "1 / 1"


def test_the_department_keeps_the_erased_persons_points(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    roads = make.department(name_en="Roads")
    people = [make.user(department=roads) for _ in range(3)]
    for person in people:
        services.log_action(person, campaign, "delete-mail", 2, now)
    db.session.commit()
    login(client, make.user())
    url = f"/api/v1/campaigns/{campaign.id}/leaderboard?scope=departments"
    before = client.get(url).get_json()["entries"]
    erase_user(db.session.get(User, people[0].id), now)
    db.session.commit()
    after = client.get(url).get_json()["entries"]
    assert after == before and before[0]["points"] > 0
