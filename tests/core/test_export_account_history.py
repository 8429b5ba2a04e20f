"""The personal data export tells the person what the administration did to their account
(roles granted, deactivation), naming whoever did it by role only, and the account's
status and collection points; the privacy notice names every kind of data the code keeps."""

import re
from datetime import UTC, datetime

from sqlalchemy import update

from app.core import admin_services, privacy_services
from app.extensions import db
from tests.conftest import login
from tests.trust.world import build_world

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _export(client, person) -> dict:
    login(client, person)
    return client.get("/auth/profile/export").get_json(force=True)


def test_a_role_granted_is_in_the_export_with_the_admin_named_by_role(client, make):
    admin = make.user(roles=("admin",), display_name="Bérénice Lacaze", email="bl@example.org")
    person = make.user(locale="fr")
    admin_services.set_role(admin, person, "organiser", True, NOW)
    db.session.commit()
    [event] = _export(client, person)["audit_events"]
    assert (event["action"], event["action_name"], event["details"]) == (
        "grant_role",
        "Attribution de rôle",
        "Organisateur",
    )
    assert (event["actor"], event["actor_name"]) == ("admin", "Un administrateur")
    assert "Lacaze" not in str(event) and "bl@example.org" not in str(event)


def test_the_export_gives_the_account_status_and_who_deactivated_it(make):
    """A deactivated account cannot sign in: the service is called as an operator would."""
    admin = make.user(roles=("admin",), display_name="Bérénice Lacaze")
    person = make.user(locale="en")
    admin_services.set_account_active(admin, person, False, NOW)
    admin_services.set_account_active(admin, person, True, NOW)
    admin_services.set_account_active(admin, person, False, NOW)
    db.session.commit()
    document = privacy_services.export_personal_data(person, NOW)
    profile = document["profile"]
    assert (profile["active"], profile["deactivated_by"], profile["deactivated_by_name"]) == (
        False,
        "admin",
        "Administrator",
    )
    assert profile["deactivated_at"].startswith("2026-11-25T11:00:00")
    assert [(e["action_name"], e["actor_name"]) for e in document["audit_events"]] == [
        ("Account deactivated", "An administrator"),
        ("Account reactivated", "An administrator"),
        ("Account deactivated", "An administrator"),
    ]
    assert "Lacaze" not in str(document["audit_events"])


def test_an_agent_s_export_lists_the_collection_points_they_are_assigned_to(client, make):
    world = build_world(make, NOW)
    db.session.commit()
    profile = _export(client, world.agent)["profile"]
    assert profile["collection_points"] == [{"id": world.point.id, "name": world.point.name}]
    assert profile["active"] is True


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_notice_names_tokens_identifiers_useful_items_and_staff_notes_in_french(client):
    page = _text(client.get("/privacy?lang=fr").get_data(as_text=True))
    # The section itself, after the notice's contents that name it first.
    processed = page.split("Ce que nous traitons et pourquoi")[-1].split("Responsable")[0]
    for words in (
        "jetons d'API",
        "matricule",
        "identifiant de connexion unique",
        "les articles du catalogue que vous marquez comme utiles",
        "motif d'un refus de demande",
        "motif de l'examen d'une action de nettoyage",
        "l'historique des changements de votre compte",
    ):
        assert words in processed, words


def test_the_notice_says_in_french_what_stays_without_time_limit(client):
    page = _text(client.get("/privacy?lang=fr").get_data(as_text=True))
    kept = page.split("sans limite de durée")[1].split("Vos droits")[0]
    for words in (
        "numéros d'inventaire",
        "supprime les notes des agents",
        "le statut de chaque message",
    ):
        assert words in kept, words


def test_the_notice_says_in_french_when_unsent_e_mails_and_notice_contexts_go(client):
    page = _text(client.get("/privacy?lang=fr").get_data(as_text=True))
    deleted = page.split("au bout d'un délai")[1].split("sans limite de durée")[0]
    for words in (
        "d'un e-mail qui n'a pas pu être envoyé",
        "la trace de cet envoi ne dit plus de laquelle il s'agissait",
    ):
        assert words in deleted, words


def test_the_export_gives_the_logs_events_about_the_persons_objects_by_role(make):
    """A device received, wiped and given its outcome, a request approved: the person sees
    what staff recorded about their own objects, never who by name; other people's
    objects stay out."""
    from tests.trust.world import add_activity

    world = build_world(make, NOW)
    person, other = make.user(locale="fr"), make.user(locale="fr")
    add_activity(world, person, "me")
    add_activity(world, other, "them")

    events = privacy_services.export_personal_data(person, NOW)["audit_events"]
    mine = {r.receipt_number for r in world.returns[:2]}
    seen = {(e["object_type"], e["action"]) for e in events}
    assert {("device_return", "receive"), ("device_return", "wipe")} <= seen
    assert ("catalogue_request", "approved") in seen
    assert {e["object"] for e in events if e["object_type"] == "device_return"} <= mine
    staff = [e for e in events if e["object_type"] != "user"]
    assert {(e["actor"], e["actor_name"]) for e in staff} == {("staff", "Un membre du personnel")}
    assert world.agent.display_name not in str(events)


def test_an_entry_id_given_again_does_not_bring_the_events_about_the_deleted_one(make):
    """An entry id given again (SQLite did so before its tables took AUTOINCREMENT, and a
    database restored from a dump may): the organiser's words about the first author's
    entry must not reach the second's export."""
    from datetime import timedelta

    from app.cleanup import services as cleanup_services
    from app.cleanup.models import CleanupAction
    from app.core.audit import record_audit

    world = build_world(make, NOW)
    first, second = make.user(locale="fr"), make.user(locale="fr")
    entry = cleanup_services.log_action(first, world.campaign, "delete-mail", 1, NOW)
    db.session.flush()
    reviewed = entry.id
    record_audit(world.admin, "accept", "cleanup_action", reviewed, NOW, "Photos of your 12 GB")
    db.session.delete(entry)
    db.session.commit()
    later = NOW + timedelta(hours=1)
    again = cleanup_services.log_action(second, world.campaign, "delete-mail", 1, later)
    db.session.commit()
    # The id given again, as nothing hands it out by itself any more.
    db.session.execute(
        update(CleanupAction).where(CleanupAction.id == again.id).values(id=reviewed)
    )
    db.session.commit()
    db.session.expire_all()

    events = privacy_services.export_personal_data(second, later)["audit_events"]
    assert "Photos of your 12 GB" not in str(events)
    assert db.session.get(CleanupAction, reviewed).participant.user_id == second.id
