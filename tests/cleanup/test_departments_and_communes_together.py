"""The departments' and the communes' rankings are withheld apart, but what they publish
adds up: a department of two withheld (the DTST, in Bordeaux) and its protector (a town
hall, the only department of its commune) gave, from the totals less the departments
shown, both together (10 people, 549 points); less the town hall's commune, published
whole (8 people, 466 points), the DTST's own figures (2 people, 83 points), and one
member's points less their own their colleague's. A commune less its departments shown
gave its one withheld department too. Every commune holding a withheld department's
people is now withheld: whatever anyone adds or subtracts from the boards, the API and
the open data, the withheld departments only ever come together."""

import csv
import html
import io
import json
import re
from datetime import timedelta
from fractions import Fraction

import pytest

from app.cleanup import queries, services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

PROTECTING = "Figures not shown: they would let a smaller team's be worked out"


@pytest.fixture(autouse=True)
def _minimum_of_three(app, monkeypatch):
    """The production default (the test configuration shows every team)."""
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 3)


def _department(make, campaign, commune, name, quantities):
    """A department of `commune`, one person per quantity (GB of mail, 10 points a GB)."""
    department = make.department(name_fr=name, name_en=name, commune=commune)
    members = []
    for quantity in quantities:
        person = make.user(department=department, locale="en")
        services.log_action(person, campaign, "delete-mail", quantity, utcnow())
        members.append(person)
    db.session.commit()
    return members


def _world(make, make_campaign):
    """Bordeaux: the DTST (2 people, 83 points) and the digital department (9, 630);
    Mérignac: its town hall alone (8, 466); Pessac: finance (10, 300). The DTST's members."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    bordeaux, merignac, pessac = (make.commune(name=n) for n in ("Bordeaux", "Mérignac", "Pessac"))
    dtst = _department(make, campaign, bordeaux, "DTST", [4.1, 4.2])
    _department(make, campaign, bordeaux, "Numérique", [7] * 9)
    _department(make, campaign, merignac, "Mairie de Mérignac", [5.8] * 6 + [5.9] * 2)
    _department(make, campaign, pessac, "Finances", [3] * 10)
    return campaign, dtst


# Which department sits in which commune: what anyone in the organisation knows.
CELLS = [
    ("DTST", "Bordeaux"),
    ("Numérique", "Bordeaux"),
    ("Mairie de Mérignac", "Mérignac"),
    ("Finances", "Pessac"),
]


def _rank(rows: list[list[Fraction]]) -> int:
    rows, rank = [list(row) for row in rows], 0
    for column in range(len(CELLS)):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column]:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _can_be_worked_out(departments: list[str], communes: list[str], team: str) -> bool:
    """Whether some sum and difference of the campaign's totals, the departments shown
    and the communes shown gives the department `team`'s figures alone."""
    known = [[Fraction(1)] * len(CELLS)]
    known += [[Fraction(d == name) for d, _c in CELLS] for name in departments]
    known += [[Fraction(c == name) for _d, c in CELLS] for name in communes]
    target = [Fraction(d == team) for d, _c in CELLS]
    return _rank([*known, target]) == _rank(known)


def _shown(teams: list[dict]) -> list[str]:
    return [t["name"] if "name" in t else t["name_en"] for t in teams if not t["withheld"]]


def test_the_attack_worked_on_the_figures_as_they_were(app, make, make_campaign):
    """The world reproduces the analyst's sums: with every commune shown, they gave the DTST."""
    campaign, _ = _world(make, make_campaign)
    totals = queries.campaign_totals(campaign)
    departments = queries.rank_teams(queries.team_totals(campaign, "departments"), minimum=3)
    communes = queries.rank_teams(queries.team_totals(campaign, "communes"), minimum=3)
    shown = [t for t in departments if not t["withheld"]]
    left = (
        totals["participants"] - sum(t["participants"] for t in shown),
        totals["points"] - sum(t["points"] for t in shown),
    )
    merignac = next(t for t in communes if t["name_en"] == "Mérignac")
    assert left == (10, 549) and (merignac["participants"], merignac["points"]) == (8, 466)
    assert _can_be_worked_out(_shown(shown), _shown(communes), "DTST")


def test_the_leaderboard_gives_no_sum_that_isolates_a_department_of_two(
    client, make, make_campaign
):
    campaign, dtst = _world(make, make_campaign)
    login(client, dtst[0])
    board = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope="
    departments, communes = (
        _rows(client.get(board + s)) for s in ("departments", "communes&order=total")
    )
    assert communes == [
        ["1", "Pessac", "300", "10 of 10", "30.0"],
        ["– not ranked", "Bordeaux (your commune)", PROTECTING],
        ["– not ranked", "Mérignac", PROTECTING],
    ]
    shown = [row[1] for row in departments if row[0].isdigit()]
    assert shown == ["Numérique", "Finances"]
    assert not _can_be_worked_out(shown, ["Pessac"], "DTST")


def test_the_readers_own_commune_says_it_is_not_published(client, make, make_campaign):
    campaign, dtst = _world(make, make_campaign)
    login(client, dtst[1])
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=communes")
    assert (
        "Your commune, Bordeaux, is not ranked: its figures are not published, so that a "
        "smaller team's cannot be worked out."
    ) in _text(page.get_data(as_text=True))


def test_the_api_gives_no_sum_that_isolates_a_department_of_two(client, make, make_campaign):
    campaign, dtst = _world(make, make_campaign)
    login(client, dtst[0])
    url = f"/api/v1/campaigns/{campaign.id}/leaderboard?scope="
    departments, communes = (
        client.get(url + s).get_json()["entries"] for s in ("departments", "communes")
    )
    assert [(t["name"], t["points"], t["protecting"]) for t in communes] == [
        ("Pessac", 300, False),
        ("Bordeaux", None, True),
        ("Mérignac", None, True),
    ]
    assert not _can_be_worked_out(_shown(departments), _shown(communes), "DTST")


def test_the_open_data_and_the_spreadsheet_give_no_such_sum(client, make, make_campaign):
    campaign, _ = _world(make, make_campaign)
    campaign.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="en"))
    body = client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json").get_data(as_text=True)
    results = json.loads(body)
    assert "department_communes" not in results
    communes = {t["name_en"]: (t["points"], t["protecting"]) for t in results["communes"]}
    assert communes == {"Pessac": (300, False), "Bordeaux": (None, True), "Mérignac": (None, True)}
    assert not _can_be_worked_out(_shown(results["departments"]), ["Pessac"], "DTST")
    spreadsheet = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    # The figures, not the codes (a department's code is D466 once enough were made).
    rows = list(csv.DictReader(io.StringIO(spreadsheet.lstrip("\ufeff"))))
    figures = {row[column] for row in rows for column in ("Participants", "Points")}
    assert figures and not figures & {"466", "983"}


def test_a_snapshot_frozen_without_the_communes_departments_reads_them_from_the_board(
    app, make, make_campaign
):
    campaign, _ = _world(make, make_campaign)
    snapshot = queries.compute_results(campaign, utcnow())
    del snapshot["department_communes"]
    published = queries.published_results(snapshot, campaign=campaign)
    assert _shown(published["communes"]) == ["Pessac"]
    # Without the campaign either, every commune goes with the withheld departments.
    assert _shown(queries.published_results(snapshot)["communes"]) == []


def test_with_no_department_withheld_every_commune_is_published(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    bordeaux, pessac = make.commune(name="Bordeaux"), make.commune(name="Pessac")
    _department(make, campaign, bordeaux, "DTST", [4.1, 4.2, 4])
    _department(make, campaign, bordeaux, "Numérique", [7] * 3)
    _department(make, campaign, pessac, "Finances", [3] * 4)
    login(client, make.user(locale="en"))
    assert _rows(
        client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=communes&order=total")
    ) == [
        ["1", "Bordeaux", "333", "6 of 6", "55.5"],
        ["2", "Pessac", "120", "4 of 4", "30.0"],
    ]


def _text(cell: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", cell))
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _rows(page) -> list[list[str]]:
    """A team board's rows as read: rank, name, then its figures (or why there are none)."""
    assert page.status_code == 200
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", page.get_data(as_text=True), re.S).group(1)
    return [
        [_text(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S)
    ]
