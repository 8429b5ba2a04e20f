"""Privacy: an erased agent's name leaves the chain of custody (which
still verifies) and their export lists the steps they signed; an organiser deciding on an
erased person's entry is told nobody hears of it; the export counts a refused entry's
points as the page does and names its channels apart; the privacy notice gives its
contacts (or says they are missing) and every retention; a return declared through the
API names its owner to nobody, like one declared on the page."""

import logging
import re
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app import create_app
from app.cleanup import services as cleanup_services
from app.cleanup.models import CleanupAction
from app.config import TestConfig
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Delivery
from app.recycling import services as recycling_services
from app.recycling.models import CustodyStep, DeviceReturn
from tests.conftest import csrf_token, login
from tests.trust.world import build_world, send_message


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def _handled_return(world, owner):
    """A laptop `owner` declared, that the point's agent received, wiped and recycled."""
    now = world.now
    device_return, _created = recycling_services.register_device_return(
        owner, world.point, "laptop", "working", now, asset_tag="BM-77", wipe_requested=True
    )
    recycling_services.confirm_receipt(device_return, world.agent, now)
    wiped_on = now.astimezone(ZoneInfo("Europe/Paris")).date()
    recycling_services.record_wipe(device_return, world.agent, "crypto_erase", wiped_on, "C-9", now)
    recycling_services.record_outcome(
        device_return, world.agent, "recycled", now, note="D3E", recipient="Ecologic"
    )
    db.session.commit()
    return device_return.receipt_number


def _erased_agent_world(make, runner):
    """A world whose agent, Julien Dupuy, handled a return and was then erased by the CLI."""
    world = build_world(make, utcnow())
    world.agent.display_name = "Julien Dupuy"
    owner = make.user(display_name="Nora Benali")
    receipt = _handled_return(world, owner)
    result = runner.invoke(args=["privacy", "erase", world.agent.email, "--yes"])
    assert result.exit_code == 0, result.output
    return world, owner, receipt


# --- 1. An erased agent's name leaves the chain of custody ---------------------------


def test_after_an_agents_erasure_the_receipt_names_them_nowhere_and_still_verifies(
    client, make, runner
):
    _world, owner, receipt = _erased_agent_world(make, runner)
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{receipt}?lang=fr").get_data(as_text=True))
    assert "Julien Dupuy" not in page
    assert page.count("signé par un agent anonymisé") == 3  # received, wiped, recycled
    assert "Chaque étape est signée" in page and "modifiée après coup" not in page


def test_after_an_agents_erasure_the_api_gives_no_name_for_their_steps(client, make, runner):
    _world, owner, receipt = _erased_agent_world(make, runner)
    login(client, owner)
    steps = client.get(f"/api/v1/device-returns/{receipt}?lang=en").get_json()["custody"]
    assert [(s["step"], s["by"]) for s in steps] == [
        ("declared", None),
        ("received", "Anonymised agent"),
        ("wiped", "Anonymised agent"),
        ("recycled", "Anonymised agent"),
    ]
    stored = db.session.scalar(
        select(func.count(CustodyStep.id)).where(CustodyStep.actor_name == "Julien Dupuy")
    )
    assert stored == 0


def test_an_erased_agents_step_altered_afterwards_no_longer_verifies(client, make, runner):
    _world, owner, receipt = _erased_agent_world(make, runner)
    step = db.session.scalar(select(CustodyStep).where(CustodyStep.step == "wiped"))
    step.certificate_number = "C-FORGED"
    db.session.commit()
    login(client, owner)
    page = _text(client.get(f"/recycling/returns/{receipt}?lang=en").get_data(as_text=True))
    assert page.count("This step was changed after it was recorded.") == 1
    altered = page.split("Data wiped")[1].split("Recycled")[0]
    assert "signed by an anonymised agent" in altered
    assert "This step was changed after it was recorded." in altered


def test_an_agents_export_lists_the_steps_they_signed_without_the_owner(client, make):
    world = build_world(make, utcnow())
    world.agent.locale = "en"
    owner = make.user(display_name="Nora Benali", email="nora.benali@example.org")
    receipt = _handled_return(world, owner)
    login(client, world.agent)
    document = client.get("/auth/profile/export").get_json(force=True)
    signed = document["custody_steps"]
    assert [(s["receipt_number"], s["step"], s["step_name"]) for s in signed] == [
        (receipt, "received", "Received by an agent"),
        (receipt, "wiped", "Data wiped"),
        (receipt, "recycled", "Recycled"),
    ]
    assert signed[1]["certificate_number"] == "C-9"
    assert all("note" not in s for s in signed)  # it speaks of the owner: theirs alone
    assert signed[0]["collection_point"] == "Hôtel de ville"
    text = str(signed)
    assert "Nora" not in text and "nora.benali" not in text and "BM-77" not in text
    assert document["returns"] == []  # none of the devices is theirs


# --- 2. Deciding on an erased person's entry ------------------------------------------


def _flagged_entry_of_erased_person(make, runner, client):
    world = build_world(make, utcnow())
    author = make.user()
    entry = cleanup_services.log_action(author, world.campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    assert entry.status == "flagged"
    assert runner.invoke(args=["privacy", "erase", author.email, "--yes"]).exit_code == 0
    login(client, world.organiser)
    return world, entry.id


def test_the_review_queue_says_an_erased_person_gets_no_message(client, make, runner):
    world, _entry_id = _flagged_entry_of_erased_person(make, runner, client)
    page = _text(client.get(f"/cleanup/campaigns/{world.campaign.id}/review").text)
    assert "Personne anonymisée" in page
    assert "Le compte de cette personne a été effacé : aucun message n'est envoyé" in page
    assert "Motif montré à la personne" not in page


def test_rejecting_an_erased_persons_entry_says_no_message_is_sent(client, make, runner):
    _world, entry_id = _flagged_entry_of_erased_person(make, runner, client)
    deliveries = db.session.scalar(select(func.count(Delivery.id)))
    response = client.post(
        f"/cleanup/actions/{entry_id}/review",
        data={"csrf_token": csrf_token(client), "decision": "reject", "reason": "Doublon"},
        headers={"HX-Request": "true"},
    )
    answer = _text(response.get_data(as_text=True))
    assert "Refusée. Le compte de la personne a été effacé : aucun message n'est envoyé." in answer
    assert "reçoit un message" not in answer
    assert db.session.get(CleanupAction, entry_id).status == "rejected"
    assert db.session.scalar(select(func.count(Delivery.id))) == deliveries


# --- 3. The export reads as the pages do ----------------------------------------------


def test_a_rejected_entry_exports_no_counted_points_and_what_it_claimed(client, make):
    world = build_world(make, utcnow())
    person = make.user()
    entry = cleanup_services.log_action(person, world.campaign, "delete-mail", 15, utcnow())
    cleanup_services.review_action(entry, world.organiser, False, "Doublon", utcnow())
    db.session.commit()
    login(client, person)
    [exported] = client.get("/auth/profile/export").get_json(force=True)["actions"]
    assert (exported["status"], exported["points_counted"], exported["points_claimed"]) == (
        "rejected",
        0,
        150,
    )
    assert "points" not in exported  # no figure left to read either way


def test_the_export_names_the_e_mail_and_portal_channels_apart(client, make, smtp):
    world = build_world(make, utcnow())
    person = make.user(locale="fr", email_opt_in=True)
    send_message(world)
    login(client, person)
    messages = client.get("/auth/profile/export").get_json(force=True)["messages"]
    assert {(m["channel"], m["channel_name"]) for m in messages} == {
        ("inbox", "Boîte de réception du portail"),
        ("email", "E-mail"),
    }


# --- 4. The privacy notice: contacts and every retention ------------------------------


def test_without_contacts_the_notice_says_the_administrator_must_give_them(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _text(client.get("/privacy").get_data(as_text=True))
    assert "Le responsable du traitement est Bordeaux Métropole." in page
    assert (
        "l'administrateur de ce portail doit la renseigner (réglage PRIVACY_CONTROLLER_CONTACT)"
        in page
    )
    assert "l'administrateur de ce portail doit la renseigner (réglage PRIVACY_CONTACT)" in page


def test_the_notice_gives_the_controller_and_the_officer_as_configured(make_app):
    other = make_app(
        PRIVACY_CONTROLLER_CONTACT="rgpd@bordeaux-metropole.fr",
        PRIVACY_CONTACT="dpo@bordeaux-metropole.fr",
    )
    page = other.test_client().get("/privacy?lang=en").get_data(as_text=True)
    assert (
        'To write to it: <a href="mailto:rgpd@bordeaux-metropole.fr">rgpd@bordeaux-metropole.fr</a>.'
        in page
    )
    assert 'Its data protection officer: <a href="mailto:dpo@bordeaux-metropole.fr">' in page
    assert "must fill it in" not in page


def test_a_postal_controller_address_is_given_as_text(make_app):
    other = make_app(PRIVACY_CONTROLLER_CONTACT="Esplanade Charles-de-Gaulle, 33000 Bordeaux")
    page = _text(other.test_client().get("/privacy?lang=en").get_data(as_text=True))
    assert "To write to it: Esplanade Charles-de-Gaulle, 33000 Bordeaux." in page


def test_the_notice_says_what_is_kept_without_a_time_limit_and_why(client):
    page = _text(client.get("/privacy?lang=en").get_data(as_text=True))
    kept = page.split("keeps without a time limit, and why:")[1].split("Your rights")[0]
    assert "chain of custody" in kept and "prove what became of each device" in kept
    assert "Requests made in the catalogue" in kept
    assert "The log of the changes made by organisers, agents and administrators" in kept
    assert "even deactivated" in kept
    assert "after 30 minutes" in page  # a staff directory file waiting for its import


def test_a_production_start_without_contacts_warns_naming_the_settings(caplog):
    production = {
        "ENV_NAME": "production",
        "ORGANISATION_NAME": "Métropole de Lyon",
        "PUBLIC_BASE_URL": "https://empreinte.bordeaux-metropole.fr",
        "MAIL_DEFAULT_SENDER": "Empreinte <no-reply@bordeaux-metropole.fr>",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
    }
    with caplog.at_level(logging.WARNING, logger="app.core.settings_check"):
        create_app(TestConfig, **production)
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "PRIVACY_CONTROLLER_CONTACT is empty" in warned
    assert "PRIVACY_CONTACT is empty" in warned
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="app.core.settings_check"):
        create_app(
            TestConfig,
            **production,
            PRIVACY_CONTROLLER_CONTACT="rgpd@bordeaux-metropole.fr",
            PRIVACY_CONTACT="dpo@bordeaux-metropole.fr",
            ACCESSIBILITY_STATEMENT_DATE="2026-12-05",
        )
    assert not caplog.records


# --- 5. A return declared through the API names its owner to nobody ------------------


def test_a_return_declared_through_the_api_reads_like_one_from_the_page(client, make):
    world = build_world(make, utcnow())
    owner = make.user(display_name="Nora Benali")
    login(client, owner)
    token = csrf_token(client)
    by_api = client.post(
        "/api/v1/device-returns",
        json={"collection_point_id": world.point.id, "device_type": "monitor",
              "condition": "working"},
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert by_api.status_code == 201, by_api.get_data(as_text=True)
    by_page = client.post(
        "/recycling/returns/new",
        data={"csrf_token": token, "collection_point_id": world.point.id,
              "device_type": "monitor", "condition": "working"},
    )  # fmt: skip
    assert by_page.status_code == 302
    receipts = db.session.scalars(select(DeviceReturn.receipt_number)).all()
    assert len(receipts) == 2
    stored = db.session.scalars(select(CustodyStep.actor_name)).all()
    assert stored == ["", ""]  # recorded alike: the owner's name on neither
    login(client, world.agent)
    for receipt in receipts:
        page = _text(client.get(f"/recycling/agent/returns/{receipt}?lang=fr").text)
        assert "Déclaré" in page and "par la personne qui l'a déposé" in page
        assert "Nora Benali" not in page
        declared = client.get(f"/api/v1/device-returns/{receipt}").get_json()["custody"][0]
        assert (declared["step"], declared["by"]) == ("declared", None)
