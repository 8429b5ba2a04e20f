"""RGAA 5.4: every data table of the clean-up pages has a name, its caption or the
heading it is tied to (aria-labelledby), and no header cell is empty: the results (the
actions done, the participation, the comparison with the previous campaign), « My
entries » and the list of campaigns."""

import re
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant
from tests.conftest import login


def _unnamed_tables(page: str) -> list[str]:
    """The opening tags of the tables with neither a caption nor a heading naming them."""
    unnamed = []
    for match in re.finditer(r"<table\b[^>]*>(.{0,400})", page, re.S):
        tag, after = match.group(0), match.group(1)
        labelled = re.search(r'aria-labelledby="([^"]+)"', tag)
        if labelled:
            assert all(f'id="{ref}"' in page for ref in labelled.group(1).split()), tag
        elif "<caption" not in after:
            unnamed.append(tag[:120])
    return unnamed


def _empty_header_cells(page: str) -> list[str]:
    return re.findall(r"<th\b[^>]*>\s*</th>", page)


def _closed(make, make_campaign, name, days_ago):
    now = utcnow()
    starts_at = now - timedelta(days=days_ago + 3)
    campaign = make_campaign(
        name_en=name, starts_at=starts_at, ends_at=now - timedelta(days=days_ago)
    )
    services.log_action(make.user(), campaign, "delete-mail", 1, starts_at + timedelta(hours=1))
    services.freeze_campaign(campaign, now)
    db.session.commit()
    return campaign


def test_the_results_tables_are_named(client, make, make_campaign):
    _closed(make, make_campaign, "Autumn", 20)
    spring = _closed(make, make_campaign, "Spring", 2)
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/cleanup/campaigns/{spring.id}/results").get_data(as_text=True)
    assert page.count("<table") == 5
    assert _unnamed_tables(page) == []
    assert _empty_header_cells(page) == []
    assert "Indicator" in page


def test_the_provisional_results_tables_are_named(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    services.log_action(make.user(), campaign, "delete-mail", 1, now)
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/interim-results").get_data(as_text=True)
    assert _unnamed_tables(page) == [] and _empty_header_cells(page) == []


def test_my_entries_and_the_campaign_list_are_named(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    me = Participant(client, campaign, make.user(locale="en"))
    answer = me.log("delete-mail", "1").get_data(as_text=True)
    assert "<table" in answer and _unnamed_tables(answer) == []
    page = me.page()
    assert "<table" in page and _unnamed_tables(page) == []
    index = client.get("/cleanup/").get_data(as_text=True)
    assert "<table" in index and _unnamed_tables(index) == []
