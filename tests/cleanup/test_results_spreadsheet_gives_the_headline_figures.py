"""The results spreadsheet held only the department and commune rows: none of the page's
headline figures (participants and staff in scope, points, each goal and its progress,
what was done per action type, the CO₂ estimate), so with small teams withheld it often
had one usable line; and "fewer than 3" stood in the numeric Participants column. It now
opens with those figures, each column numeric or empty, the reasons in a Note column."""

import csv
import io
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login

NUMERIC = ("Rank", "Participants", "Points", "Points per participant", "Staff in scope",
           "Entries", "Quantity", "Goal target", "Share of the goal (%)")  # fmt: skip


def _closed_campaign(make, make_campaign, **overrides):
    """Four people of one department log 2 GB of mail each, one person of another
    (too small to be shown) 3 newsletters; then the campaign ends."""
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=1),
        goals={"GB": 10, "devices": 5},
        **overrides,
    )
    team, small = make.department(name_en="Finance"), make.department(name_en="Archives")
    for _person in range(4):
        services.log_action(make.user(department=team), campaign, "delete-mail", 2, now)
    services.log_action(make.user(department=small), campaign, "unsubscribe", 3, now)
    campaign.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    return campaign


def _spreadsheet(client, make, campaign, locale="en") -> list[dict]:
    login(client, make.user(roles=("organiser",), locale=locale))
    body = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    delimiter = ";" if locale == "fr" else ","
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=delimiter))


def test_the_campaign_row_gives_participants_staff_in_scope_and_points(client, make, make_campaign):
    campaign = _closed_campaign(make, make_campaign)
    rows = _spreadsheet(client, make, campaign)
    (row,) = [row for row in rows if row["Level"] == "Campaign"]
    assert (row["Name"], row["Participants"], row["Points"], row["Entries"]) == (
        "Clean-up", "5", "86", "5",
    )  # fmt: skip
    assert int(row["Staff in scope"]) >= 5


def test_each_goal_has_a_row_with_its_progress(client, make, make_campaign):
    campaign = _closed_campaign(make, make_campaign)
    goals = [row for row in _spreadsheet(client, make, campaign) if row["Level"] == "Goal"]
    assert [
        (g["Quantity"], g["Unit"], g["Goal target"], g["Share of the goal (%)"]) for g in goals
    ] == [("8", "GB", "10", "80"), ("0", "devices", "5", "0")]


def test_what_was_done_has_a_row_per_action_type_with_its_quantity_and_unit(
    client, make, make_campaign
):
    campaign = _closed_campaign(make, make_campaign)
    actions = [row for row in _spreadsheet(client, make, campaign) if row["Level"] == "Action"]
    assert [(a["Code"], a["Quantity"], a["Unit"], a["Entries"], a["Points"]) for a in actions] == [
        ("delete-mail", "8", "GB", "4", "80"),
        ("unsubscribe", "3", "items", "1", "6"),
    ]


def test_the_co2_estimate_is_given_with_its_range(client, make, make_campaign):
    campaign = _closed_campaign(make, make_campaign)
    co2 = [row for row in _spreadsheet(client, make, campaign) if row["Level"] == "Estimated CO₂"]
    assert [row["Name"] for row in co2] == [
        "Central estimate", "Low end of the range", "High end of the range",
    ]  # fmt: skip
    assert all(row["Unit"] == "kg CO₂e" and float(row["Quantity"]) > 0 for row in co2)


def test_numeric_columns_hold_numbers_and_a_withheld_team_says_why_in_its_note(
    app, client, make, make_campaign, monkeypatch
):
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 3)
    campaign = _closed_campaign(make, make_campaign)
    rows = _spreadsheet(client, make, campaign)
    for row in rows:
        for column in NUMERIC:
            assert row[column] == "" or float(row[column]) >= 0, (row["Name"], column)
    (archives,) = [row for row in rows if row["Name"] == "Archives"]
    assert archives["Participants"] == "" and archives["Note"] == (
        "Fewer than 3 participants: figures not shown"
    )


def test_in_french_the_levels_are_named_and_numbers_take_a_decimal_comma(
    client, make, make_campaign
):
    campaign = _closed_campaign(make, make_campaign)
    rows = _spreadsheet(client, make, campaign, "fr")
    levels = [row["Niveau"] for row in rows]
    assert levels[:4] == ["Campagne", "Objectif", "Objectif", "Action"]
    (central, *_rest) = [row for row in rows if row["Niveau"] == "CO₂ estimé"]
    assert "," in central["Quantité"] and "." not in central["Quantité"]


def test_a_campaign_ended_early_gives_the_reason_in_its_note(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=9))
    organiser = make.user(roles=("organiser",), locale="en")
    login(client, organiser)
    client.post(
        f"/cleanup/campaigns/{campaign.id}/end-now",
        data={"csrf_token": csrf_token(client), "reason": "=1+1 Server moved"},
    )
    body = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    (row,) = [
        r for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))) if r["Level"] == "Campaign"
    ]
    assert row["Note"].startswith("Ended early, on ")
    assert row["Note"].endswith(": =1+1 Server moved")
