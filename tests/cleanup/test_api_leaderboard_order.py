"""`order=per_head` ranks teams only: asked of the individuals' leaderboard it was
accepted and ignored; it is refused with a 422 naming the allowed value, as other bad
query values are. The document explains the individuals' ranks against `total`."""

from tests.cleanup.conftest import build_campaign
from tests.conftest import login


def test_per_head_for_individuals_is_a_422_naming_the_allowed_value(client, make):
    campaign = build_campaign(make)
    login(client, make.user(locale="en"))
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard?order=per_head")
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_order"
    assert error["message"] == (
        "For individuals, the `order` parameter must be `total` (`per_head` ranks "
        "departments and communes)."
    )


def test_per_head_still_ranks_departments(client, make):
    campaign = build_campaign(make)
    login(client, make.user())
    url = f"/api/v1/campaigns/{campaign.id}/leaderboard?scope=departments&order=per_head"
    assert client.get(url).status_code == 200


def test_the_document_says_hidden_people_keep_their_rank_outside_total(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    description = paths["/api/v1/campaigns/{campaign_id}/leaderboard"]["get"]["description"]
    assert "keep their place in the ranking" in description
    assert "`total` counts the people listed" in description
