"""What a reader is told where figures are missing.

- "My entries": a refused entry's points read « ~~120~~ 0 point », the struck 120 hidden
  from screen readers, who heard "0 points" alone. They hear what it would have earned.
- A review notice built by the scheduler (no request) writes the entry's quantity in
  its reader's language: « 12,5 Go » for a French reader, "12.5 GB" for an English one.
- The results page compares only with an earlier campaign of the same departments: with
  earlier ones of other departments only, it says so rather than "no previous campaign".
"""

import html
import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Delivery
from tests.cleanup.conftest import NOW
from tests.conftest import login


def _heard(cell: str) -> str:
    """A fragment as a screen reader says it: what is aria-hidden left out, tags dropped,
    spaces collapsed (no-break spaces kept)."""
    shown = re.sub(r'<(\w+) aria-hidden="true">.*?</\1>', "", cell, flags=re.S)
    return re.sub(r"[ \n\t]+", " ", html.unescape(re.sub(r"<[^>]+>", "", shown))).strip()


def _points_heard(client, user, campaign) -> str:
    """The points cell of the person's only entry in "My entries", as heard."""
    login(client, user)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    table = page.split('<table class="cleanup-entries', 1)[1].split("</table>", 1)[0]
    [cell] = re.findall(r'<td role="cell" data-label="Points\u00a0?:">(.*?)</td>', table, re.S)
    return _heard(cell)


# --- 1. the struck points, heard ------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "heard"),
    [
        ("en", "0 points (150 points had it been accepted)"),
        ("fr", "0 point (150 points si la saisie avait été acceptée)"),
    ],
)
def test_a_rejected_entry_tells_a_screen_reader_what_it_would_have_earned(
    client, make, flagged, locale, heard
):
    author = make.user(locale=locale)
    entry = flagged(author)  # 15 GB at 10 points a GB
    services.review_action(entry, make.user(roles=("organiser",)), False, "Doublon", utcnow())
    db.session.commit()
    assert _points_heard(client, author, flagged.campaign).replace("\u202f", "") == heard


@pytest.mark.parametrize(
    ("locale", "heard"),
    [
        ("en", "0 points (1 point had the device been received before the end)"),
        ("fr", "0 point (1 point si l'appareil avait été reçu avant la fin)"),
    ],
)
def test_a_return_not_received_in_time_tells_what_it_would_have_earned_in_the_singular(
    client, make, make_campaign, locale, heard
):
    device = next(t for t in services.ensure_default_action_types() if t.key == "return-device")
    rule = {"action_type_id": device.id, "points_per_unit": 1, "daily_cap": 5}
    campaign = make_campaign(rules=[rule])  # ran around NOW, long over by the real clock
    me = make.user(locale=locale)
    services.log_action(me, campaign, "return-device", 1, NOW, "device-return:1", pending=True)
    db.session.commit()
    assert _points_heard(client, me, campaign) == heard


# --- 2. the notice's quantity in its reader's language, outside a request -------------------


@pytest.mark.parametrize(
    ("locale", "written"),
    [("fr", "(Supprimer les vieux e-mails et pièces jointes\u00a0: 12,5\u00a0Go)"),
     ("en", "(Delete old e-mails and attachments: 12.5\u00a0GB)")],
)  # fmt: skip
def test_a_review_notice_built_by_the_scheduler_writes_the_unit_in_its_readers_language(
    make, flagged, locale, written
):
    author = make.user(locale=locale)
    entry = services.log_action(author, flagged.campaign, "delete-mail", 12.5, utcnow())
    assert entry.status == "flagged"
    services.review_action(entry, make.user(roles=("organiser",)), False, "Doublon", utcnow())
    db.session.commit()
    # As the scheduler's tick: an app context of its own, no request, nothing set in it.
    with current_app._get_current_object().app_context():
        assert jobs.deliver_due() == 1
    body = db.session.scalar(
        select(Delivery.body).where(Delivery.user_id == author.id, Delivery.channel == "inbox")
    )
    assert written in body


# --- 3. earlier campaigns of other departments, named --------------------------------------

OTHER_DEPARTMENTS = (
    "No earlier campaign covered the same departments, so there is nothing to compare "
    "with: a campaign is compared only with one of the same departments."
)
NOT_ALL_DEPARTMENTS = (
    "No earlier campaign was open to all departments, so there is nothing to compare "
    "with: a campaign is compared only with one of the same departments."
)
NONE_BEFORE = "No previous campaign to compare with."


def _closed(make, make_campaign, name, days_ago, departments=None):
    """A three-day campaign that ended `days_ago` days ago, its results frozen; everyone's,
    or `departments`' only."""
    now = utcnow()
    scope = {"all_departments": True, "department_ids": []}
    if departments:
        scope = {"all_departments": False, "department_ids": [d.id for d in departments]}
    campaign = make_campaign(
        name_en=name,
        starts_at=now - timedelta(days=days_ago + 3),
        ends_at=now - timedelta(days=days_ago),
        **scope,
    )
    services.freeze_campaign(campaign, now)
    db.session.commit()
    return campaign


def _comparison(client, make, campaign, locale="en") -> str:
    """The results page's comparison section, as an organiser reads it."""
    login(client, make.user(roles=("organiser",), locale=locale))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}/results").text)
    return page.split("</h2>")[-1]


def test_a_first_campaign_of_two_departments_after_everyones_says_why_nothing_is_compared(
    client, make, make_campaign
):
    finance, records = make.department(), make.department()
    _closed(make, make_campaign, "Everyone's spring", 20)
    current = _closed(make, make_campaign, "Two departments", 1, [finance, records])
    section = _comparison(client, make, current)
    assert OTHER_DEPARTMENTS in section and NONE_BEFORE not in section


def test_the_reason_nothing_is_compared_is_in_french(client, make, make_campaign):
    finance = make.department()
    _closed(make, make_campaign, "Everyone's spring", 20)
    current = _closed(make, make_campaign, "Finance", 1, [finance])
    section = _comparison(client, make, current, locale="fr")
    assert (
        "Aucune campagne précédente ne portait sur les mêmes directions, il n'y a donc rien "
        "à comparer\u00a0: une campagne n'est comparée qu'à une campagne des mêmes directions."
    ) in section


def test_a_first_everyone_campaign_after_departments_ones_says_why_nothing_is_compared(
    client, make, make_campaign
):
    _closed(make, make_campaign, "Finance's autumn", 20, [make.department()])
    current = _closed(make, make_campaign, "Everyone's spring", 1)
    section = _comparison(client, make, current)
    assert NOT_ALL_DEPARTMENTS in section and NONE_BEFORE not in section


def test_the_first_campaign_ever_has_no_previous_campaign(client, make, make_campaign):
    current = _closed(make, make_campaign, "Everyone's spring", 1)
    # Overlapping it (ended after it started): no earlier campaign.
    _closed(make, make_campaign, "Finance meanwhile", 2, [make.department()])
    section = _comparison(client, make, current)
    assert NONE_BEFORE in section and "No earlier campaign" not in section
