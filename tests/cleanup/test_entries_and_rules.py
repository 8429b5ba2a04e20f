"""What a participant reads of the points: each entry's in "My entries", and how every
action counts in the campaigns they take part in (campaign page, guides)."""

import html
import re
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _words(fragment: str) -> str:
    """A fragment's text, tags dropped and spaces collapsed (non-breaking ones kept)."""
    return re.sub(r"[ \n\t]+", " ", re.sub(r"<[^>]+>", " ", html.unescape(fragment))).strip()


def _entry_rows(page: str) -> list[str]:
    """The rows of "My entries"."""
    table = page.split('<table class="cleanup-entries', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tbody[^>]*>(.*)</tbody>", table, re.S)[0].split("</tr>")[:-1]


def _points_cell(row: str) -> str:
    return re.search(r'data-label="Points:">(.*?)</td>', row, re.S).group(1)


def _running(make_campaign, **overrides):
    now = utcnow()
    return make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), **overrides
    )


def _rules(*keys, points=None):
    """Rules of the default action types named by `keys`, at their usual values (or
    `points` per unit)."""
    return [
        {
            "action_type_id": t.id,
            "points_per_unit": points or t.points_per_unit,
            "daily_cap": t.daily_cap,
        }
        for t in services.ensure_default_action_types()
        if t.key in keys
    ]


def test_a_rejected_entry_shows_it_earns_no_points(client, make, make_campaign):
    """ "20 GB · 200 · Rejected": its points showed although the total left them out."""
    campaign = _running(make_campaign)
    me, organiser = make.user(locale="en"), make.user(roles=("organiser",))
    now = utcnow()
    services.log_action(me, campaign, "delete-mail", 2, now)  # 20 points, counted
    flagged = services.log_action(me, campaign, "delete-mail", 15, now)  # above 10: reviewed
    services.review_action(flagged, organiser, False, "Not plausible", now)
    db.session.commit()
    login(client, me)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    rejected = next(row for row in _entry_rows(page) if "Rejected" in row)
    cell = _points_cell(rejected)
    # What it claimed is struck through; it earns 0 (a screen reader hears the 150 after
    # it, said in words: `test_struck_points_said_and_earlier_campaigns_named.py`).
    assert cell.strip().startswith('<s aria-hidden="true">150</s> 0 points<')
    assert 'data-testid="my-points">20<' in page


def test_an_entry_waiting_for_review_says_its_points_are_pending(client, make, make_campaign):
    """A flagged entry showed "150" as if earned, beside a total without it."""
    campaign = _running(make_campaign)
    me = make.user(locale="en")
    services.log_action(me, campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    login(client, me)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    (row,) = _entry_rows(page)
    assert _words(_points_cell(row)) == "150 points if accepted"
    assert "Waiting for review" in row


def test_participants_see_the_actions_that_count_in_a_running_campaign(client, make, make_campaign):
    """Only organisers saw them, before the start; participants met a cap by surprise."""
    campaign = _running(make_campaign, rules=_rules("delete-mail", "return-device"))
    login(client, make.user(locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    block = page.split('aria-labelledby="rules-title">', 1)[1].split("</section>", 1)[0]
    assert _words(block) == (
        "Actions that count "
        "Delete old e-mails and attachments: 10 points for 1\u00a0GB, at most 20\u00a0GB a day. "
        "The smallest entry that scores a point: 0.1\u00a0GB. "
        "Return a device: 100 points for 1\u00a0device, at most 5\u00a0devices a day "
        "Not logged on this page: a device return counts when you declare it in Recycling, "
        "once an agent at the collection point receives the device. Declare a return "
        "Points are whole numbers: each entry's points (its quantity × the points per unit) "
        "are rounded down."
    )


def test_the_actions_that_count_follow_a_renamed_action_type(client, make, make_campaign):
    """The block is kept between views: a change to an action type shows at once."""
    campaign = _running(make_campaign, rules=_rules("delete-mail"))
    organiser = make.user(roles=("organiser",))
    login(client, make.user(locale="en"))
    url = f"/cleanup/campaigns/{campaign.id}"
    assert "Delete old e-mails and attachments:" in client.get(url).get_data(as_text=True)
    kind = next(t for t in services.ensure_default_action_types() if t.key == "delete-mail")
    data = {
        name: getattr(kind, name)
        for name in (
            "name_fr", "guide_fr", "guide_en", "points_per_unit", "daily_cap", "flag_above",
            "max_quantity", "kg_co2e_per_unit", "kg_co2e_low", "kg_co2e_high",
            "factor_source", "caveat_fr", "caveat_en",
        )
    }  # fmt: skip
    services.update_action_type(organiser, kind, {**data, "name_en": "Tidy the mailbox"}, utcnow())
    db.session.commit()
    assert "Tidy the mailbox: 10 points" in _words(client.get(url).get_data(as_text=True))


def test_the_guides_give_each_running_campaigns_points(client, make, make_campaign):
    """One campaign was followed, and a device return "did not count in the running
    campaign" although the person's other running campaign counted it for 100 points."""
    _running(make_campaign, name_en="Spring", rules=_rules("delete-mail"))
    _running(make_campaign, name_en="Returns", rules=_rules("return-device", "delete-mail"))
    login(client, make.user(locale="en"))
    page = client.get("/cleanup/guides").get_data(as_text=True)
    returns = _words(page.split('id="guide-return-device"', 1)[1].split("</section>", 1)[0])
    assert "Does not count in the running campaign" not in page
    assert "Returns: 100 points for 1\u00a0device, at most 5\u00a0devices a day" in returns
    assert "Spring: does not count" in returns
    intro = _words(page.split('data-testid="guides-rules">', 1)[1].split("</p>", 1)[0])
    assert intro.startswith("Several campaigns you take part in are running")
