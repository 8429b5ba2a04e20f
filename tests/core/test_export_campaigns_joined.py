"""The data export gives the clean-up campaigns the person joined: when they joined, when
they last logged an action there, and every other column of their participation row. Among
them the label a closed campaign's leaderboard keeps showing them under: it stands for the
person there, so it is their data, whatever they chose since."""

import json
from datetime import UTC, datetime, timedelta

from app.auth.models import User
from app.auth.services import draw_new_pseudonym
from app.cleanup import services as cleanup_services
from app.cleanup.models import CleanupParticipant
from app.core.privacy_api import EXPORT_SCHEMA
from app.core.privacy_services import PARTICIPATION_KEYS
from app.core.time import local_iso
from app.extensions import db
from tests.conftest import login
from tests.core.test_export_readable import _json_schema
from tests.trust.world import build_world

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _joined_and_exported(client, make, locale="en"):
    """A person who logged two actions in a campaign, a day apart; their export."""
    world = build_world(make, NOW)
    person = make.user(locale=locale)
    cleanup_services.log_action(person, world.campaign, "delete-mail", 1.5, NOW - timedelta(days=1))
    cleanup_services.log_action(person, world.campaign, "unsubscribe", 3, NOW)
    db.session.commit()
    login(client, person)
    export = json.loads(client.get("/auth/profile/export").get_data(as_text=True))
    row = db.session.scalar(
        db.select(CleanupParticipant).where(CleanupParticipant.user_id == person.id)
    )
    return world, row, export


def test_the_export_says_when_the_person_joined_and_last_logged(client, make):
    world, row, export = _joined_and_exported(client, make)
    assert export["profile"]["cleanup_campaigns"] == [
        {
            "campaign": world.campaign.id,
            "campaign_name": "Winter clean-up",
            "joined_at": local_iso(NOW - timedelta(days=1)),
            "last_logged_at": local_iso(row.last_logged_at),
            # The campaign runs: its board follows the person's current choice.
            "board_shown_as": None,
            "board_shown_as_name": None,
            "board_label": None,
        }
    ]
    assert row.last_logged_at is not None


def test_a_closed_board_s_label_is_in_the_export_after_a_new_pseudonym(client, make):
    """The pseudonym the board showed at its end, not the one drawn since."""
    world, _row, _export = _joined_and_exported(client, make)
    person = db.session.get(User, _row.user_id)
    shown_at_the_end = person.pseudonym
    assert cleanup_services.freeze_campaign(world.campaign, world.campaign.ends_at)
    draw_new_pseudonym(person)
    db.session.commit()
    export = json.loads(client.get("/auth/profile/export").get_data(as_text=True))
    [joined] = export["profile"]["cleanup_campaigns"]
    assert {
        key: joined[key] for key in ("board_shown_as", "board_shown_as_name", "board_label")
    } == {
        "board_shown_as": "pseudonym",
        "board_shown_as_name": "My pseudonym",
        "board_label": shown_at_the_end,
    }
    assert export["profile"]["pseudonym"] == person.pseudonym != shown_at_the_end


def test_every_column_of_the_participation_row_is_exported(client, make):
    """A column added to the row later (a choice the person makes there) is exported too."""
    _world, _row, export = _joined_and_exported(client, make, locale="fr")
    columns = {column.name for column in CleanupParticipant.__table__.columns}
    exported = set(export["profile"]["cleanup_campaigns"][0])
    assert columns - set(PARTICIPATION_KEYS) <= exported
    assert export["profile"]["cleanup_campaigns"][0]["campaign_name"] == "Nettoyage d'hiver"


def test_the_documented_schema_describes_the_campaigns_joined(client, make):
    import jsonschema_rs

    _world, _row, export = _joined_and_exported(client, make)
    joined = EXPORT_SCHEMA["properties"]["profile"]["properties"]["cleanup_campaigns"]
    assert set(joined["items"]["required"]) == set(export["profile"]["cleanup_campaigns"][0])
    jsonschema_rs.validate(_json_schema(EXPORT_SCHEMA), export)


def test_a_person_who_joined_no_campaign_exports_an_empty_list(client, make):
    login(client, make.user())
    export = json.loads(client.get("/auth/profile/export").get_data(as_text=True))
    assert export["profile"]["cleanup_campaigns"] == []
