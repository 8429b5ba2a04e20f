"""A declared device return waits for an agent before it scores: the person reads the
points to come where they read their score, and, once the campaign has ended, that a
return never received does not count. Correcting a published campaign never backdates
its start."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.cleanup import services
from app.cleanup.forms import to_local_naive
from app.cleanup.models import PENDING, CleanupAction, CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import NOW, Participant
from tests.conftest import csrf_token, login


def _text(page: str) -> str:
    """The page as read: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _declared_return(user, campaign, now, number=1):
    """What the recycling service logs for a declared return: a pending entry."""
    action = services.log_action(user, campaign, "return-device", 1, now,
                                 source_key=f"device-return:{number}", pending=True)  # fmt: skip
    db.session.commit()
    return action


def test_points_to_come_show_where_i_read_my_score(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    me = Participant(client, campaign, make.user(locale="en"))
    assert me.log("delete-mail", "2").status_code == 200  # 20 points counted
    _declared_return(me.user, campaign, utcnow())

    page = html.unescape(me.page())
    assert 'data-testid="my-points">20<' in page  # the score itself is unchanged
    assert "(+100 once your device is received)" in page
    assert "100 points once the device is received" in page and ">100</td>" not in page
    # On the write path too: the progress block a log answers with.
    logged = html.unescape(me.log("delete-mail", "1").get_data(as_text=True))
    assert 'data-testid="my-points">30<' in logged
    assert "(+100 once your device is received)" in logged
    board = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").get_data(as_text=True))  # fmt: skip
    assert "30 points (+100 once your device is received)" in board
    home = _text(client.get("/").get_data(as_text=True))
    assert "My points: 30 (+100 once your device is received)" in home

    _declared_return(me.user, campaign, utcnow(), number=2)
    assert "(+200 once your devices are received)" in html.unescape(me.page())

    # Received: the points count and nothing is left to come.
    services.count_received_device_return(1, utcnow())
    services.count_received_device_return(2, utcnow())
    db.session.commit()
    page = html.unescape(me.page())
    assert 'data-testid="my-points">230<' in page and "to come" not in page
    assert "once your device" not in html.unescape(client.get("/").get_data(as_text=True))


def test_points_to_come_in_french(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    me = Participant(client, campaign, make.user(locale="fr"))
    _declared_return(me.user, campaign, utcnow())
    page = html.unescape(me.page())
    assert "(+100 une fois votre appareil reçu)" in page
    assert "100 points à venir" in page


def test_a_return_not_received_before_the_end_says_it_does_not_count(client, make, make_campaign):
    campaign = make_campaign()  # ran around NOW, long over by the real clock
    me = make.user(locale="en")
    _declared_return(me, campaign, NOW)
    login(client, me)

    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))
    assert "Not received before the end: does not count" in page
    assert "Waiting for an agent" not in page and "to come" not in page
    assert "counts once an agent" not in page
    assert 'data-testid="my-points">0<' in page
    # A label only: the entry and the frozen results stay as they were.
    assert db.session.scalar(select(CleanupAction.status)) == PENDING
    assert db.session.get(CleanupCampaign, campaign.id).frozen_at is not None


def _edit_form(client, campaign, starts_at, ends_at):
    rules = {}
    for n, rule in enumerate(campaign.action_rules):
        rules |= {f"rules-{n}-action_type_id": str(rule.action_type_id),
                  f"rules-{n}-enabled": "y",
                  f"rules-{n}-points_per_unit": str(rule.points_per_unit),
                  f"rules-{n}-daily_cap": str(rule.daily_cap)}  # fmt: skip
    return {"csrf_token": csrf_token(client), "name_fr": "Nettoyage", "name_en": "Clean-up",
            "starts_at": to_local_naive(starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": to_local_naive(ends_at).strftime("%Y-%m-%dT%H:%M"),
            "all_departments": "y", **rules}  # fmt: skip


def test_correcting_a_scheduled_campaign_refuses_a_start_in_the_past(client, make, make_campaign):
    now = utcnow()
    organiser = make.user(roles=("organiser",), locale="en")
    campaign = make_campaign(organiser=organiser, starts_at=now + timedelta(days=2),
                             ends_at=now + timedelta(days=9))  # fmt: skip
    start = campaign.starts_at
    login(client, organiser)

    refused = client.post(f"/cleanup/campaigns/{campaign.id}/edit",
                          data=_edit_form(client, campaign, now - timedelta(days=1),
                                          now + timedelta(days=9)))  # fmt: skip
    assert refused.status_code == 422
    body = html.unescape(refused.get_data(as_text=True))
    assert "its start cannot be in the past" in body
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).starts_at == start

    # A start from now on is still a correction it takes.
    later = now + timedelta(days=3)
    moved = client.post(f"/cleanup/campaigns/{campaign.id}/edit",
                        data=_edit_form(client, campaign, later, now + timedelta(days=9)))  # fmt: skip
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).starts_at > now


def test_a_start_in_the_past_is_refused_in_french_at_its_field(client, make, make_campaign):
    now = utcnow()
    organiser = make.user(roles=("organiser",), locale="fr")
    campaign = make_campaign(organiser=organiser, starts_at=now + timedelta(days=2),
                             ends_at=now + timedelta(days=9))  # fmt: skip
    login(client, organiser)
    refused = client.post(f"/cleanup/campaigns/{campaign.id}/edit",
                          data=_edit_form(client, campaign, now - timedelta(hours=2),
                                          now + timedelta(days=9)))  # fmt: skip
    body = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422 and "son début ne peut pas être dans le passé" in body


def test_publishing_a_draft_whose_start_passed_promises_no_correction(client, make, make_campaign):
    now = utcnow()
    organiser = make.user(roles=("organiser",), locale="en")
    late = make_campaign(organiser=organiser, publish=False, starts_at=now - timedelta(hours=1),
                         ends_at=now + timedelta(days=5))  # fmt: skip
    early = make_campaign(organiser=organiser, publish=False, starts_at=now + timedelta(days=1),
                          ends_at=now + timedelta(days=5))  # fmt: skip
    login(client, organiser)
    late_page = html.unescape(client.get(f"/cleanup/campaigns/{late.id}").get_data(as_text=True))
    assert "You can still correct it" not in late_page
    assert "Its start has passed: it starts at once" in late_page
    early_page = html.unescape(client.get(f"/cleanup/campaigns/{early.id}").get_data(as_text=True))  # fmt: skip
    assert "You can still correct it until it starts on" in early_page
