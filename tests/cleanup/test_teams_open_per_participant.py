"""The departments' board opened on total points, which the largest department wins
whatever others do, while the communes' opened per participant: both open per
participant now, their total the other tab, which says it favours the large ones. "My
department" (home, "My progress") still ranks by total and says so, linking to that
tab. The API's communes were ranked by total unless asked otherwise: per participant
now, as their page. And the publish question listed the reminders from a copy of
messaging's rules, which forgot the working hours: it asks messaging now."""

import html
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging.models import Dispatch
from tests.conftest import csrf_token, login

HX = {"HX-Request": "true"}


def _running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


def _text(page: str) -> str:
    return html.unescape(re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", page)))


def _big_and_small(make, campaign, reader_in="big"):
    """Big: 8 people at 2 points, 16 in all, 2 a head. Small: 3 people at 4, 12 in all,
    4 a head. The reader is one of `reader_in`'s (returned)."""
    big = make.department(name_fr="Grande direction", name_en="Large department")
    small = make.department(name_fr="Petite direction", name_en="Small department")
    people = {"big": [], "small": []}
    for team, key, count, quantity in ((big, "big", 8, 1), (small, "small", 3, 2)):
        for _ in range(count):
            person = make.user(department=team, locale="en")
            services.log_action(person, campaign, "unsubscribe", quantity, utcnow())
            people[key].append(person)
    db.session.commit()
    return people[reader_in][0]


def _rows(page: str) -> list[str]:
    return [n.strip() for n in re.findall(r'<th scope="row" role="rowheader">([^<]+)', page)]


# --- 1. the departments' board opens per participant ----------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_the_departments_board_opens_ranked_per_participant(client, make, make_campaign, headers):
    campaign = _running(make_campaign)
    login(client, _big_and_small(make, campaign))
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments"
    page = client.get(url, headers=headers).get_data(as_text=True)
    assert '<caption data-announce="first">Departments by points per participant</caption>' in (
        page
    )
    assert "<title>Departments (per head) – Leaderboards · " in page
    assert _rows(page)[:2] == ["Small department", "Large department"]
    # Its tab is the departments' first, and the one marked current.
    assert re.findall(r'id="tab-departments-(\w+)"', page) == ["per_head", "total"]
    assert re.search(
        r'id="tab-departments-per_head"\s+hx-get="[^"]*"[^>]*aria-current="page"', page
    )


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_the_departments_total_says_it_favours_the_large_ones(client, make, make_campaign, headers):
    campaign = _running(make_campaign)
    login(client, _big_and_small(make, campaign))
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order=total"
    page = html.unescape(client.get(url, headers=headers).get_data(as_text=True))
    note = (
        "A total favours the large departments, where most staff work: to compare "
        "departments, see their points per participant."
    )
    assert f'<p class="hint" id="total-note" data-testid="departments-total-note">{note}</p>' in (
        page
    )
    assert re.search(r'<table [^>]*aria-describedby="total-note"', page)
    assert _rows(page)[:2] == ["Large department", "Small department"]
    assert 'data-testid="per-head-note"' not in page


def test_the_french_total_note(client, make, make_campaign):
    campaign = _running(make_campaign)
    _big_and_small(make, campaign)
    login(client, make.user(locale="fr"))
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order=total"
    assert (
        "Un total avantage les grandes directions, où travaillent le plus d'agents\u00a0: pour "
        "comparer les directions, voyez leurs points par participant."
    ) in html.unescape(client.get(url).get_data(as_text=True))


def test_my_department_names_the_total_and_links_to_its_tab_from_home_and_progress(
    client, make, make_campaign
):
    """The large department is 1st by total, 2nd per head: the line says « total »,
    gives 1st, and its link opens the tab that ranks it 1st, not the board's first tab."""
    campaign = _running(make_campaign)
    me = _big_and_small(make, campaign, reader_in="big")
    login(client, me)
    for url in ("/", f"/cleanup/campaigns/{campaign.id}"):
        page = html.unescape(client.get(url).get_data(as_text=True))
        line = re.search(r'<span data-testid="my-team">(.*?)</span></span>', page, re.S)
        assert _text(line.group(1)).strip().startswith("My department (total points): 1st of 2"), (
            url
        )
        link = re.search(r'<a href="([^"]*)" data-testid="my-team-rank-link">', line.group(1))
        assert link.group(1) == (
            f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order=total"
        ), url
    tab = _text(client.get(link.group(1)).get_data(as_text=True))
    assert "Your department, Large department, ranks 1 of 2." in tab
    opened = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments"
    assert "Your department, Large department, ranks 2 of 2." in _text(
        client.get(opened).get_data(as_text=True)
    )


# --- 2. the API's communes per participant by default ---------------------------------


def _communes(make, campaign):
    """Grande: three people at 2 points (6, 2 a head); Petite: one at 4 (4 a head)."""
    big, small = make.commune(name="Grande"), make.commune(name="Petite")
    for _ in range(3):
        services.log_action(make.user(commune_id=big.id), campaign, "unsubscribe", 1, utcnow())
    services.log_action(make.user(commune_id=small.id), campaign, "unsubscribe", 2, utcnow())
    db.session.commit()


def _api_names(client, campaign, query) -> list[str]:
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard?{query}")
    assert answer.status_code == 200
    return [entry["name"] for entry in answer.get_json()["entries"]]


def test_the_apis_communes_are_ranked_per_participant_by_default(client, make, make_campaign):
    campaign = _running(make_campaign)
    _communes(make, campaign)
    login(client, make.user())
    assert _api_names(client, campaign, "scope=communes") == ["Petite", "Grande"]
    assert _api_names(client, campaign, "scope=communes&order=per_head") == ["Petite", "Grande"]
    # The total is still asked by its parameter.
    assert _api_names(client, campaign, "scope=communes&order=total") == ["Grande", "Petite"]


def test_the_next_page_of_the_apis_communes_keeps_its_order(client, make, make_campaign):
    campaign = _running(make_campaign)
    _communes(make, campaign)
    login(client, make.user())
    for order in ("total", "per_head"):
        url = f"/api/v1/campaigns/{campaign.id}/leaderboard?scope=communes&order={order}&page=2"
        previous = client.get(url).get_json()["links"]["previous"]
        assert f"order={order}" in previous


def test_the_api_document_says_the_communes_default(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    operation = paths["/api/v1/campaigns/{campaign_id}/leaderboard"]["get"]
    assert (
        "Without `order`, communes are ranked by points per participant"
        in (operation["description"])
    )
    order = next(p for p in operation["parameters"] if p["name"] == "order")
    assert "the default is per_head for communes, total otherwise" in order["description"]


# --- 4. the publish question asks messaging -------------------------------------------


@pytest.fixture
def weekday_hours(app):
    """E-mail on weekdays, 08:00 to 19:00 in Paris, for one test."""
    saved = app.config["MAIL_WORKING_HOURS"]
    app.config["MAIL_WORKING_HOURS"] = "Mo-Fr 08:00-19:00"
    yield
    app.config["MAIL_WORKING_HOURS"] = saved


def _next_monday_0730(after: timedelta) -> datetime:
    """The first Monday at 07:30, Paris time, at least `after` from now, in UTC."""
    zone = local_zone()
    day = (utcnow() + after).astimezone(zone)
    day += timedelta(days=(7 - day.weekday()) % 7)
    return day.replace(hour=7, minute=30, second=0, microsecond=0).astimezone(zone)


def test_the_question_leaves_out_a_last_48_hours_messaging_would_not_send(
    client, make, make_campaign, weekday_hours
):
    """Ending on a Monday at 07:30: its last 48 hours hold no working hour, so messaging
    schedules no « Dernières 48 heures »; the copied rule still announced one."""
    organiser = make.user(roles=("organiser",))
    ends = _next_monday_0730(timedelta(days=14))
    draft = make_campaign(
        organiser=organiser, publish=False, starts_at=utcnow() + timedelta(days=2), ends_at=ends
    )
    login(client, organiser)
    page = html.unescape(client.get(f"/cleanup/campaigns/{draft.id}").get_data(as_text=True))
    question = re.search(r'action="[^"]*/publish"\s+data-confirm="([^"]*)"', page).group(1)
    assert "(lancement, un rappel une semaine avant la fin, puis les résultats à la fin)" in (
        question.replace("\u00a0", " ")
    )

    url = f"/cleanup/campaigns/{draft.id}/publish"
    assert client.post(url, data={"csrf_token": csrf_token(client)}).status_code == 302
    keys = db.session.scalars(
        select(Dispatch.dedupe_key).where(Dispatch.dedupe_key.like(f"campaign:{draft.id}:%"))
    ).all()
    assert sorted(keys) == [f"campaign:{draft.id}:launch", f"campaign:{draft.id}:reminder"]
