"""Points per participant on the team boards and the results page mixed "83.3" with "77":
the figures did not line up. They are written to one decimal throughout, the page's way
(« 77,0 » in French); the exports keep their numbers."""

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.test_small_teams import _board, _campaign, _closed, _team, _top_teams
from tests.conftest import login

FRACTIONAL = ("Direction des finances", "Finance Department")  # 250 points for 3
WHOLE = ("Direction du numérique", "Digital Department")  # 3 × 7.7 GB: 77 a head


def _two_teams(make, make_campaign):
    campaign = _campaign(make_campaign)
    _, members = _team(make, campaign, FRACTIONAL, 3, 8)
    services.log_action(members[1], campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    _team(make, campaign, WHOLE, 3, 7.7)
    return campaign


def _per_head_on_board(client, campaign, scope) -> list[str]:
    return [row[2] for row in _board(client, campaign, scope=scope, order="per_head")]


def test_departments_and_communes_boards_write_points_per_head_to_one_decimal(
    client, make, make_campaign
):
    campaign = _two_teams(make, make_campaign)
    login(client, make.user(locale="en"))
    boards = [_per_head_on_board(client, campaign, scope) for scope in ("departments", "communes")]
    assert boards == [["83.3", "77.0"], ["83.3", "77.0"]]


def test_the_board_writes_one_decimal_the_french_way(client, make, make_campaign):
    campaign = _two_teams(make, make_campaign)
    login(client, make.user(locale="fr"))
    assert _per_head_on_board(client, campaign, "departments") == ["83,3", "77,0"]


def test_the_results_page_writes_points_per_head_to_one_decimal(client, make, make_campaign):
    campaign = _two_teams(make, make_campaign)
    _closed(campaign)
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    per_head = [row[2] for row in _top_teams(page)[2:]]
    assert per_head == ["83.3", "77.0"]
