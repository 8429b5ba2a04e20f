"""The person's data export tells them everything kept about each of their entries (why it
was flagged, when and how an organiser decided, what a correction changed), in their
language; and once retention has anonymised a campaign, no entry leads back to the
device return it was logged for, whose owner the return keeps."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupAction, CleanupCampaign
from app.cleanup.return_notes import device_return_notes
from app.core.privacy_services import apply_retention
from app.core.time import local_iso, utcnow
from app.extensions import db
from app.recycling import services as recycling_services
from tests.conftest import login
from tests.trust.world import add_activity, aggregates, build_world

REASON = "Capture d'écran manquante"


@pytest.fixture
def running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


@pytest.fixture
def organiser(make):
    return make.user(roles=("organiser",))


def _exported_entry(client, person, entry_id: int) -> dict:
    """The entry as the person's "Download my data" gives it (matched by its moment)."""
    login(client, person)
    actions = client.get("/auth/profile/export").get_json(force=True)["actions"]
    logged_at = local_iso(db.session.get(CleanupAction, entry_id).logged_at)
    [entry] = [a for a in actions if a["logged_at"] == logged_at]
    return entry


def test_a_flagged_entry_says_why_in_the_persons_language(client, make, running):
    person = make.user(locale="fr")
    entry = services.log_action(person, running, "delete-mail", 15, utcnow())
    db.session.commit()
    exported = _exported_entry(client, person, entry.id)
    assert (exported["flag_reason"], exported["flag_reason_text"]) == (
        "above the usual size of one entry",
        "au-dessus de la taille habituelle d'une saisie",
    )


def test_a_rejection_gives_its_moment_and_reads_as_my_entries_says_it(
    client, make, running, organiser
):
    person, now = make.user(locale="fr"), utcnow()
    entry = services.log_action(person, running, "delete-mail", 15, now)
    services.review_action(entry, organiser, False, REASON, now + timedelta(hours=2))
    db.session.commit()
    exported = _exported_entry(client, person, entry.id)
    assert exported["reviewed_at"] == local_iso(now + timedelta(hours=2))
    assert exported["status_text"] == f"Refusée\u00a0: {REASON}"


def test_a_correction_gives_what_the_entry_said_before(client, make, running):
    person, now = make.user(locale="fr"), utcnow()
    entry = services.log_action(person, running, "delete-mail", 1, now)
    services.correct_action(person, entry, 2, now + timedelta(minutes=5))
    db.session.commit()
    exported = _exported_entry(client, person, entry.id)
    assert {
        key: exported[key]
        for key in (
            "corrected_from",
            "corrected_from_text",
            "corrected_from_status",
            "corrected_from_status_name",
            "corrected_at",
            "correction_refused",
        )
    } == {
        "corrected_from": 1,
        "corrected_from_text": "1\u00a0Go",
        "corrected_from_status": "accepted",
        "corrected_from_status_name": "Comptée",
        "corrected_at": local_iso(now + timedelta(minutes=5)),
        "correction_refused": False,
    }


def test_a_refused_correction_says_so_with_the_organisers_reason(client, make, running, organiser):
    person, now = make.user(locale="en"), utcnow()
    entry = services.log_action(person, running, "delete-mail", 1, now)
    services.correct_action(person, entry, 15, now + timedelta(minutes=5))
    services.review_action(entry, organiser, False, REASON, now + timedelta(minutes=6))
    db.session.commit()
    exported = _exported_entry(client, person, entry.id)
    assert (exported["correction_refused"], exported["corrected_from"]) == (True, None)
    assert exported["status_text"] == f"Counted. Your correction was not accepted: {REASON}"


# --- Retention ------------------------------------------------------------------


def _returns_counted_then_anonymised(app, make):
    """A person declares two devices during a campaign (both logged in it, one received);
    the campaign ends and is frozen; retention runs once its period has passed."""
    now = utcnow()
    world = build_world(make, now)
    person = make.user(display_name="Inès Roux")
    add_activity(world, person, "ines")
    campaign = world.campaign
    recycling_services.confirm_receipt(world.returns[1], world.agent, now)
    assert services.freeze_campaign(campaign, campaign.ends_at, announce=False)
    db.session.commit()
    before = aggregates(world)
    months = app.config["ACTION_RETENTION_MONTHS"]
    return world, person, before, services.months_before(campaign.ends_at, -months)


def _device_entries(campaign: CleanupCampaign) -> list:
    return db.session.scalars(
        select(CleanupAction.source_key).where(
            CleanupAction.campaign_id == campaign.id,
            CleanupAction.source_key.like("device-return:%"),
        )
    ).all()


def test_retention_leaves_no_entry_naming_its_device_return(app, make):
    world, _person, before, due = _returns_counted_then_anonymised(app, make)
    assert len(_device_entries(world.campaign)) == 2  # both returns, in one campaign
    apply_retention(due)
    db.session.commit()
    # Both lose their key in the same campaign: the unique index takes two NULLs.
    assert _device_entries(world.campaign) == []
    assert aggregates(world) == before


def test_after_retention_a_returns_page_no_longer_tells_what_it_scored(app, make):
    world, person, _before, due = _returns_counted_then_anonymised(app, make)
    received = world.returns[1]
    assert [note.text for note in device_return_notes(received, person, due)] == [
        "Compté\u00a0: 100 points dans «\u00a0Nettoyage d'hiver\u00a0»."
    ]
    apply_retention(due)
    db.session.commit()
    assert device_return_notes(received, person, due) == []
