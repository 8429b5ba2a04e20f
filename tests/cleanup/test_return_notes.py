"""A device return's receipt tells its owner whether it counts in the clean-up
campaigns: points to come until an agent receives it, points counted after, and why it
does not count (the daily limit, the campaign's end). Nobody else reads those notes."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from app.recycling import services as recycling_services
from app.recycling.models import DeviceReturn
from tests.cleanup.conftest import NOW
from tests.conftest import login
from tests.recycling.conftest import RecyclingFactories

NAMES = {"name_en": "Digital Clean-up week", "name_fr": "Semaine du numérique responsable"}


def _text(response) -> str:
    """The page as read: tags dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(page))


def _running(make_campaign, return_cap=None, **overrides):
    """A campaign running by the real clock (the routes read it), counting returns."""
    now = utcnow()
    rules = None
    if return_cap is not None:
        rules = [
            {"action_type_id": t.id, "points_per_unit": t.points_per_unit,
             "daily_cap": return_cap if t.key == "return-device" else t.daily_cap}
            for t in services.ensure_default_action_types()
        ]  # fmt: skip
        overrides["rules"] = rules
    return make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), **NAMES, **overrides
    )


def _declare(auth, point) -> str:
    """Declare a laptop with the form, ticked to count in every campaign (a newcomer's
    return counts only where they choose); the receipt page it leads to, as read."""
    campaigns = [str(c) for c in db.session.scalars(select(CleanupCampaign.id))]
    response = auth.post("/recycling/returns/new", {
        "collection_point_id": point.id, "device_type": "laptop", "condition": "working",
        "wipe_requested": "y", "count_in": campaigns}, follow_redirects=True)  # fmt: skip
    assert response.status_code == 200
    return _text(response)


def _last_receipt() -> str:
    return db.session.scalars(
        select(DeviceReturn.receipt_number).order_by(DeviceReturn.id.desc())
    ).first()


@pytest.mark.parametrize(
    ("locale", "heading", "note"),
    [
        ("en", "Clean-up campaigns", "Counts 100 points in “Digital Clean-up week” once an agent"),
        (
            "fr",
            "Campagnes de nettoyage",
            "Compte pour 100 points dans « Semaine du numérique responsable » dès qu'un agent",
        ),
    ],
)
def test_after_declaring_the_owner_reads_the_points_to_come(
    client, auth, make, make_campaign, locale, heading, note
):
    _running(make_campaign)
    point = RecyclingFactories(make).point()
    login(client, make.user(locale=locale))
    page = _declare(auth, point)
    assert heading in page and note in page


def test_once_an_agent_receives_it_the_owner_reads_it_counted(client, auth, make, make_campaign):
    _running(make_campaign)
    rec = RecyclingFactories(make)
    point = rec.point()
    agent = rec.agent(point)
    owner = make.user(locale="en")
    login(client, owner)
    _declare(auth, point)
    receipt = _last_receipt()

    login(client, agent)
    assert auth.post(f"/recycling/agent/returns/{receipt}/receive").status_code == 302
    # The agent sees the receipt (their point) but not the owner's points.
    agent_view = _text(client.get(f"/recycling/returns/{receipt}"))
    assert receipt in agent_view and "Clean-up campaigns" not in agent_view

    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{receipt}"))
    assert "Counted: 100 points in “Digital Clean-up week”." in page
    assert "once an agent receives it" not in page


def test_past_the_daily_limit_the_owner_reads_it_does_not_count(client, auth, make, make_campaign):
    _running(make_campaign, return_cap=1)
    point = RecyclingFactories(make).point()
    login(client, make.user(locale="en"))
    first = _declare(auth, point)
    second = _declare(auth, point)
    assert "Counts 100 points in “Digital Clean-up week”" in first
    assert (
        "Your daily limit in “Digital Clean-up week” was already reached when you declared "
        "this return: it does not count there." in second
    )
    assert "Counts 100 points" not in second


def test_a_return_left_out_by_the_limit_stays_left_out_once_another_is_withdrawn(
    client, auth, make, make_campaign
):
    # The limit is checked when a return is declared: the place a withdrawal frees that
    # day does not go to a return already left out, whose receipt keeps saying why.
    _running(make_campaign, return_cap=1)
    point = RecyclingFactories(make).point()
    login(client, make.user(locale="fr"))
    _declare(auth, point)
    counted = _last_receipt()
    _declare(auth, point)
    left_out = _last_receipt()
    assert auth.post(f"/recycling/returns/{counted}/withdraw", {}).status_code == 302

    page = _text(client.get(f"/recycling/returns/{left_out}"))
    assert (
        "Votre plafond journalier dans « Semaine du numérique responsable » était déjà "
        "atteint quand vous avez déclaré ce dépôt : il n'y compte pas." in page
    )


def test_no_campaign_running_no_note(client, auth, make, make_campaign):
    make_campaign(**NAMES)  # ran around NOW, long over by the real clock
    point = RecyclingFactories(make).point()
    login(client, make.user(locale="en"))
    page = _declare(auth, point)
    assert "Your return is recorded" in page and "Clean-up campaigns" not in page


def test_a_campaign_of_other_departments_says_nothing(client, auth, make, make_campaign):
    _running(make_campaign, all_departments=False, department_ids=[make.department().id])
    point = RecyclingFactories(make).point()
    login(client, make.user(locale="en"))
    assert "Clean-up campaigns" not in _declare(auth, point)


def test_a_return_kept_past_the_end_says_it_does_not_count(client, make, make_campaign):
    campaign = make_campaign(**NAMES)  # ran around NOW, long over by the real clock
    rec = RecyclingFactories(make)
    point = rec.point()
    agent = rec.agent(point)
    owner = make.user(locale="en")
    device_return = rec.device_return(owner, point, now=NOW, count_in=[campaign.id])
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert (
        "“Digital Clean-up week” ended before an agent received the device: "
        "this return does not count there." in page
    )
    recycling_services.confirm_receipt(device_return, agent, utcnow())
    db.session.commit()
    page = _text(client.get(f"/recycling/returns/{device_return.receipt_number}"))
    assert "Received after “Digital Clean-up week” ended: this return does not count there." in page


def test_another_employee_cannot_open_someone_elses_return(client, auth, make, make_campaign):
    _running(make_campaign)
    point = RecyclingFactories(make).point()
    login(client, make.user(locale="en"))
    _declare(auth, point)
    login(client, make.user(locale="en"))
    assert client.get(f"/recycling/returns/{_last_receipt()}").status_code == 404


def test_the_api_gives_the_owner_the_same_notes_and_an_agent_none(
    client, auth, make, make_campaign
):
    _running(make_campaign)
    rec = RecyclingFactories(make)
    point = rec.point()
    agent = rec.agent(point)
    login(client, make.user(locale="en"))
    _declare(auth, point)
    receipt = _last_receipt()

    [note] = client.get(f"/api/v1/device-returns/{receipt}").get_json()["notes"]
    assert note["kind"] == "pending"
    assert note["text"].startswith(
        "Counts 100 points in “Digital Clean-up week” once an agent receives it"
    )
    login(client, agent)
    assert client.get(f"/api/v1/device-returns/{receipt}").get_json()["notes"] == []
