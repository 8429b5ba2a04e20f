"""A running campaign's provisional results for its organisers: the results page's
figures and spreadsheet while it runs, marked provisional, under the same privacy rules
(departments under LEADERBOARD_MIN_TEAM participants withheld, nobody named). Before,
`…/results` redirected and results.csv was a 404 until the end."""

import csv
import io
import re
from datetime import timedelta

import pytest

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


@pytest.fixture(autouse=True)
def _minimum_of_three(app, monkeypatch):
    """The production default (the test configuration shows every team)."""
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 3)


def _running_campaign(make, make_campaign):
    """Running: three people of Roads, one of Parks (too few to show), each one entry."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    roads = make.department(name_en="Roads", name_fr="Voirie")
    parks = make.department(name_en="Parks", name_fr="Parcs")
    for department in (roads, roads, roads, parks):
        person = make.user(department=department, display_name="Zoé Secret")
        services.log_action(person, campaign, "delete-mail", 2, now)
    db.session.commit()
    return campaign


def test_an_organiser_reads_provisional_results_while_the_campaign_runs(
    client, make, make_campaign
):
    campaign = _running_campaign(make, make_campaign)
    login(client, make.user(roles=("organiser",), locale="en"))
    response = client.get(f"/cleanup/campaigns/{campaign.id}/interim-results")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Provisional results: Clean-up" in page
    assert 'data-testid="provisional-note"' in page and "still running" in page
    assert "4 participants out of" in page
    assert "Roads" in page and "Zoé Secret" not in page
    assert "Fewer than 3 participants: figures not shown" in page  # Parks, alone


def test_the_results_link_leads_an_organiser_to_the_provisional_figures(
    client, make, make_campaign
):
    campaign = _running_campaign(make, make_campaign)
    login(client, make.user(roles=("organiser",)))
    response = client.get(f"/cleanup/campaigns/{campaign.id}/results")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/cleanup/campaigns/{campaign.id}/interim-results"
    )


def test_the_provisional_spreadsheet_says_so_and_withholds_small_teams(client, make, make_campaign):
    campaign = _running_campaign(make, make_campaign)
    login(client, make.user(roles=("organiser",), locale="en"))
    response = client.get(f"/cleanup/campaigns/{campaign.id}/interim-results.csv")
    assert response.status_code == 200
    assert (
        f"campaign-{campaign.id}-provisional-results.csv" in response.headers["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    campaign_row = next(row for row in rows if row[0] == "Campaign")
    assert campaign_row[-1].startswith("Provisional figures on")
    parks = next(row for row in rows if "Parks" in row)
    assert parks[5] == "" and "Fewer than 3" in parks[-1]
    assert not any("Zoé Secret" in cell for row in rows for cell in row)


def test_the_french_provisional_page_and_file_are_in_french(client, make, make_campaign):
    campaign = _running_campaign(make, make_campaign)
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/interim-results").get_data(as_text=True)
    assert "Résultats provisoires" in page and "Chiffres provisoires au" in page
    text = client.get(f"/cleanup/campaigns/{campaign.id}/interim-results.csv").get_data(
        as_text=True
    )
    assert "Chiffres provisoires au" in text


def test_an_employee_gets_no_provisional_results(client, make, make_campaign):
    campaign = _running_campaign(make, make_campaign)
    login(client, make.user())
    assert client.get(f"/cleanup/campaigns/{campaign.id}/interim-results").status_code == 403
    assert client.get(f"/cleanup/campaigns/{campaign.id}/interim-results.csv").status_code == 403


def test_the_campaign_page_links_the_organiser_to_the_provisional_figures(
    client, make, make_campaign
):
    campaign = _running_campaign(make, make_campaign)
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    links = re.search(r'data-testid="interim-results-links">(.*?)</p>', page, re.S).group(1)
    assert f"/cleanup/campaigns/{campaign.id}/interim-results.csv" in links


def test_once_ended_the_provisional_address_leads_to_the_final_results(client, make, make_campaign):
    campaign = _running_campaign(make, make_campaign)
    campaign.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    response = client.get(f"/cleanup/campaigns/{campaign.id}/interim-results")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cleanup/campaigns/{campaign.id}/results")


def test_before_its_start_there_is_no_provisional_spreadsheet(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=9))
    login(client, make.user(roles=("organiser",)))
    assert client.get(f"/cleanup/campaigns/{campaign.id}/interim-results.csv").status_code == 404
