""" "My department's rank" on the campaign page is by total points, which the
leaderboard's per-head tab ranks otherwise: the label names the ranking and links to
the tab that ranks so."""

import html
import re

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db


def test_my_departments_rank_names_its_ranking_and_links_to_its_tab(participant, make):
    campaign = participant.campaign
    services.log_action(
        make.user(department=make.department()), campaign, "delete-mail", 3, utcnow()
    )
    db.session.commit()
    participant.sign_in(make.user(department=make.department()))
    page = html.unescape(participant.log("delete-mail", "1").get_data(as_text=True))
    link = re.search(r'<a href="([^"]*)" data-testid="my-team-rank-link">([^<]*)</a>', page)
    assert link.group(2) == "Ma direction (total des points)\u00a0:"
    assert link.group(1) == (
        f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order=total"
    )
    tab = participant.client.get(link.group(1)).get_data(as_text=True)
    assert "est au rang 2 sur 2." in html.unescape(tab)  # the rank the campaign page gave
