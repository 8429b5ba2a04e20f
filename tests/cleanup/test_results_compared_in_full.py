"""The results compared a campaign with the previous one on participants, points and
CO₂ only: the GB freed, the devices returned, the participation (participants out of
staff in scope) and how many days each ran are compared too, with a word of caution when
the durations differ (one still running, or ended early)."""

import html
import re
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _ran(make_campaign, make, name, start_days_ago, end_days_ago, gb, people=1):
    """A closed, frozen campaign for everyone where `people` each freed `gb` GB."""
    now = utcnow()
    campaign = make_campaign(
        name_fr=name, name_en=name,
        starts_at=now - timedelta(days=start_days_ago),
        ends_at=now - timedelta(days=end_days_ago),
    )  # fmt: skip
    for _ in range(people):
        services.log_action(
            make.user(), campaign, "delete-mail", gb, campaign.starts_at + timedelta(hours=2)
        )
    services.freeze_campaign(campaign, now, announce=False)
    db.session.commit()
    return campaign


def _compared(client, campaign, url="results") -> str:
    page = html.unescape(
        client.get(f"/cleanup/campaigns/{campaign.id}/{url}").get_data(as_text=True)
    )
    page = page.replace("\u00a0", " ").replace("\u202f", " ")
    return page.split('id="results-compared"', 1)[1]


def _row(compared: str, heading: str) -> list[str]:
    row = re.search(rf"<th scope=\"row\">{re.escape(heading)}</th>(.*?)</tr>", compared, re.S)
    assert row, f"no row {heading!r}"
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def test_gb_devices_participation_and_days_are_compared(client, make, make_campaign):
    before = _ran(make_campaign, make, "Avant", 60, 53, 2)  # 7 days
    after = _ran(make_campaign, make, "Après", 20, 11, 3, people=2)  # 9 days
    login(client, make.user(roles=("organiser",), locale="en"))
    compared = _compared(client, after)
    assert _row(compared, "Space freed") == ["2 GB", "6 GB"]
    assert _row(compared, "Devices returned") == ["0", "0"]
    participation = _row(compared, "Participation (participants out of staff in scope)")
    assert len(participation) == 2 and all(cell.endswith("%") for cell in participation)
    assert _row(compared, "Duration") == ["7 days", "9 days"]
    assert before.id != after.id


def test_unlike_durations_are_said_with_a_caution(client, make, make_campaign):
    _ran(make_campaign, make, "Avant", 60, 53, 2)
    after = _ran(make_campaign, make, "Après", 20, 11, 3)
    login(client, make.user(roles=("organiser",), locale="fr"))
    compared = _compared(client, after)
    said = re.search(r'data-testid="results-compared-durations">(.*?)</p>', compared, re.S)
    assert "n'ont pas duré le même nombre de jours" in said.group(1)


def test_like_durations_need_no_caution(client, make, make_campaign):
    _ran(make_campaign, make, "Avant", 60, 53, 2)
    after = _ran(make_campaign, make, "Après", 20, 13, 3)
    login(client, make.user(roles=("organiser",), locale="en"))
    assert "results-compared-durations" not in _compared(client, after)


def test_a_running_campaign_compares_its_days_so_far(client, make, make_campaign):
    _ran(make_campaign, make, "Before", 60, 53, 2)
    now = utcnow()
    running = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=10))
    login(client, make.user(roles=("organiser",), locale="en"))
    compared = _compared(client, running, "interim-results")
    assert _row(compared, "Duration") == ["7 days", "3 days"]
    said = re.search(r'data-testid="results-compared-durations">(.*?)</p>', compared, re.S)
    assert "still running: its figures cover its first 3 days." in said.group(1)
