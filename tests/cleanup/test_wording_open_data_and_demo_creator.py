"""Found running a campaign end to end: the demo's campaigns had no creator, so a
rejected entry named nobody to write to (and, without any address, ended on « écrivez
aux organisateurs »); the devices goal read « appareils rapportés » on the form but
« Appareils déposés » on the pages; the spreadsheet's goal rows said the target without
what it counts; the open data wrote instants with microseconds and left out why a
campaign ended early; two hidden people skipping ranks read as one."""

import csv
import html
import io
import json
import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.auth.models import User
from app.cleanup import services
from app.cleanup.models import CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login
from tests.snapshots import demo_seed_command_once


def _rejected_entry(make, make_campaign, organiser=None):
    """A running campaign, a person whose flagged entry an organiser rejected."""
    organiser = organiser or make.user(roles=("organiser",))
    now = utcnow()
    campaign = make_campaign(
        organiser=organiser, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5)
    )
    me = make.user(locale="fr")
    entry = services.log_action(me, campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    services.review_action(entry, organiser, False, "Doublon", utcnow())
    db.session.commit()
    return campaign, me


def _objection(client, campaign) -> str:
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").text)
    said = re.search(r'data-testid="object-to-rejection">(.*?)</span>', page, re.S)
    return said.group(1).strip().replace("\u00a0", " ")


def test_the_demo_campaigns_are_created_by_the_demo_organiser(runner):
    demo_seed_command_once(runner, 20)
    organiser = db.session.scalar(
        select(User.id).where(User.email == "organiser@demo.empreinte.fr")
    )
    creators = set(db.session.scalars(select(CleanupCampaign.created_by_id)))
    assert creators == {organiser}


def test_without_any_address_the_objection_still_says_what_to_do(client, make, make_campaign):
    current_app.config.update(PRIVACY_CONTROLLER_CONTACT="", PRIVACY_CONTACT="")
    campaign, me = _rejected_entry(make, make_campaign)
    campaign.created_by_id = None
    db.session.commit()
    login(client, me)
    said = _objection(client, campaign)
    assert not said.endswith("écrivez aux organisateurs de la campagne.")
    assert "support informatique ou à votre responsable" in said


def test_the_devices_goal_is_named_as_on_the_pages(client, make):
    login(client, make.user(roles=("organiser",), locale="fr"))
    form = html.unescape(client.get("/cleanup/campaigns/new").text)
    assert "Objectif : appareils déposés" in form.replace("\u00a0", " ")
    assert "appareils rapportés" not in form


def _closed(make, make_campaign, organiser, **changes):
    now = utcnow()
    campaign = make_campaign(
        organiser=organiser,
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(days=1),
        goals={"GB": 47000, "devices": 5},
        **changes,
    )
    services.freeze_campaign(campaign, now, announce=False)
    db.session.commit()
    return campaign


def test_the_spreadsheets_goal_rows_say_what_each_goal_counts(client, make, make_campaign):
    organiser = make.user(roles=("organiser",), locale="fr")
    campaign = _closed(make, make_campaign, organiser)
    login(client, organiser)
    text = client.get(f"/cleanup/campaigns/{campaign.id}/results.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    names = [
        row[2].replace("\u00a0", " ").replace("\u202f", " ") for row in rows if row[0] == "Objectif"
    ]
    assert names == [
        "Objectif : Espace libéré, 47 000 Go",
        "Objectif : Appareils déposés, 5 appareils",
    ]


def test_open_data_writes_instants_to_the_second_and_says_why_it_ended_early(
    client, make, make_campaign
):
    organiser = make.user(roles=("organiser",), locale="en")
    now = utcnow()
    campaign = make_campaign(
        organiser=organiser, starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=5)
    )
    ended = (utcnow() - timedelta(seconds=1)).replace(microsecond=123456)
    services.close_campaign_now(campaign, organiser, ended, "Serveur migré", "fr")
    services.freeze_campaign(campaign, ended + timedelta(microseconds=654321), announce=False)
    db.session.commit()
    login(client, organiser)
    response = client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json")
    assert response.status_code == 200, (response.status_code, response.text[:300])
    document = json.loads(response.text)
    for key in ("computed_at", "starts_at", "ends_at"):
        assert "." not in document[key], document[key]
    assert document["early_end_reason"] == "Serveur migré"
    assert document["early_end_reason_lang"] == "fr"


def test_two_ranks_skipped_are_said_in_the_plural(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    for name, quantity in (("Ada", 9), ("Bob", 1)):
        person = make.user(leaderboard_visibility="name", display_name=name)
        services.log_action(person, campaign, "unsubscribe", quantity, now)
    for quantity in (5, 3):
        services.log_action(
            make.user(leaderboard_visibility="hidden"), campaign, "unsubscribe", quantity, now
        )
    db.session.commit()
    login(client, make.user(locale="en"))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").text)
    gap = re.search(r'data-testid="hidden-ranks-row">(.*?)</tr>', page, re.S).group(1)
    assert "Ranks skipped: held by people who chose to be hidden" in gap


def test_one_rank_skipped_is_said_in_the_singular(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    for name, quantity in (("Ada", 9), ("Bob", 1)):
        person = make.user(leaderboard_visibility="name", display_name=name)
        services.log_action(person, campaign, "unsubscribe", quantity, now)
    services.log_action(make.user(leaderboard_visibility="hidden"), campaign, "unsubscribe", 5, now)
    db.session.commit()
    login(client, make.user(locale="en"))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard").text)
    gap = re.search(r'data-testid="hidden-ranks-row">(.*?)</tr>', page, re.S).group(1)
    assert "Rank skipped: held by a person who chose to be hidden" in gap
