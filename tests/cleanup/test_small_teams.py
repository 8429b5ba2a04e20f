"""A team too small to hide anyone shows no figures: a person alone (or two) in a department
or commune, hidden from the individual board, would otherwise be read off its line
(« Délégation à la protection des données — 1 participant, 70 points »). Below
LEADERBOARD_MIN_TEAM participants a team is listed last, by name, with no rank, points or
participants, on the web boards, in the API, on the campaign page, on the results page and
in its exports; the other teams' ranks stay consecutive. The campaign's totals are public:
so that the small teams' figures cannot be worked out from them less the teams shown, the
smallest teams shown are withheld with them until the withheld hold 3 people."""

import csv
import html
import io
import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import browser_sign_in, login

DPO = ("Délégation à la protection des données", "Data Protection Office")
WITHHELD_ROW = ["– not ranked", "Fewer than 3 participants: figures not shown"]
PROTECTING = "Figures not shown: they would let a smaller team's be worked out"


@pytest.fixture(autouse=True)
def _minimum_of_three(app, monkeypatch):
    """The production default (the test configuration shows every team)."""
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 3)


def _campaign(make_campaign):
    """Running for three days, with one more to go."""
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))


def _team(make, campaign, names, people: int, quantity: float, hidden_first=True):
    """A department (in a commune of its own) whose `people` each delete `quantity` GB of
    mail (10 points a GB); the first one hidden from the leaderboards. Its members."""
    name_fr, name_en = names
    commune = make.commune(name=f"{name_fr} (commune)")
    department = make.department(name_fr=name_fr, name_en=name_en, commune=commune)
    members = []
    for n in range(people):
        visibility = "hidden" if hidden_first and n == 0 else "pseudonym"
        person = make.user(department=department, leaderboard_visibility=visibility)
        services.log_action(person, campaign, "delete-mail", quantity, utcnow())
        members.append(person)
    db.session.commit()
    return department, members


def _big_and_middle(make, campaign):
    """Two teams large enough to show: 4 × 20 points and 3 × 10 points."""
    big, _ = _team(make, campaign, ("Direction du numérique", "Digital Department"), 4, 2)
    middle, _ = _team(make, campaign, ("Direction des finances", "Finance Department"), 3, 1)
    return big, middle


def _text(cell: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", cell))
    return re.sub(r"[ \t\r\n]+", " ", text).strip()  # no-break spaces kept


def _board(client, campaign, scope="departments", order="total") -> list[list[str]]:
    """The team board's rows as read: rank, name, then its figures (or why there are none)."""
    query = f"?scope={scope}&order={order}"
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard{query}")
    assert page.status_code == 200
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", page.get_data(as_text=True), re.S).group(1)
    return [
        [_text(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S)
    ]


def _name(department, scope: str) -> str:
    return department.name_en if scope == "departments" else department.commune.name


@pytest.mark.parametrize("scope", ["departments", "communes"])
@pytest.mark.parametrize("people", [1, 2])
def test_a_team_of_one_or_two_shows_no_figures_and_no_rank_on_the_board(
    client, make, make_campaign, people, scope
):
    campaign = _campaign(make_campaign)
    dpo, _ = _team(make, campaign, DPO, people, 7)  # 70 points each: it would lead
    big, middle = _big_and_middle(make, campaign)
    login(client, make.user(locale="en"))
    # The totals less the big team would be the small one's and the middle's together.
    assert _board(client, campaign, scope) == [
        ["1", _name(big, scope), "80", "4 of 4", "20.0"],
        [WITHHELD_ROW[0], _name(dpo, scope), WITHHELD_ROW[1]],
        [WITHHELD_ROW[0], _name(middle, scope), PROTECTING],
    ]


def test_a_small_department_takes_no_rank_per_head_either(client, make, make_campaign):
    campaign = _campaign(make_campaign)
    dpo, _ = _team(make, campaign, DPO, 1, 7)  # 70 points per head: it would lead
    big, middle = _big_and_middle(make, campaign)
    login(client, make.user(locale="en"))
    assert _board(client, campaign, order="per_head") == [
        ["1", big.name_en, "20.0", "4 of 4", "80"],
        [WITHHELD_ROW[0], dpo.name_en, WITHHELD_ROW[1]],
        [WITHHELD_ROW[0], middle.name_en, PROTECTING],
    ]


def test_a_department_of_three_shows_its_figures_beside_one_of_two(client, make, make_campaign):
    campaign = _campaign(make_campaign)
    dpo, _ = _team(make, campaign, DPO, 3, 7)
    cabinet, _ = _team(make, campaign, ("Cabinet du maire", "Mayor's Office"), 2, 9)
    big, middle = _big_and_middle(make, campaign)
    login(client, make.user(locale="en"))
    assert _board(client, campaign) == [
        ["1", dpo.name_en, "210", "3 of 3", "70.0"],
        ["2", big.name_en, "80", "4 of 4", "20.0"],
        [WITHHELD_ROW[0], cabinet.name_en, WITHHELD_ROW[1]],
        [WITHHELD_ROW[0], middle.name_en, PROTECTING],
    ]


def test_the_board_says_it_in_french(client, make, make_campaign):
    campaign = _campaign(make_campaign)
    _team(make, campaign, DPO, 1, 3)
    login(client, make.user(locale="fr"))
    assert _board(client, campaign) == [
        ["– non classée", DPO[0], "Moins de 3 participants\xa0: chiffres non publiés"]
    ]


def test_a_member_of_a_small_department_is_told_why_its_line_has_no_figures(
    client, make, make_campaign
):
    campaign = _campaign(make_campaign)
    dpo, members = _team(make, campaign, DPO, 2, 7)
    _big_and_middle(make, campaign)
    login(client, members[1])
    members[1].locale = "en"
    db.session.commit()
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments")
    body = page.get_data(as_text=True)
    assert (
        f"Your department, {dpo.name_en}, has fewer than 3 participants: its figures are "
        "not shown." in _text(body)
    )
    row = re.search(r'<tr id="my-row"[^>]*>(.*?)</tr>', body, re.S).group(1)
    assert "(your department)" in row and "140" not in row and "70" not in row


def test_my_departments_rank_counts_only_the_teams_shown(client, make, make_campaign):
    """ "ranks 1 of 1": neither the team of two below the minimum nor the one withheld
    with it is ranked."""
    campaign = _campaign(make_campaign)
    _team(make, campaign, ("Cabinet du maire", "Mayor's Office"), 2, 9)
    big, _ = _big_and_middle(make, campaign)
    login(client, make.user(department=big, locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments")
    assert f"Your department, {big.name_en}, ranks 1 of 1." in _text(page.get_data(as_text=True))


def _api_board(client, campaign, scope="departments", order="total") -> list[dict]:
    query = f"?scope={scope}&order={order}"
    answer = client.get(f"/api/v1/campaigns/{campaign.id}/leaderboard{query}")
    assert answer.status_code == 200
    return answer.get_json()["entries"]


@pytest.mark.parametrize("people", [1, 2])
def test_the_api_gives_a_department_of_one_or_two_no_figures_and_no_rank(
    client, make, make_campaign, people
):
    campaign = _campaign(make_campaign)
    dpo, _ = _team(make, campaign, DPO, people, 7)
    big, middle = _big_and_middle(make, campaign)
    login(client, make.user(locale="en"))
    withheld = {"rank": None, "name": dpo.name_en, "code": dpo.code, "points": None,
                "participants": None, "points_per_head": None, "withheld": True,
                "protecting": False}  # fmt: skip
    for order in ("total", "per_head"):
        entries = _api_board(client, campaign, order=order)
        assert [(e["rank"], e["name"]) for e in entries[:1]] == [(1, big.name_en)]
        assert entries[1] == withheld and len(entries) == 3
        assert entries[2] == withheld | {
            "name": middle.name_en,
            "code": middle.code,
            "protecting": True,
        }
    communes = _api_board(client, campaign, scope="communes")
    assert [(e["name"], e["points"]) for e in communes[1:]] == [
        (dpo.commune.name, None),
        (middle.commune.name, None),
    ]


def test_the_api_gives_a_department_of_three_its_figures_and_rank(client, make, make_campaign):
    campaign = _campaign(make_campaign)
    dpo, _ = _team(make, campaign, DPO, 3, 7)
    _big_and_middle(make, campaign)
    login(client, make.user(locale="en"))
    entries = _api_board(client, campaign)
    assert entries[0] == {"rank": 1, "name": dpo.name_en, "code": dpo.code, "points": 210,
                          "participants": 3, "points_per_head": 70.0, "withheld": False,
                          "protecting": False}  # fmt: skip
    assert [e["rank"] for e in entries] == [1, 2, 3]


def _my_team_rank(client, campaign) -> str:
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    found = re.search(r'data-testid="my-team-rank">(.*?)</strong>', page, re.S)
    return _text(found.group(1)) if found else ""


def test_my_department_of_two_gives_me_no_rank_on_the_campaign_page(client, make, make_campaign):
    """Not even to its members: the team's total less one's own points would be the other
    member's score, however they chose to appear."""
    campaign = _campaign(make_campaign)
    _, members = _team(make, campaign, DPO, 2, 7)
    _big_and_middle(make, campaign)
    members[1].locale = "en"
    db.session.commit()
    login(client, members[1])
    assert _my_team_rank(client, campaign) == "not shown, fewer than 3 participants"


def test_my_department_of_three_ranks_among_the_teams_shown(client, make, make_campaign):
    campaign = _campaign(make_campaign)
    _, members = _team(make, campaign, DPO, 3, 7)
    _team(make, campaign, ("Cabinet du maire", "Mayor's Office"), 2, 9)
    _big_and_middle(make, campaign)
    login(client, members[1])
    assert _my_team_rank(client, campaign) == "1ʳᵉ sur 2"  # the middle one protects the cabinet


def _closed(campaign):
    campaign.ends_at = utcnow() - timedelta(minutes=1)  # the clock moved past the end
    db.session.commit()


def _top_teams(page: str) -> list[list[str]]:
    """The results page's two "Top departments" tables, their rows as read."""
    section = page.split("<h2>Top departments</h2>", 1)[1].split("<h2", 1)[0]
    return [
        [_text(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        for body in re.findall(r"<tbody>(.*?)</tbody>", section, re.S)
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_results_page_lists_a_small_department_last_without_figures(
    client, make, make_campaign
):
    """Not ranked among the top teams: listed after them by name, saying why, as on the
    leaderboard and in the CSV."""
    campaign = _campaign(make_campaign)
    _team(make, campaign, DPO, 2, 7)
    big, middle = _big_and_middle(make, campaign)
    _closed(campaign)
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    withheld = [
        [WITHHELD_ROW[0], DPO[1], WITHHELD_ROW[1]],
        [WITHHELD_ROW[0], middle.name_en, PROTECTING],
    ]
    assert _top_teams(page) == [["1", big.name_en, "80"], *withheld,
                                ["1", big.name_en, "20.0", "4 of 4"], *withheld]  # fmt: skip
    hint = re.search(r'data-testid="results-withheld">(.*?)</p>', page, re.S).group(1)
    assert _text(hint) == (
        "Departments with fewer than 3 participants are not ranked and their figures are "
        "not published. Nor are those of the smallest other departments, from which, with "
        "the campaign's totals, theirs could be worked out."
    )
    # The campaign's own totals still count everyone.
    assert "9 participants" in _text(page) and "250 points" in _text(page)


def test_the_results_page_ranks_a_department_of_three(client, make, make_campaign):
    campaign = _campaign(make_campaign)
    dpo, _ = _team(make, campaign, DPO, 3, 7)
    _team(make, campaign, ("Cabinet du maire", "Mayor's Office"), 2, 9)
    big, middle = _big_and_middle(make, campaign)
    _closed(campaign)
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    cabinet = [WITHHELD_ROW[0], "Mayor's Office", WITHHELD_ROW[1]]
    protecting = [WITHHELD_ROW[0], middle.name_en, PROTECTING]  # its figures are not shown
    assert _top_teams(page) == [
        ["1", dpo.name_en, "210"],
        ["2", big.name_en, "80"],
        cabinet,
        protecting,
        ["1", dpo.name_en, "70.0", "3 of 3"],
        ["2", big.name_en, "20.0", "4 of 4"],
        cabinet,
        protecting,
    ]


def test_the_results_exports_withhold_a_small_departments_figures(client, make, make_campaign):
    campaign = _campaign(make_campaign)
    dpo, _ = _team(make, campaign, DPO, 3, 7)
    cabinet, _ = _team(make, campaign, ("Cabinet du maire", "Mayor's Office"), 2, 9)
    big, middle = _big_and_middle(make, campaign)
    _closed(campaign)
    login(client, make.user(roles=("organiser",), locale="en"))
    spreadsheet = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv")
    assert spreadsheet.status_code == 200
    text = spreadsheet.get_data(as_text=True).lstrip("\ufeff")
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    departments = [row[2:6] + row[-1:] for row in rows[1:] if row[0] == "Department"]
    assert departments == [
        [dpo.name_en, "1", "3", "210", ""],
        [big.name_en, "2", "4", "80", ""],
        [cabinet.name_en, "", "", "", "Fewer than 3 participants: figures not shown"],
        [middle.name_en, "", "", "", PROTECTING],
    ]
    body = client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json").get_data(as_text=True)
    published = {team["name_en"]: team for team in json.loads(body)["departments"]}
    assert published[cabinet.name_en] | {"id": None, "code": None} == {
        "id": None, "code": None, "name_fr": "Cabinet du maire", "name_en": "Mayor's Office",
        "rank": None, "points": None, "participants": None, "points_per_head": None,
        "staff": None, "withheld": True, "protecting": False,
    }  # fmt: skip
    assert published[dpo.name_en]["points"] == 210 and published[big.name_en]["rank"] == 2
    assert published[middle.name_en]["points"] is None and published[middle.name_en]["protecting"]


@pytest.mark.browser
def test_on_a_phone_a_withheld_line_is_read_whole_without_scrolling(page, make, make_campaign):
    """320 px wide, in French: the line says why it has no figures, in view, and its rank
    cell says "non classée" to a screen reader rather than a bare dash."""
    campaign = _campaign(make_campaign)
    _team(make, campaign, DPO, 2, 7)
    _big_and_middle(make, campaign)
    page.set_viewport_size({"width": 320, "height": 640})
    browser_sign_in(page, make.user())
    page.goto(f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments")
    line = page.get_by_role("row").filter(has_text=DPO[0])
    expect(line.get_by_role("cell")).to_have_text(
        ["–non classée", "Moins de 3 participants\u00a0: chiffres non publiés"]
    )
    seen = line.evaluate(
        """(row) => {
        const frame = row.closest('.table-scroll').getBoundingClientRect();
        const box = row.cells[2].getBoundingClientRect();
        return {
            inView: box.width > 0 && box.left >= frame.left - 0.5 && box.right <= frame.right + 0.5,
            scrolls: document.documentElement.scrollWidth > window.innerWidth
                || row.closest('.table-scroll').scrollWidth > row.closest('.table-scroll').clientWidth,
        };
    }"""
    )
    assert seen == {"inView": True, "scrolls": False}


def test_the_teams_shown_and_the_totals_never_give_a_small_teams_figures(
    client, make, make_campaign
):
    """What anyone reads (the campaign's participants and points, every team shown) adds
    up, for the teams withheld, to at least 3 people, never to one team of two."""
    campaign = _campaign(make_campaign)
    _team(make, campaign, DPO, 2, 7)
    _team(make, campaign, ("Direction des sports", "Sports Department"), 3, 0.5)
    big, middle = _big_and_middle(make, campaign)
    _closed(campaign)
    login(client, make.user(roles=("organiser",), locale="en"))
    body = client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json").get_data(as_text=True)
    results = json.loads(body)
    shown = [t for t in results["departments"] if not t["withheld"]]
    withheld = [t for t in results["departments"] if t["withheld"]]
    left = (
        results["participants"] - sum(t["participants"] for t in shown),
        results["points"] - sum(t["points"] for t in shown),
    )
    # The sports department (3 people, 15 points) is the smallest shown: it goes too.
    assert {t["name_en"] for t in withheld} == {DPO[1], "Sports Department"}
    assert left == (5, 155) and {t["name_en"] for t in shown} == {big.name_en, middle.name_en}
    assert [t["protecting"] for t in sorted(withheld, key=lambda t: t["name_en"])] == [
        False,
        True,
    ]


def test_with_enough_people_withheld_nothing_more_is(client, make, make_campaign):
    """Two small teams of two: together four people, already more than the minimum."""
    campaign = _campaign(make_campaign)
    dpo, _ = _team(make, campaign, DPO, 2, 7)
    cabinet, _ = _team(make, campaign, ("Cabinet du maire", "Mayor's Office"), 2, 9)
    big, middle = _big_and_middle(make, campaign)
    login(client, make.user(locale="en"))
    assert _board(client, campaign) == [
        ["1", big.name_en, "80", "4 of 4", "20.0"],
        ["2", middle.name_en, "30", "3 of 3", "10.0"],
        [WITHHELD_ROW[0], cabinet.name_en, WITHHELD_ROW[1]],
        [WITHHELD_ROW[0], dpo.name_en, WITHHELD_ROW[1]],
    ]


def test_a_member_of_a_team_withheld_to_protect_another_is_told_why(client, make, make_campaign):
    campaign = _campaign(make_campaign)
    _team(make, campaign, DPO, 1, 7)
    sports, members = _team(
        make, campaign, ("Direction des sports", "Sports Department"), 3, 0.5, hidden_first=False
    )
    _big_and_middle(make, campaign)
    login(client, members[0])
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard?scope=departments")
    assert (
        f"Votre direction, {sports.name_fr}, n'est pas classée\u00a0: ses chiffres "
        "permettraient de déduire ceux d'une direction plus petite."
    ) in _text(page.get_data(as_text=True))
    assert _my_team_rank(client, campaign) == (
        "non affiché, pour que les chiffres d'une direction plus petite ne puissent pas être "
        "déduits"
    )


def test_teams_level_per_head_share_their_rank_on_the_results_page(client, make, make_campaign):
    """By points per participant, two departments at 10 a head are both third, as on
    the leaderboards (1, 2, 3, 3), not third and fourth."""
    campaign = _campaign(make_campaign)
    dpo, _ = _team(make, campaign, DPO, 3, 7)
    big, middle = _big_and_middle(make, campaign)
    sports, _ = _team(make, campaign, ("Direction des sports", "Sports Department"), 3, 1)
    _closed(campaign)
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    per_head = _top_teams(page)[4:]
    assert [row[:3] for row in per_head[:2]] == [
        ["1", dpo.name_en, "70.0"],
        ["2", big.name_en, "20.0"],
    ]
    assert sorted(row[:3] for row in per_head[2:]) == [
        ["3", middle.name_en, "10.0"],
        ["3", sports.name_en, "10.0"],
    ]
