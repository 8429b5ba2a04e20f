"""The "Download my data" export reads for the person it is about: every stored code
comes with its name in their language, a withdrawal is no decision, and the profile
gives the day an erasure request is carried out, in the words of the privacy notice."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from app.catalogue import services as catalogue_services
from app.cleanup import services as cleanup_services
from app.core import privacy_services
from app.core.privacy_api import EXPORT_SCHEMA
from app.core.time import local_zone
from app.extensions import db
from app.recycling import services as recycling_services
from tests.catalogue.conftest import make_item  # noqa: F401 - a service to mark useful
from tests.conftest import login
from tests.trust.world import add_activity, build_world, send_message

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def export_of(client, make, make_item):  # noqa: F811
    """export_of(**user_fields) -> the document a person downloads from their profile,
    after logging actions, returning devices and having a catalogue request approved."""

    def export(**fields):
        world = build_world(make, NOW)
        person = make.user(**fields)
        add_activity(world, person, "me")
        service = make_item(kind="service", code="SV-MAIL", name_fr="Messagerie")
        catalogue_services.toggle_useful(person, service, NOW)
        db.session.commit()
        login(client, person)
        return client.get("/auth/profile/export").get_json(force=True)

    return export


def test_catalogue_items_are_named_in_french_by_default(export_of):
    document = export_of(locale=None)
    [line] = document["requests"]["requests"][0]["lines"]
    assert (line["item"], line["item_name"]) == ("LAPTOP-STD", "Portable standard")


def test_useful_marks_name_their_item(export_of):
    [mark] = export_of(locale=None)["requests"]["useful_marks"]
    assert (mark["item"], mark["item_name"]) == ("SV-MAIL", "Messagerie")


def test_the_export_is_in_the_persons_language_not_the_browsers(client, export_of):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    document = export_of(locale="en")
    assert document["requests"]["requests"][0]["lines"][0]["item_name"] == "Standard laptop"


def test_department_and_commune_come_with_their_names(make, export_of):
    commune = make.commune(insee_code="33063", name="Bordeaux")
    department = make.department(code="DNUM", name_fr="Direction du numérique")
    profile = export_of(department=department, commune=commune, locale="fr")["profile"]
    assert (profile["department"], profile["department_name"]) == (
        "DNUM",
        "Direction du numérique",
    )
    assert (profile["commune"], profile["commune_name"]) == ("33063", "Bordeaux")


def test_actions_name_their_type_and_unit(export_of):
    actions = export_of(locale="fr")["actions"]
    [mail] = [a for a in actions if a["action_type"] == "delete-mail"]
    assert (mail["action_type_name"], mail["quantity"], mail["unit"], mail["quantity_text"]) == (
        "Supprimer les vieux e-mails et pièces jointes",
        1.5,
        "GB",
        "1,5\u00a0Go",
    )


def test_badges_come_with_their_labels_in_the_persons_language(export_of):
    [entry] = export_of(locale="en")["badges"]
    assert list(zip(entry["badges"], entry["badge_names"], strict=True)) == [
        ("first-action", "First step"),
        ("device-returned", "Second life"),
    ]


def test_a_withdrawn_request_has_a_withdrawal_time_and_no_decision(make):
    person = make.user()
    world = build_world(make, NOW)
    catalogue_services.add_to_basket(person, world.item, 1, NOW)
    request = catalogue_services.submit_basket(person, "", NOW)
    catalogue_services.withdraw_request(person, request.id, NOW + timedelta(hours=2))
    db.session.commit()
    [exported] = privacy_services.export_personal_data(person, NOW)["requests"]["requests"]
    assert (exported["status"], exported["decided_at"], exported["withdrawn_at"]) == (
        "withdrawn",
        None,
        "2026-11-25T13:00:00+01:00",  # 12:00 UTC, read in Paris
    )


def test_a_decided_request_keeps_its_decision_time_and_no_withdrawal(make):
    person = make.user()
    world = build_world(make, NOW)
    catalogue_services.add_to_basket(person, world.item, 1, NOW)
    request = catalogue_services.submit_basket(person, "", NOW)
    catalogue_services.decide_request(request, world.admin, True, "", NOW + timedelta(hours=3))
    db.session.commit()
    [exported] = privacy_services.export_personal_data(person, NOW)["requests"]["requests"]
    assert (exported["decided_at"], exported["withdrawn_at"]) == (
        "2026-11-25T14:00:00+01:00",  # 13:00 UTC, read in Paris
        None,
    )


def _json_schema(schema):
    """OpenAPI 3.0's `nullable` as JSON Schema says it, to validate a real document."""
    if isinstance(schema, list):
        return [_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {k: _json_schema(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        converted["type"] = [schema["type"], "null"]
    return converted


def test_the_documented_schema_requires_the_names_and_fits_a_real_export(export_of):
    import jsonschema_rs

    schema = EXPORT_SCHEMA["properties"]
    named = {
        "actions": {"action_type_name", "unit", "quantity_text"},
        "badges": {"badge_names"},
        "returns": {"device_type_name"},
        "messages": {"channel_name"},
    }
    missing = {s: names - set(schema[s]["items"]["required"]) for s, names in named.items()}
    assert missing == {s: set() for s in named}
    jsonschema_rs.validate(_json_schema(EXPORT_SCHEMA), export_of(locale="fr"))


def test_the_export_reads_in_as_many_queries_for_many_requests_as_for_one(
    make,
    make_item,  # noqa: F811
):
    world = build_world(make, NOW)

    def queries_for(requests: int) -> int:
        person = make.user()
        for _ in range(requests):
            catalogue_services.add_to_basket(person, world.item, 1, NOW)
            catalogue_services.add_to_basket(person, make_item(), 1, NOW)
            catalogue_services.submit_basket(person, "", NOW)
            catalogue_services.toggle_useful(person, make_item(kind="service"), NOW)
        db.session.commit()
        db.session.expire_all()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            privacy_services.export_personal_data(person, NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    privacy_services.export_personal_data(world.admin, NOW)  # fills the action types' cache
    assert queries_for(5) == queries_for(1)


# --- Erasure: the day it is carried out, in the notice's words ------------------------


def _ask_erasure(client, make, locale: str):
    person = make.user(locale=locale)
    # Asked on 4 December 2026: carried out 30 days later by the hourly job.
    privacy_services.request_erasure(person, datetime(2026, 12, 4, 10, 0, tzinfo=UTC))
    db.session.commit()
    login(client, person)
    return client.get("/auth/profile").get_data(as_text=True)


def test_the_profile_gives_the_day_the_erasure_is_carried_out_in_french(app, client, make):
    assert app.config["ERASURE_DELAY_DAYS"] == 30
    page = _ask_erasure(client, make, "fr")
    assert "Votre demande sera exécutée le 3 janvier 2027" in page


def test_the_profile_gives_the_day_the_erasure_is_carried_out_in_english(client, make):
    page = _ask_erasure(client, make, "en")
    assert "Your request will be carried out on 3 January 2027" in page


def test_the_profile_and_the_notice_word_the_delay_the_same_way(client, make):
    words = "30 jours après que vous l'avez faite"
    profile = _ask_erasure(client, make, "fr")
    notice = client.get("/privacy").get_data(as_text=True)
    assert (words in profile, words in notice) == (True, True)


def test_asking_for_erasure_says_the_day_it_is_carried_out(client, auth, make):
    """The message said "within 30 days" where the profile and the notice say "on" a day."""
    person = make.user(locale="fr")
    login(client, person)
    page = auth.post("/auth/profile/erasure", {"confirm": "y"}, follow_redirects=True).text
    erasure = privacy_services.pending_erasure(person)
    due = erasure.due_at(30).astimezone(local_zone())
    assert f"Elle sera exécutée le {due.day} " in page and "sous 30 jours" not in page


# --- Statuses, conditions, visibility, campaign and moments, as the portal reads them ----


def _named(document: dict) -> dict:
    """Every stored status, condition and visibility of the export, with the name beside it."""
    returns = document["returns"]
    return {
        "action": {(a["status"], a["status_name"]) for a in document["actions"]},
        "request": {(r["status"], r["status_name"]) for r in document["requests"]["requests"]},
        "return": {(r["status"], r["status_name"]) for r in returns},
        "condition": {(r["condition"], r["condition_name"]) for r in returns},
        "step": {(s["step"], s["step_name"]) for r in returns for s in r["custody"]},
        "visibility": {
            (
                document["profile"]["leaderboard_visibility"],
                document["profile"]["leaderboard_visibility_name"],
            )
        },
    }


def test_statuses_conditions_and_visibility_are_named_in_french(export_of):
    named = _named(export_of(locale="fr", leaderboard_visibility="pseudonym"))
    assert named == {
        "action": {
            ("accepted", "Comptée"),
            ("pending", "En attente de la réception de l'appareil par un agent"),
        },
        "request": {("approved", "Acceptée")},
        "return": {("reused", "Réemployé dans l'administration"), ("declared", "Déclaré")},
        "condition": {("working", "En état de marche")},
        "step": {
            ("declared", "Déclaré"),
            ("received", "Reçu par un agent"),
            ("wiped", "Données effacées"),
            ("reused", "Réemployé dans l'administration"),
        },
        "visibility": {("pseudonym", "Mon pseudonyme")},
    }


def test_statuses_conditions_and_visibility_are_named_in_english(export_of):
    named = _named(export_of(locale="en", leaderboard_visibility="hidden"))
    assert named == {
        "action": {
            ("accepted", "Counted"),
            ("pending", "Waiting for an agent to receive the device"),
        },
        "request": {("approved", "Approved")},
        "return": {("reused", "Reused inside the administration"), ("declared", "Declared")},
        "condition": {("working", "Working")},
        "step": {
            ("declared", "Declared"),
            ("received", "Received by an agent"),
            ("wiped", "Data wiped"),
            ("reused", "Reused inside the administration"),
        },
        "visibility": {("hidden", "Hidden (my points still count for my department)")},
    }


def test_a_return_its_owner_withdrew_reads_withdrawn_by_them(make):
    person = make.user(locale="en")
    world = build_world(make, NOW)
    add_activity(world, person, "me")
    recycling_services.withdraw_return(person, world.returns[-1], NOW)
    db.session.commit()
    returns = privacy_services.export_personal_data(person, NOW)["returns"]
    assert (returns[-1]["status"], returns[-1]["status_name"]) == ("withdrawn", "Withdrawn by you")


def test_an_entry_left_waiting_when_the_campaign_froze_reads_as_not_counting(make):
    person = make.user(locale="en")
    world = build_world(make, NOW)
    add_activity(world, person, "me")
    cleanup_services.close_campaign_now(world.campaign, world.organiser, NOW)
    cleanup_services.freeze_campaign(world.campaign, NOW, announce=False)
    db.session.commit()
    actions = privacy_services.export_personal_data(person, NOW)["actions"]
    assert {a["status_name"] for a in actions if a["status"] == "pending"} == {
        "Not received before the end: does not count"
    }


def test_the_campaign_is_its_id_with_its_name_in_the_persons_language(make):
    person = make.user(locale="fr")
    world = build_world(make, NOW)
    add_activity(world, person, "me")
    document = privacy_services.export_personal_data(person, NOW)
    campaigns = {(a["campaign"], a["campaign_name"]) for a in document["actions"]}
    campaigns |= {(b["campaign"], b["campaign_name"]) for b in document["badges"]}
    assert campaigns == {(world.campaign.id, "Nettoyage d'hiver")}


def _moments(value, key=""):
    """Every moment of the document: the fields named `at` or `…_at`."""
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from _moments(inner, name)
    elif isinstance(value, list):
        for inner in value:
            yield from _moments(inner, key)
    elif value is not None and (key == "at" or key.endswith("_at")):
        yield value


def test_every_moment_carries_the_portals_local_offset(make):
    person = make.user()
    world = build_world(make, NOW)
    add_activity(world, person, "me")
    send_message(world)
    document = privacy_services.export_personal_data(person, NOW)
    moments = list(_moments(document))
    # 25: the campaign joined gives two (joined_at, last_logged_at).
    assert len(moments) == 25 and all(m.endswith("+01:00") for m in moments), moments


def test_an_action_logged_late_in_the_evening_utc_reads_on_the_next_local_day(make):
    person = make.user()
    world = build_world(make, NOW)
    late = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    cleanup_services.log_action(person, world.campaign, "delete-mail", 1, late)
    db.session.commit()
    [action] = privacy_services.export_personal_data(person, late)["actions"]
    assert action["logged_at"] == "2026-11-26T00:30:00+01:00"


def test_a_summer_moment_carries_the_summer_offset(make):
    person = make.user()
    summer = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert privacy_services.export_personal_data(person, summer)["exported_at"] == (
        "2026-07-01T10:00:00+02:00"
    )


def test_the_file_is_named_after_the_day_it_was_exported_in_paris(client, make, monkeypatch):
    """At 00:30 in Paris the name said the day before (UTC), the content the day itself."""
    from datetime import UTC, datetime

    import app.auth.routes as auth_routes
    from tests.conftest import login

    monkeypatch.setattr(auth_routes, "utcnow", lambda: datetime(2026, 12, 4, 23, 30, tzinfo=UTC))
    login(client, make.user())
    answer = client.get("/auth/profile/export")
    assert 'filename="empreinte-export-20261205.json"' in answer.headers["Content-Disposition"]


def test_roles_and_language_come_with_their_names(export_of):
    """ "agent" and "en" are codes: the person reads what they mean, in their language."""
    profile = export_of(roles=("agent",), locale="fr")["profile"]
    assert profile["roles"] == ["agent", "employee"]
    assert profile["role_names"] == ["Agent de collecte", "Membre du personnel"]
    assert (profile["locale"], profile["locale_name"]) == ("fr", "Français")
