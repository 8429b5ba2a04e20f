"""Privacy: an audit event keeps the person whose object it is about,
so that their erasure, retention and export find it once the object is deleted; a staff
member's export gives what they did (the events they wrote, the rows naming them as
creator, reviewer or decider); every answer but a static file is sent `no-store`; an
agent's export holds nothing about the devices' owners, and an owner's names the agent
exactly as their receipt does."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from app import create_app
from app.catalogue import services as catalogue_services
from app.cleanup import services as cleanup_services
from app.cleanup.models import CleanupAction
from app.config import TestConfig
from app.core import privacy_services
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging import services as messaging_services
from app.recycling import services as recycling_services
from tests.conftest import login
from tests.factories import Factories
from tests.trust.world import add_activity, build_world

REASON = "Hélène Laborde a déjà déclaré ces 19 Go"


def _reject_then_delete(make, now, world=None):
    """A person's correction (5 -> 19 GB) refused with a reason naming someone, then the
    entry deleted by its author while the campaign runs."""
    world = world or build_world(make, now)
    person = make.user(display_name="Hélène Laborde", email="helene.laborde@example.org")
    entry = cleanup_services.log_action(person, world.campaign, "delete-mail", 5, now)
    cleanup_services.correct_action(person, entry, 19, now + timedelta(minutes=1))
    assert entry.status == "flagged"
    cleanup_services.review_action(
        entry, world.organiser, False, REASON, now + timedelta(minutes=2)
    )
    cleanup_services.delete_action(person, entry, now + timedelta(minutes=3))
    db.session.commit()
    return SimpleNamespace(world=world, person=person, entry_id=entry.id)


def _reject_event(entry_id) -> AuditEvent:
    return db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "reject", AuditEvent.object_id == str(entry_id)
        )
    )


# --- 1. Events about an object deleted since ------------------------------------------


def test_the_event_keeps_whose_entry_it_was_once_the_entry_is_deleted(make):
    now = utcnow()
    case = _reject_then_delete(make, now)
    assert db.session.get(CleanupAction, case.entry_id) is None
    assert _reject_event(case.entry_id).subject_user_id == case.person.id


def test_erasure_takes_the_reason_out_of_an_event_about_an_entry_deleted_since(make):
    now = utcnow()
    case = _reject_then_delete(make, now)
    privacy_services.erase_user(case.person, now + timedelta(minutes=5))
    db.session.commit()
    event = _reject_event(case.entry_id)
    assert event.summary == "correction[GB] 19 -> 5"  # the figures stay, the reason goes
    assert event.subject_user_id is None


def test_retention_takes_the_reason_out_of_an_event_about_an_entry_deleted_since(make):
    now = utcnow()
    case = _reject_then_delete(make, now)
    cleanup_services.anonymise_old_actions(now + timedelta(days=30), months=12)
    assert "Laborde" in _reject_event(case.entry_id).summary  # not past its period yet
    cleanup_services.anonymise_old_actions(now + timedelta(days=400), months=12)
    db.session.commit()
    event = _reject_event(case.entry_id)
    assert (event.summary, event.subject_user_id) == ("correction[GB] 19 -> 5", None)


def test_the_persons_export_keeps_the_event_about_their_entry_deleted_since(client, make):
    case = _reject_then_delete(make, utcnow())
    login(client, case.person)
    events = client.get("/auth/profile/export").get_json(force=True)["audit_events"]
    assert [(e["action"], e["object"], e["actor"]) for e in events] == [
        ("reject", str(case.entry_id), "staff")
    ]
    assert "Laborde" in events[0]["details"]


def test_the_migration_gives_existing_events_the_person_of_objects_still_there(
    empty_database_url,
):
    """Events written before the column: their person comes from the objects still held,
    theirs when the event was written; an event about an entry deleted since gets none."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="heads")
        now = utcnow()
        make = Factories()
        world = build_world(make, now)
        person = make.user()
        add_activity(world, person, "p")  # a request decided, a return received
        _reject_then_delete(make, now, world)
        # Logged after the deletion: SQLite may give it the deleted entry's id.
        later = now + timedelta(minutes=4)
        kept = cleanup_services.log_action(person, world.campaign, "delete-mail", 15, later)
        cleanup_services.review_action(kept, world.organiser, True, "", later)
        db.session.commit()
        ids = SimpleNamespace(person=person.id)
        db.session.execute(text("UPDATE audit_event SET subject_user_id = NULL"))
        db.session.commit()
        db.session.remove()
        downgrade(revision="20261205_catalogue_add_once")  # this revision only
        upgrade(revision="heads")
        subjects = {
            (action, object_type): subject
            for action, object_type, subject in db.session.execute(
                select(AuditEvent.action, AuditEvent.object_type, AuditEvent.subject_user_id)
            )
        }
        db.session.remove()
        db.engine.dispose()
    assert subjects[("accept", "cleanup_action")] == ids.person
    assert subjects[("approved", "catalogue_request")] == ids.person
    assert subjects[("receive", "device_return")] == ids.person
    assert subjects[("reject", "cleanup_action")] is None  # its entry is gone


# --- 2. What staff did is in their export ---------------------------------------------


@pytest.fixture
def organiser_at_work(make):
    """The organiser created and published the campaign, rejected an entry, created a
    template and scheduled a dispatch."""
    now = utcnow()
    world = build_world(make, now)
    person = make.user(display_name="Louis Laurent", email="louis.laurent@example.org")
    entry = cleanup_services.log_action(person, world.campaign, "delete-mail", 15, now)
    cleanup_services.review_action(entry, world.organiser, False, "Doublon", now)
    template = messaging_services.save_template(
        None,
        {
            "key": "rappel",
            "name": "Rappel",
            "subject_fr": "Rappel",
            "body_fr": "Bonjour.",
            "subject_en": "Reminder",
            "body_en": "Hello.",
        },
        world.organiser,
        now,
    )
    dispatch = messaging_services.schedule_message(
        template, "everyone", {}, "now", now, actor=world.organiser
    )
    db.session.commit()
    return SimpleNamespace(world=world, person=person, entry=entry, dispatch=dispatch)


def _export(client, person) -> dict:
    login(client, person)
    return client.get("/auth/profile/export").get_json(force=True)


def test_an_organisers_export_lists_the_events_they_wrote(client, organiser_at_work):
    document = _export(client, organiser_at_work.world.organiser)
    assert [(e["action"], e["object_type"], e["actor"]) for e in document["audit_events"]] == [
        ("create", "cleanup_campaign", "self"),
        ("publish", "cleanup_campaign", "self"),
        ("reject", "cleanup_action", "self"),
        ("create", "messaging_template", "self"),
        ("create", "messaging_dispatch", "self"),
    ]
    reject = document["audit_events"][2]
    assert (reject["object"], reject["details"]) == (str(organiser_at_work.entry.id), "Doublon")


def test_an_organisers_export_lists_what_they_created_and_reviewed(client, organiser_at_work):
    work = organiser_at_work
    records = _export(client, work.world.organiser)["staff_records"]
    assert [c["campaign"] for c in records["campaigns_created"]] == [work.world.campaign.id]
    assert [(r["entry"], r["status"]) for r in records["entries_reviewed"]] == [
        (work.entry.id, "rejected")
    ]
    assert [t["key"] for t in records["templates_created"]] == ["rappel"]
    assert [(d["dispatch"], d["template"]) for d in records["dispatches_created"]] == [
        (work.dispatch.id, "rappel")
    ]


def test_an_organisers_export_says_nothing_of_the_participant(client, organiser_at_work):
    document = str(_export(client, organiser_at_work.world.organiser))
    assert "Laurent" not in document and "louis.laurent" not in document


def test_a_reason_erased_with_its_person_reads_erased_in_the_organisers_export(
    client, organiser_at_work
):
    privacy_services.erase_user(organiser_at_work.person, utcnow())
    db.session.commit()
    events = _export(client, organiser_at_work.world.organiser)["audit_events"]
    reject = next(e for e in events if e["action"] == "reject")
    assert reject["details"] == "Texte effacé avec les données de la personne"


def test_an_admins_export_lists_decisions_erasures_and_budgets(client, make):
    now = utcnow()
    world = build_world(make, now)
    add_activity(world, make.user(), "p")  # a request the admin approves
    leaving = make.user(display_name="Inès Roux")
    request = privacy_services.request_erasure(leaving, now)
    privacy_services.execute_erasure_request(request.id, world.admin, now)
    catalogue_services.set_budget(make.department().id, 2026, 1500, world.admin, now)
    db.session.commit()
    document = _export(client, world.admin)
    assert [(e["action"], e["object_type"], e["actor"]) for e in document["audit_events"]] == [
        ("approved", "catalogue_request", "self"),
        ("erase", "user", "self"),
        ("set_budget", "catalogue_budget", "self"),
    ]
    records = document["staff_records"]
    assert [r["status"] for r in records["requests_decided"]] == ["approved"]
    assert len(records["erasures_executed"]) == 1
    assert "Roux" not in str(document)


def test_an_agents_export_lists_the_events_they_wrote(client, make):
    now = utcnow()
    world = build_world(make, now)
    add_activity(world, make.user(display_name="Nora Benali"), "nora")
    events = _export(client, world.agent)["audit_events"]
    assert [(e["action"], e["actor"]) for e in events] == [
        ("receive", "self"),
        ("wipe", "self"),
        ("outcome", "self"),
    ]
    assert "Nora" not in str(events) and "BM-nora" not in str(events)


# --- 3. Nothing but static files is kept by a browser ---------------------------------


def test_the_data_export_download_is_sent_no_store(client, make):
    login(client, make.user())
    response = client.get("/auth/profile/export")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_audit_csv_is_sent_no_store(client, make):
    login(client, make.user(roles=("admin",)))
    response = client.get("/admin/audit.csv")
    assert (response.status_code, response.mimetype) == (200, "text/csv")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_static_file_is_still_kept_by_the_browser(client):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


# --- 4. The custody steps in an agent's and in an owner's export ----------------------


def _handled_return(world, owner, now):
    """A laptop `owner` declared; the point's agent received and recycled it, with a note
    naming the owner."""
    device_return, _created = recycling_services.register_device_return(
        owner, world.point, "laptop", "working", now, asset_tag="BM-77", data_wiped=True
    )
    recycling_services.confirm_receipt(device_return, world.agent, now)
    recycling_services.record_outcome(
        device_return,
        world.agent,
        "recycled",
        now,
        note="Rendu à Nora Benali en main propre",
        recipient="Ecologic",
    )
    db.session.commit()
    return device_return.receipt_number


def test_an_agents_custody_steps_hold_no_note_about_the_owner(client, make):
    now = utcnow()
    world = build_world(make, now)
    _handled_return(world, make.user(display_name="Nora Benali"), now)
    signed = _export(client, world.agent)["custody_steps"]
    assert [s["step"] for s in signed] == ["received", "recycled"]
    assert "Nora" not in str(signed) and "BM-77" not in str(signed)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_owners_export_names_the_agent_as_their_receipt_does(client, make):
    """The receipt page shows the owner « signé par Julien Dupuy »: the export, which holds
    nothing the owner could not read there, says the same; the audit events, which the
    owner never sees, name staff by role."""
    now = utcnow()
    world = build_world(make, now)
    world.agent.display_name = "Julien Dupuy"
    owner = make.user(locale="fr")
    receipt = _handled_return(world, owner, now)
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{receipt}?lang=fr").get_data(as_text=True))
    document = client.get("/auth/profile/export").get_json(force=True)
    custody = document["returns"][0]["custody"]
    assert "signé par Julien Dupuy" in page
    assert [s["by"] for s in custody] == [None, "Julien Dupuy", "Julien Dupuy"]
    assert {e["actor_name"] for e in document["audit_events"]} == {"Un membre du personnel"}
