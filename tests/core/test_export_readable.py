"""The "Download my data" export reads for the person it is about: every stored code
comes with its name in their language, a withdrawal is no decision, and the profile
gives the day an erasure request is carried out, in the words of the privacy notice."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from app.catalogue import services as catalogue_services
from app.core import privacy_services
from app.core.privacy_api import EXPORT_SCHEMA
from app.core.time import local_zone
from app.extensions import db
from tests.catalogue.conftest import make_item  # noqa: F401 - a service to mark useful
from tests.conftest import login
from tests.trust.world import add_activity, build_world

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
        (NOW + timedelta(hours=2)).isoformat(),
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
        (NOW + timedelta(hours=3)).isoformat(),
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
