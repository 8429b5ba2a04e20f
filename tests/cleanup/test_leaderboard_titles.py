"""A leaderboard's title names its tab and page (RGAA 8.6), on the whole page and in the
htmx answer whose URL a tab puts into the history."""

import re
from datetime import timedelta

from app.cleanup import queries, services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

HX = {"HX-Request": "true"}


def _title(text: str) -> str:
    return re.search(r"<title>(.*?)</title>", text, re.S).group(1)


def _running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


def test_each_tab_names_itself_in_the_page_title(client, make, make_campaign):
    campaign = _running(make_campaign)
    login(client, make.user(locale="fr"))
    base = f"/cleanup/campaigns/{campaign.id}/leaderboard"
    titles = {
        query: _title(client.get(base + query).get_data(as_text=True))
        for query in ("", "?scope=departments&order=per_head", "?scope=communes")
    }
    assert titles == {
        "": "Individus – Classements · Nettoyage · Empreinte",
        "?scope=departments&order=per_head": (
            "Directions (par personne) – Classements · Nettoyage · Empreinte"
        ),
        # The communes' board opens per participant (a total favours the largest).
        "?scope=communes": "Communes (par personne) – Classements · Nettoyage · Empreinte",
    }


def test_the_htmx_answer_of_a_tab_carries_its_title(client, make, make_campaign):
    """htmx takes a top-level <title> out of the swap and makes it the document's title."""
    campaign = _running(make_campaign)
    login(client, make.user(locale="en"))
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=communes"
    fragment = client.get(url, headers=HX).get_data(as_text=True)
    assert "<html" not in fragment
    assert fragment.startswith(
        "<title>Communes (per head) – Leaderboards · Clean-up · Empreinte</title>"
    )


def test_a_page_past_the_first_is_in_the_title_as_shown(client, make, make_campaign):
    """A page past the end shows the last one: the title says that one."""
    campaign = _running(make_campaign)
    for _ in range(queries.PER_PAGE + 1):
        services.log_action(make.user(), campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, make.user(locale="en"))
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=individuals&page=99999"
    for headers in ({}, HX):
        title = _title(client.get(url, headers=headers).get_data(as_text=True))
        assert title == "Individuals – Leaderboards, page 2 · Clean-up · Empreinte"
