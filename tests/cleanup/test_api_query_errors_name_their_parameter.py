"""A refused query parameter of the API names itself in `details` (name → messages), as
the README promises of every field error: `page`, `scope` and `order` came back without."""

import pytest

from tests.cleanup.conftest import build_campaign
from tests.conftest import login


@pytest.mark.parametrize("page", ["0", "abc", "1.5", "100001"])
def test_a_bad_page_of_a_leaderboard_names_the_page(client, make, page):
    campaign = build_campaign(make)
    login(client, make.user())
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard?page={page}")
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == "invalid_page"
    assert error["details"] == {"page": [error["message"]]}


@pytest.mark.parametrize("url", ["/api/v1/me/messages?page=0", "/api/v1/catalogue/items?page=0"])
def test_a_bad_page_of_any_list_names_the_page(client, make, url):
    login(client, make.user())
    error = client.get(url).get_json()["error"]
    assert error["code"] == "invalid_page" and error["details"] == {"page": [error["message"]]}


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("scope=foo", "invalid_scope", "scope"),
        ("order=foo", "invalid_order", "order"),
        ("order=per_head", "invalid_order", "order"),
    ],
)
def test_a_bad_scope_or_order_names_its_parameter(client, make, query, code, field):
    campaign = build_campaign(make)
    login(client, make.user())
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard?{query}")
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == code
    assert error["details"] == {field: [error["message"]]}
