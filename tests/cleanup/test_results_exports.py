"""A closed campaign's exports: reached from its results page, and open data that
publishes each goal's real ratio."""

import json
import re
from datetime import timedelta

from app.cleanup import services
from app.cleanup.models import CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _closed_campaign(make, make_campaign, people: int, **overrides):
    """A campaign that has just closed, `people` persons having logged one entry each."""
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1), **overrides
    )
    for _person in range(people):
        services.log_action(make.user(), campaign, "delete-mail", 1, now)
    campaign.ends_at = now - timedelta(minutes=1)  # the clock moved past the end
    db.session.commit()
    return campaign


def _export_links(page: str) -> list[str]:
    block = re.search(r'data-testid="results-exports">(.*?)</p>', page, re.S)
    return re.findall(r'href="([^"]+)"', block.group(1)) if block else []


def test_the_results_page_links_to_both_exports_for_an_organiser(client, make, make_campaign):
    """The exports were only on the campaign page, not where the results are read."""
    campaign = _closed_campaign(make, make_campaign, 1)
    login(client, make.user(roles=("organiser",)))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    links = _export_links(page)
    assert links == [
        f"/cleanup/campaigns/{campaign.id}/results.csv",
        f"/cleanup/campaigns/{campaign.id}/open-data.json",
    ]
    assert all(client.get(link).status_code == 200 for link in links)


def test_the_results_page_offers_no_export_to_a_participant(client, make, make_campaign):
    """The exports are for organisers: a participant would only meet a refusal."""
    campaign = _closed_campaign(make, make_campaign, 1)
    login(client, make.user())
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert _export_links(page) == [] and "open-data.json" not in page


def _open_data_goals(client, campaign) -> list[dict]:
    body = client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json").get_data(as_text=True)
    return json.loads(body)["goals"]


def test_open_data_publishes_a_beaten_goals_real_ratio(client, make, make_campaign):
    """3 participants for a goal of 2: 1.5, not a ratio capped at 1 (the page says 150 %)."""
    campaign = _closed_campaign(make, make_campaign, 3, goals={"participants": 2, "GB": 7})
    login(client, make.user(roles=("organiser",)))
    goals = {g["unit"]: g for g in _open_data_goals(client, campaign)}
    assert goals["participants"]["ratio"] == 1.5
    # A ratio short of its goal is rounded to 4 decimals: 3 GB of 7, not 0.428571428…
    assert goals["GB"]["ratio"] == 0.4286


def test_open_data_mends_the_capped_ratio_of_an_older_snapshot(client, make, make_campaign):
    """Snapshots frozen with a ratio capped at 1 are exported with the real one."""
    campaign = _closed_campaign(make, make_campaign, 3, goals={"participants": 2})
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    client.get(f"/cleanup/campaigns/{campaign.id}/results")  # freezes the results
    frozen = db.session.get(CleanupCampaign, campaign.id)
    snapshot = json.loads(frozen.results_json)
    snapshot["goals"][0]["ratio"] = 1  # as snapshots were frozen before
    frozen.results_json = json.dumps(snapshot)
    db.session.commit()
    assert _open_data_goals(client, campaign)[0]["ratio"] == 1.5


def _team_of_four_with_113_points(make, make_campaign):
    """Saint-Louis-de-Montferrand: 4 participants, 113 points (28.25 each), closed."""
    commune = make.commune(name="Saint-Louis-de-Montferrand")
    department = make.department(name_fr="Direction des Parcs", commune=commune)
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    for gigabytes in (2.8, 2.8, 2.8, 2.9):  # 10 points a GB: 28 + 28 + 28 + 29
        services.log_action(
            make.user(department=department), campaign, "delete-mail", gigabytes, now
        )
    campaign.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    return campaign


def test_points_per_participant_round_a_half_up_on_the_results_page(client, make, make_campaign):
    """113 points for 4 showed « 28,2 » (round() rounds a half to even): a person says 28,3."""
    campaign = _team_of_four_with_113_points(make, make_campaign)
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    shown = re.findall(r'<th scope="row">Direction des Parcs</th><td>(\d+,\d)</td>', page)
    assert shown == ["28,3"]


def test_points_per_participant_round_a_half_up_in_the_spreadsheet(client, make, make_campaign):
    campaign = _team_of_four_with_113_points(make, make_campaign)
    login(client, make.user(roles=("organiser",), locale="fr"))
    body = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    lines = {line.split(";")[2]: line.split(";") for line in body.splitlines()[1:]}
    assert lines["Saint-Louis-de-Montferrand"][4:7] == ["4", "113", "28,3"]
    assert lines["Direction des Parcs"][4:7] == ["4", "113", "28,3"]


def test_a_snapshot_frozen_with_the_old_rounding_shows_28_3_too(client, make, make_campaign):
    """Results frozen before the fix hold 28.2: the page works it out again."""
    campaign = _team_of_four_with_113_points(make, make_campaign)
    login(client, make.user(roles=("organiser",), locale="en"))
    client.get(f"/cleanup/campaigns/{campaign.id}/results")  # freezes the results
    frozen = db.session.get(CleanupCampaign, campaign.id)
    snapshot = json.loads(frozen.results_json)
    for team in snapshot["departments"] + snapshot["communes"]:
        team["points_per_head"] = 28.2  # as round(113 / 4, 1) froze it
    frozen.results_json = json.dumps(snapshot)
    db.session.commit()
    body = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    teams = [line for line in body.splitlines() if line.startswith(("Department,", "Commune,"))]
    assert [line.split(",")[4:7] for line in teams] == [["4", "113", "28.3"]] * 2
