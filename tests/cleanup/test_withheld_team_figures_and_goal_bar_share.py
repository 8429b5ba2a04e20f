"""Through a campaign's life: a withheld department's member was told in messages that
her team had « 0 point » (her own points counting in it); a goal's bar said 72 beside
« 73 % »; someone with no counted points read their department's rank as if they counted
in it; and the leaderboard ran two messages together (« …comptée. (+200 …) »)."""

import html
import re
from datetime import timedelta

import pytest

from app.cleanup import services
from app.cleanup.integration import campaign_variables
from app.core.time import utcnow
from app.extensions import db
from app.messaging import services as messaging
from app.messaging.builtins import BUILTIN_TEMPLATES
from app.messaging.rendering import sandbox
from tests.conftest import login
from tests.messaging.conftest import deliver_to_everyone, inbox_of

ARCHIVES = ("Direction des archives", "Archives Department")
DIGITAL = ("Direction du numérique", "Digital Department")
FINANCE = ("Direction des finances", "Finance Department")


@pytest.fixture
def min_three(app, monkeypatch):
    """The production default (the test configuration shows every team)."""
    monkeypatch.setitem(app.config, "LEADERBOARD_MIN_TEAM", 3)


def _running(make_campaign, **overrides):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=5),
                         **overrides)  # fmt: skip


def _team(make, campaign, names, people: int, gigabytes: float) -> list:
    """A department whose `people` (French readers) each delete `gigabytes` of mail."""
    name_fr, name_en = names
    department = make.department(name_fr=name_fr, name_en=name_en)
    members = []
    for _ in range(people):
        person = make.user(department=department, locale="fr")
        services.log_action(person, campaign, "delete-mail", gigabytes, utcnow())
        members.append(person)
    db.session.commit()
    return members


def _three_teams(make, campaign):
    """The archives alone (70 points, withheld), finance 3 × 10 points (withheld with
    them, or the totals would give the archives' figures), digital 4 × 20 points."""
    [archivist] = _team(make, campaign, ARCHIVES, 1, 7)
    [accountant, *_] = _team(make, campaign, FINANCE, 3, 1)
    [developer, *_] = _team(make, campaign, DIGITAL, 4, 2)
    return archivist, accountant, developer


def _reminder_received(make, people) -> dict:
    """The built-in « one week left » reminder through the real dispatch: each person's
    message body, its no-break spaces read as spaces."""
    data = {"key": "reminder-copy", "name": "Reminder", **{
        field: BUILTIN_TEMPLATES["campaign-reminder"][field]
        for field in ("subject_fr", "body_fr", "subject_en", "body_en")
    }}  # fmt: skip
    template = messaging.save_template(None, data, make.user(roles=("organiser",)), utcnow())
    db.session.commit()
    deliver_to_everyone(template)
    return {person.id: inbox_of(person)[0].body.replace("\u00a0", " ") for person in people}


def test_a_withheld_departments_member_is_told_no_team_figures(make, make_campaign, min_three):
    campaign = _running(make_campaign)
    archivist, accountant, _developer = _three_teams(make, campaign)
    bodies = _reminder_received(make, [archivist, accountant])
    assert "Vous avez 70 points (rang 1)." in bodies[archivist.id]
    for body in bodies.values():
        assert "Votre direction" not in body and " a 0 point" not in body


def test_a_shown_departments_member_still_reads_its_figures(make, make_campaign, min_three):
    campaign = _running(make_campaign)
    _archivist, _accountant, developer = _three_teams(make, campaign)
    body = _reminder_received(make, [developer])[developer.id]
    assert "Votre direction, Direction du numérique, a 80 points (rang 1)." in body


def test_a_withheld_teams_figures_printed_anyway_say_not_published(make, make_campaign, min_three):
    campaign = _running(make_campaign)
    archivist, _accountant, _developer = _three_teams(make, campaign)
    values = campaign_variables([archivist], utcnow(), {"campaign_id": campaign.id})
    text = (
        sandbox()
        .from_string("{{ team_name }} : {{ team_points }} points, rang {{ team_rank }}.")
        .render(values[archivist.id])
    )
    assert text == "Direction des archives : non publié points, rang non publié."


def test_a_goals_bar_stands_at_the_share_its_text_says(client, make, make_campaign):
    """29 of 40 GB is 72.5 %: « 73 % » beside a bar at 72 (a half to even) disagreed."""
    campaign = _running(make_campaign, goals={"GB": 40})
    for gigabytes in (10, 10, 9):  # 10 GB a day at most
        services.log_action(make.user(), campaign, "delete-mail", gigabytes, utcnow())
    db.session.commit()
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))
    goal = re.search(r"<li>\s*<span>[^<:]*:\s29 / 40.*?</li>", page, re.S).group(0)
    assert re.search(r'<progress [^>]*value="73"[^>]*>73\u00a0%</progress>', goal)
    assert re.search(r'data-testid="goal-share">73\u00a0%<', goal)


def test_someone_with_no_counted_points_is_shown_no_department_rank(client, make, make_campaign):
    campaign = _running(make_campaign)
    [colleague] = _team(make, campaign, DIGITAL, 1, 2)
    login(client, make.user(department=colleague.department, locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-testid="my-points">0<' in page
    assert "My department" not in page and "my-team-rank" not in page


def test_a_counted_participant_still_reads_their_department_rank(client, make, make_campaign):
    campaign = _running(make_campaign)
    [colleague] = _team(make, campaign, DIGITAL, 1, 2)
    login(client, colleague)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert re.search(r'data-testid="my-team-rank">1ʳᵉ sur 1<', page)


def test_no_counted_action_and_points_to_come_read_as_one_sentence(client, make, make_campaign):
    campaign = _running(make_campaign)
    me = make.user(locale="fr")
    for number in (1, 2):  # two declared returns, waiting for the devices
        services.log_action(me, campaign, "return-device", 1, utcnow(),
                            source_key=f"device-return:{number}", pending=True)  # fmt: skip
    db.session.commit()
    login(client, me)
    page = client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").get_data(as_text=True)
    line = re.search(r'<p class="cleanup-own-rank">(.*?)</p>', page, re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", line)).replace("\u00a0", " ") == (
        "Vous n'avez encore aucune action comptée (+200 une fois vos appareils reçus)."
    )
