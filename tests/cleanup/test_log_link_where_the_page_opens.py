"""On a phone the log form is three screens down the campaign page, after the rules and
"My progress", and the home panel offered it only to someone with no points yet: a link
to it now opens the campaign page's links and follows one's points on the home panel."""

import html
import re
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _jump(page: str):
    return re.search(r'<a href="([^"]+)" data-testid="jump-to-log">([^<]+)</a>', page)


def test_the_campaign_page_opens_with_a_link_to_its_log_form(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    login(client, make.user())
    page = _page(client, f"/cleanup/campaigns/{campaign.id}")
    jump = _jump(page)
    assert jump.groups() == ("#log-action", "Enregistrer une action")
    # Before the rules and "My progress", and it leads to the form's heading.
    assert jump.start() < page.index('id="rules-title"') < page.index('id="my-progress-title"')
    assert page.index('<h3 id="log-action" tabindex="-1">') > jump.end()


def test_no_link_where_nothing_can_be_logged(client, make, make_campaign):
    now = utcnow()
    ended = make_campaign(starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=1))
    elsewhere = make.department()
    other_scope = make_campaign(
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
        all_departments=False,
        department_ids=[elsewhere.id],
    )
    login(client, make.user(department=make.department()))
    for campaign in (ended, other_scope):
        page = _page(client, f"/cleanup/campaigns/{campaign.id}")
        assert _jump(page) is None
        assert 'id="log-action"' not in page


def test_the_home_panel_offers_to_log_again_beside_ones_points(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    person = make.user(locale="en")
    services.log_action(person, campaign, "delete-mail", 2, now)
    db.session.commit()
    login(client, person)
    home = _page(client, "/")
    link = re.search(r'<a href="([^"]+)" data-testid="panel-log-again">([^<]+)</a>', home)
    assert link.groups() == (f"/cleanup/campaigns/{campaign.id}#log-action", "Log an action")
    assert "My points:" in home[: link.start()]
