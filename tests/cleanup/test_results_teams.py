"""The results page's "Top departments" when no department may be ranked: with no department of
LEADERBOARD_MIN_TEAM participants, its two tables showed their headers only, where the
README lists such a team by name, as the leaderboard and the CSV do. With no team at all,
a sentence says so instead of two empty tables."""

import csv
import html
import io
from datetime import timedelta

import pytest

from app.core.time import utcnow
from tests.cleanup.test_small_teams import (
    DPO,
    PROTECTING,
    WITHHELD_ROW,
    _board,
    _closed,
    _team,
    _top_teams,
)
from tests.conftest import login

CABINET = ("Cabinet du maire", "Mayor's Office")


@pytest.fixture(autouse=True)
def _minimum_of_three(app, monkeypatch):
    """The production default (the test configuration shows every team)."""
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 3)


def _ended(make_campaign):
    """Ran for three days, ends in a day (closed by `_closed` once its entries are in)."""
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))


def test_with_no_department_big_enough_the_top_teams_list_them_by_name(client, make, make_campaign):
    campaign = _ended(make_campaign)
    _team(make, campaign, DPO, 1, 7)
    _team(make, campaign, CABINET, 2, 9)
    login(client, make.user(roles=("organiser",), locale="en"))
    # What the leaderboard says of them while the campaign runs…
    board = _board(client, campaign)
    _closed(campaign)
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    # …the results page says too, in each of its two tables, never headers alone.
    expected = [
        [WITHHELD_ROW[0], CABINET[1], WITHHELD_ROW[1]],
        [WITHHELD_ROW[0], DPO[1], WITHHELD_ROW[1]],
    ]
    assert board == expected
    assert _top_teams(page) == expected + expected
    assert 'data-testid="results-no-teams"' not in page
    # And the spreadsheet lists the same teams, without figures.
    text = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if row]
    assert [row[2] for row in rows[1:] if row[0] == "Department"] == [CABINET[1], DPO[1]]


def test_a_team_withheld_to_protect_another_says_why_on_the_results_page(
    client, make, make_campaign
):
    campaign = _ended(make_campaign)
    _team(make, campaign, DPO, 2, 7)
    sports = ("Direction des sports", "Sports Department")
    _team(make, campaign, sports, 3, 1)
    _closed(campaign)
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    rows = [
        [WITHHELD_ROW[0], DPO[1], WITHHELD_ROW[1]],
        [WITHHELD_ROW[0], sports[1], PROTECTING],
    ]
    assert _top_teams(page) == rows + rows


def test_in_french_a_withheld_department_reads_as_on_the_leaderboard(client, make, make_campaign):
    campaign = _ended(make_campaign)
    _team(make, campaign, DPO, 1, 7)
    _closed(campaign)
    login(client, make.user(locale="fr"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    row = ["– non classée", DPO[0], "Moins de 3 participants\u00a0: chiffres non publiés"]
    assert _top_teams(
        page.replace("<h2>Meilleures directions</h2>", "<h2>Top departments</h2>")
    ) == [
        row,
        row,
    ]


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_with_no_team_at_all_a_sentence_replaces_the_empty_tables(
    client, make, make_campaign, locale
):
    campaign = _ended(make_campaign)
    _closed(campaign)  # nobody logged anything
    login(client, make.user(locale=locale))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    heading = "<h2>Top departments</h2>" if locale == "en" else "<h2>Meilleures directions</h2>"
    section = page.split(heading, 1)[1].split("<h2", 1)[0]
    said = {
        "en": "No department has a counted entry: there is no department to rank.",
        "fr": "Aucune direction n'a de saisie comptée\u00a0: il n'y a pas de direction à classer.",
    }[locale]
    assert said in html.unescape(section)
    assert "<table" not in section


def test_the_participation_table_names_people_without_a_counted_entry_as_such(
    client, make, make_campaign
):
    """Its first row counted people who did log (an entry rejected or never reviewed)
    under « aucune action »: it counts those with no counted entry, and says so."""
    campaign = _ended(make_campaign)
    _team(make, campaign, DPO, 1, 7)
    _closed(campaign)
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert '<th scope="row">aucune saisie comptée</th>' in page
    assert "aucune action" not in page


def test_a_department_level_with_the_fifth_is_among_the_top_teams(client, make, make_campaign):
    """The list stopped at five rows: the sixth department, level with the fifth (both
    ranked 5 on the leaderboard and in the CSV), was missing from the results page."""
    campaign = _ended(make_campaign)
    names = [(f"Direction {n}", f"Department {n}") for n in "ABCDEF"]
    for names_of, quantity in zip(names, (9, 8, 7, 6, 5, 5), strict=True):
        _team(make, campaign, names_of, 3, quantity, hidden_first=False)
    _team(make, campaign, ("Direction G", "Department G"), 3, 1, hidden_first=False)
    _closed(campaign)
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    both = _top_teams(page)  # the total points' table, then the per-participant one
    half = len(both) // 2
    for rows in (both[:half], both[half:]):
        assert [(rank, name) for rank, name, *_ in rows] == [
            ("1", "Department A"),
            ("2", "Department B"),
            ("3", "Department C"),
            ("4", "Department D"),
            ("5", "Department E"),
            ("5", "Department F"),
        ]
