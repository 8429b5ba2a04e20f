"""A closed campaign's wording, the per-head rankings and the results taken to a meeting.

- Once a campaign has ended, nothing is "still waiting" nor counted "yet": an entry left
  in review at the end never counts, and its status says so.
- "Per head" divides a team's points by its participants (people with at least one
  counted entry), not its staff: the boards and the results page say so, and give each
  team's participation (« 7 sur 20 »), its staff in scope counted as the results count
  the whole campaign's; a team withheld for its size still shows no figure.
- The results page gives the reader's own department below the first five (or why it is
  not published), links to the full leaderboards and prints without the site's header.
- The communes' per-head ranking has its tab; the spreadsheet gives the per-head ranks,
  each team's staff and the participation bands the page gives."""

import csv
import html
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupCampaign
from app.core.i18n import format_decimal
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import flagged_entry
from tests.cleanup.test_small_teams import _closed, _team
from tests.conftest import browser_sign_in, login
from tests.snapshots import demo_seed_command_once


@pytest.fixture(autouse=True)
def _minimum_of_three(app, monkeypatch):
    """The production default (the test configuration shows every team)."""
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 3)


def _text(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def _running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))


def _staffed(make, campaign, names, taking_part: int, idle: int, quantity: float):
    """A department of `taking_part` people deleting `quantity` GB each and `idle` more
    staff who log nothing."""
    department, members = _team(make, campaign, names, taking_part, quantity, hidden_first=False)
    for _n in range(idle):
        make.user(department=department)
    db.session.commit()
    return department, members


def _spreadsheet(client, campaign) -> list[dict]:
    text = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


# --- A closed campaign ------------------------------------------------------------------


def test_an_entry_left_in_review_at_the_end_is_not_said_to_wait(client, make, make_campaign):
    campaign = _running(make_campaign)
    person = make.user(locale="fr")
    login(client, person)
    flagged_entry(client, campaign, person)
    _closed(campaign)
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))
    assert "attend d'être examinée" not in page
    assert "Aucun badge obtenu dans cette campagne." in page


def test_a_closed_leaderboard_says_no_action_counted_in_the_campaign(client, make, make_campaign):
    campaign = _running(make_campaign)
    _team(make, campaign, ("Direction A", "Department A"), 3, 2)
    _closed(campaign)
    login(client, make.user(locale="en"))
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").get_data(as_text=True))
    assert "You have no counted action in this campaign." in page
    assert "yet" not in page


def test_an_empty_closed_board_says_nothing_was_counted(client, make, make_campaign):
    campaign = _running(make_campaign)
    _closed(campaign)
    login(client, make.user(locale="en"))
    query = "?scope=departments"
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard{query}").get_data(as_text=True))  # fmt: skip
    assert "No counted action in this campaign." in page and "yet" not in page


# --- Per head -----------------------------------------------------------------------------


def test_the_per_head_board_says_how_it_is_worked_out_and_gives_participation(
    client, make, make_campaign
):
    campaign = _running(make_campaign)
    _staffed(make, campaign, ("Mairie de Cenon", "Cenon Town Hall"), 3, 7, 5)
    login(client, make.user(locale="fr"))
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order=per_head"
    page = _text(client.get(url).get_data(as_text=True))
    assert "divisés par ses participants, les personnes ayant au moins une saisie comptée" in page
    assert "Mairie de Cenon 50,0 3 sur 10 150" in page


def test_the_total_board_gives_no_per_head_note(client, make, make_campaign):
    campaign = _running(make_campaign)
    _staffed(make, campaign, ("Mairie de Cenon", "Cenon Town Hall"), 3, 7, 5)
    login(client, make.user(locale="en"))
    # The departments' board opens per head: its total is the other tab.
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments&order=total"
    page = client.get(url)
    assert 'data-testid="per-head-note"' not in page.get_data(as_text=True)


def test_the_results_page_says_how_per_head_is_worked_out_with_participation(
    client, make, make_campaign
):
    campaign = _running(make_campaign)
    _staffed(make, campaign, ("Mairie de Cenon", "Cenon Town Hall"), 3, 7, 5)
    _staffed(make, campaign, ("Direction B", "Department B"), 4, 0, 2)
    _closed(campaign)
    login(client, make.user(locale="fr"))
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True))
    assert "Mairie de Cenon 50,0 3 sur 10" in page
    assert "Direction B 20,0 4 sur 4" in page
    assert "divisés par ses participants, les personnes ayant au moins une saisie comptée" in page


def test_a_withheld_department_shows_no_staff(client, make, make_campaign):
    campaign = _running(make_campaign)
    _staffed(make, campaign, ("Direction P", "Department P"), 2, 8, 5)
    _staffed(make, campaign, ("Direction B", "Department B"), 4, 0, 2)
    _staffed(make, campaign, ("Direction C", "Department C"), 3, 0, 2)
    _closed(campaign)
    login(client, make.user(roles=("organiser",), locale="en"))
    (row,) = [r for r in _spreadsheet(client, campaign) if r["Name"] == "Department P"]
    assert (row["Participants"], row["Staff in scope"]) == ("", "")
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True))
    assert "of 10" not in page


# --- The results spreadsheet --------------------------------------------------------------


def test_the_spreadsheet_gives_each_departments_staff_and_per_head_rank(
    client, make, make_campaign
):
    campaign = _running(make_campaign)
    _staffed(make, campaign, ("Mairie de Cenon", "Cenon Town Hall"), 3, 7, 5)
    _staffed(make, campaign, ("Direction B", "Department B"), 10, 0, 2)
    _closed(campaign)
    login(client, make.user(roles=("organiser",), locale="en"))
    rows = {r["Name"]: r for r in _spreadsheet(client, campaign) if r["Level"] == "Department"}
    cenon, other = rows["Cenon Town Hall"], rows["Department B"]
    # 150 points by 3 of 10 staff, 200 by 10 of 10: second by total, first per head.
    columns = ("Rank", "Rank per participant", "Staff in scope")
    assert [cenon[c] for c in columns] == ["2", "1", "10"]
    assert [other[c] for c in columns] == ["1", "2", "10"]


def test_the_spreadsheet_gives_the_participation_bands(client, make, make_campaign):
    campaign = _running(make_campaign)
    _staffed(make, campaign, ("Mairie de Cenon", "Cenon Town Hall"), 3, 7, 5)
    _closed(campaign)
    organiser = make.user(roles=("organiser",), locale="en")
    login(client, organiser)
    bands = [(r["Name"], r["People"]) for r in _spreadsheet(client, campaign) if r["Level"] == "Participation"]  # fmt: skip
    # The 7 idle staff, the campaign's organiser and the reader have no counted entry; the
    # 3 others scored 50 points each.
    assert bands == [("no counted entry", "9"), ("1–49", "0"), ("50–199", "3"),
                     ("200–499", "0"), ("500+", "0")]  # fmt: skip


# --- The results page for a meeting --------------------------------------------------------


def _seven_departments(make, campaign):
    """Departments A to F of 3 people each, from 9 GB each down to 4; G of 3 at 1 GB."""
    departments = {}
    for letter, quantity in zip("ABCDEFG", (9, 8, 7, 6, 5, 4, 1), strict=True):
        departments[letter], _ = _staffed(
            make, campaign, (f"Direction {letter}", f"Department {letter}"), 3, 0, quantity
        )
    return departments


def test_the_results_page_gives_my_department_below_the_first_five(client, make, make_campaign):
    campaign = _running(make_campaign)
    departments = _seven_departments(make, campaign)
    _closed(campaign)
    login(client, make.user(department=departments["G"], locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    mine = re.findall(r'<tr class="my-row"[^>]*>(.*?)</tr>', page, re.S)
    assert [_text(row).strip() for row in mine] == [
        "7 Department G (your department) 30",
        "7 Department G (your department) 10.0 3 of 4",  # the reader is staff too
    ]
    assert "Department F" not in page  # the others below the fifth stay out


def test_the_results_page_says_my_small_department_is_not_published(client, make, make_campaign):
    campaign = _running(make_campaign)
    _seven_departments(make, campaign)
    _small, members = _staffed(make, campaign, ("Direction P", "Department P"), 1, 4, 5)
    _closed(campaign)
    login(client, members[0])
    members[0].locale = "en"
    db.session.commit()
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True))
    assert (
        "Your department, Department P, is not ranked: fewer than 3 people took part, so its "
        "figures are not published." in page
    )


def test_the_results_page_links_an_employee_to_the_leaderboards_only(client, make, make_campaign):
    campaign = _running(make_campaign)
    _seven_departments(make, campaign)
    _closed(campaign)
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" data-testid="results-leaderboards">', page).group(1)
    assert html.unescape(link) == f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments"
    assert "results.csv" not in page and "open-data.json" not in page


@pytest.mark.browser
def test_the_results_page_prints_without_the_sites_header(page, make, make_campaign):
    campaign = _running(make_campaign)
    _seven_departments(make, campaign)
    _closed(campaign)
    browser_sign_in(page, make.user(locale="en"))
    page.goto(f"/cleanup/campaigns/{campaign.id}/results")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("table").filter(has_text="Departments by total points")).to_be_visible()
    border = page.locator("[data-testid=results-by-total] td").first.evaluate(
        "cell => getComputedStyle(cell).borderTopStyle"
    )
    assert border == "solid"


# --- The communes' per-head tab and the demo figures ---------------------------------------


def test_the_communes_per_head_ranking_has_its_tab_marked_current(client, make, make_campaign):
    campaign = _running(make_campaign)
    _team(make, campaign, ("Direction A", "Department A"), 3, 2)
    login(client, make.user(locale="fr"))
    url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=communes&order=per_head"
    body = client.get(url).get_data(as_text=True)
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', body)
    assert "Communes (par personne)" in current
    assert "<title>Communes (par personne) – Classements" in body


def test_the_readme_gives_the_gb_the_demo_of_2000_seeds(runner):
    demo_seed_command_once(runner, 2000)
    past = db.session.scalars(
        select(CleanupCampaign).where(CleanupCampaign.frozen_at.is_not(None))
    ).one()
    (storage,) = [
        g for g in services.published_results(past, utcnow())["goals"] if g["unit"] == "GB"
    ]
    achieved = format_decimal(storage["achieved"], "#,##0.0", locale="en")
    readme = " ".join(Path("README.md").read_text().split())
    assert f"and {achieved} GB of" in readme
