"""The results page compares a campaign with the previous one of the same scope: a
campaign of two departments was compared with the whole staff's, unlike populations.
Everyone with everyone, the very same departments with the same departments; none of
the same scope, the page says it has none to compare with (and, when earlier campaigns of
other departments exist, why)."""

import html
from datetime import timedelta

from app.cleanup import queries, services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

NONE_TO_COMPARE = "No previous campaign to compare with."


def _closed(make, make_campaign, name, days_ago, departments=None):
    """A campaign of three days that ended `days_ago` days ago, its results frozen, with
    one entry; everyone's, or `departments`' only."""
    now = utcnow()
    starts_at = now - timedelta(days=days_ago + 3)
    scope = {"all_departments": True, "department_ids": []}
    if departments:
        scope = {"all_departments": False, "department_ids": [d.id for d in departments]}
    campaign = make_campaign(
        name_en=name, starts_at=starts_at, ends_at=now - timedelta(days=days_ago), **scope
    )
    author = make.user(department=departments[0]) if departments else make.user()
    services.log_action(author, campaign, "delete-mail", 1, starts_at + timedelta(hours=1))
    services.freeze_campaign(campaign, now)
    db.session.commit()
    return campaign


def _compared_with(client, make, campaign) -> str:
    """The results page's comparison section, as an organiser reads it in English."""
    login(client, make.user(roles=("organiser",), locale="en"))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}/results").text)
    return page.split("Compared with the previous campaign", 1)[1]


def test_a_campaign_of_two_departments_is_not_compared_with_everyones(client, make, make_campaign):
    finance, records = make.department(), make.department()
    _closed(make, make_campaign, "Everyone's spring", 20)
    current = _closed(make, make_campaign, "Two departments", 1, [finance, records])
    section = _compared_with(client, make, current)
    assert "No earlier campaign covered the same departments" in section
    assert "Everyone's spring" not in section


def test_the_previous_campaign_of_the_same_departments_is_the_one_compared(
    client, make, make_campaign
):
    finance, records = make.department(), make.department()
    _closed(make, make_campaign, "Same two, last year", 40, [records, finance])
    _closed(make, make_campaign, "Everyone's spring", 20)  # later, but everyone's
    _closed(make, make_campaign, "Finance alone", 10, [finance])  # a subset
    _closed(make, make_campaign, "Three departments", 8, [finance, records, make.department()])
    current = _closed(make, make_campaign, "Two departments", 1, [finance, records])
    section = _compared_with(client, make, current)
    assert "Same two, last year" in section and NONE_TO_COMPARE not in section
    for other in ("Everyone's spring", "Finance alone", "Three departments"):
        assert other not in section


def test_an_everyone_campaign_is_compared_with_the_previous_everyone_campaign(make, make_campaign):
    finance = make.department()
    older = _closed(make, make_campaign, "Everyone's autumn", 30)
    _closed(make, make_campaign, "Finance alone", 10, [finance])
    current = _closed(make, make_campaign, "Everyone's spring", 1)
    assert queries.previous_campaign(current).id == older.id
