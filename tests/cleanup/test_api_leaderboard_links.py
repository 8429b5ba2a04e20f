"""The leaderboard's `links`, as every paginated list of the API gives them."""

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.test_api import running
from tests.conftest import login


def test_past_the_last_page_previous_leads_to_the_last_one(client, make, make_campaign):
    campaign = running(make_campaign)
    services.log_action(make.user(), campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, make.user())
    url = f"/api/v1/campaigns/{campaign.id}/leaderboard"
    first = client.get(f"{url}?scope=communes&order=per_head").get_json()
    assert first["links"] == {"next": None, "previous": None}
    beyond = client.get(f"{url}?scope=communes&page=4&order=per_head").get_json()
    assert beyond["entries"] == []
    assert beyond["links"] == {
        "next": None,
        "previous": f"{url}?scope=communes&order=per_head&page=1",
    }
