"""Someone whose only entry waits for an organiser's review is told so, not asked to log
a first action (the home panel said "No points yet: log an action")."""

import html
from datetime import timedelta

from app.core.time import utcnow
from tests.cleanup.conftest import Participant
from tests.conftest import login


def test_an_entry_waiting_for_review_is_said_on_the_home_panel_and_the_campaign(
    client, make, make_campaign
):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    person = make.user(locale="en")
    login(client, person)
    assert Participant(client, campaign, person).log("delete-mail", "12").status_code == 200

    home = html.unescape(client.get("/").get_data(as_text=True))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))

    assert "No points yet: your entry is waiting for an organiser's review" in home
    assert "log an action" not in home
    assert "No badge yet: your entry is waiting for an organiser's review." in page
    assert "log a first action" not in page


def test_someone_with_no_entry_is_still_asked_to_log_one(client, make, make_campaign):
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    login(client, make.user(locale="en"))
    assert "No points yet: log an action" in client.get("/").get_data(as_text=True)
