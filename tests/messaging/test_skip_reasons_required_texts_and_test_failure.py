"""End to end: every audience drops people who cannot be reached, in one place; a
dispatch's page says why each row was skipped, apart from its errors, with a count per
reason ("Skipped (no consent)" counted people deactivated since, e-mails whose inbox copy
was deleted, even an inbox row); the editor marks its four texts required; a test e-mail
the mail server did not take fails at once (it waited forever); cancelling twice says so."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.personalisation import Audience
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery
from tests.conftest import login
from tests.messaging.conftest import inbox_of

# Tuesday 17 March 2026, 22:00 in Paris: e-mails wait for the working hours; the next
# morning, 10:00, they go.
NIGHT = datetime(2026, 3, 17, 21, 0, tzinfo=UTC)
MORNING = datetime(2026, 3, 18, 9, 0, tzinfo=UTC)


def _text(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    main = page.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).replace("\u00a0", " ").split())


def _flash(response) -> tuple[str, str]:
    page = html.unescape(response.get_data(as_text=True))
    kind, text = page.split('class="flash flash-', 1)[1].split("</p>", 1)[0].split('"', 1)
    return kind, re.sub(r"<[^>]+>", "", text.split(">", 1)[1]).strip()


# --- 1. every audience, present and future, reaches only reachable people -------------------


@pytest.fixture
def careless_audience(app):
    """An audience a domain registers whose query forgets who has left."""
    registry = app.extensions.setdefault("empreinte.audiences", {})
    registry["careless"] = Audience("careless", "Careless", lambda now, params: select(User.id))
    yield "careless"
    registry.pop("careless", None)


def test_an_audience_that_forgets_who_left_still_counts_only_reachable_people(
    make, template, careless_audience
):
    tpl = template()  # its author, an organiser, is one of the people
    here = make.user()
    make.user(active=False)
    erased = make.user()
    erased.anonymised_at = NIGHT
    db.session.commit()
    assert services.audience_size(careless_audience, {}, MORNING) == 2
    dispatch = services.create_dispatch(tpl, careless_audience, {}, MORNING, MORNING)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: MORNING)
    written = set(
        db.session.scalars(select(Delivery.user_id).where(Delivery.dispatch_id == dispatch.id))
    )
    assert dispatch.recipients == 2 and written == {tpl.created_by_id, here.id}


# --- 2 and 3. skips are no errors, each with its own reason -----------------------------------


def test_the_dispatch_page_counts_each_skip_by_its_reason_apart_from_the_errors(
    client, make, template, smtp, config
):
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00; PH off", TIMEZONE="Europe/Paris")
    tpl = template()  # its author has not consented to e-mails
    organiser = make.user(roles=("organiser",))  # nor this one
    reader = make.user(email_opt_in=True)
    leaver = make.user(email_opt_in=True, email="ines.bernard.378@example.org")
    deleter = make.user(email_opt_in=True)
    dispatch = services.create_dispatch(tpl, "everyone", {}, NIGHT, NIGHT)
    db.session.commit()
    services.prepare_dispatch(dispatch, NIGHT)
    db.session.commit()
    leaver.active = False  # deactivated once the outbox is written
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: NIGHT)  # the inbox copies; e-mails wait
    (copy,) = inbox_of(deleter)
    assert services.delete_message(deleter, copy.id, NIGHT)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: MORNING)
    assert smtp.recipients() == [reader.email]
    login(client, organiser)
    text = _text(client.get(f"/messaging/dispatches/{dispatch.id}"))
    reasons = text.split("Ignorés, et pourquoi", 1)[1]
    assert "Boîte de réception du portail, compte désactivé ou effacé : 1" in reasons
    assert "E-mail, sans consentement aux e-mails : 2" in reasons
    assert "E-mail, compte désactivé ou effacé : 1" in reasons
    assert (
        "E-mail, copie dans la boîte de réception du portail supprimée par son destinataire avant "
        "l'envoi de l'e-mail : 1"
    ) in reasons
    assert "Ignorés (sans consentement)" not in text
    assert "Erreurs" not in text and "ines.bernard" not in text and "inactive" not in text


def test_a_failure_is_listed_as_an_error_and_its_skips_are_not(client, make, template, smtp):
    tpl = template()
    admin = make.user(roles=("admin",))  # only an admin sees whom an e-mail failed for
    refused = make.user(email_opt_in=True, email="refused@example.org")
    make.user(email_opt_in=True, active=False)
    dispatch = services.create_dispatch(tpl, "everyone", {}, MORNING, MORNING)
    db.session.commit()
    services.prepare_dispatch(dispatch, MORNING)
    db.session.execute(  # as the last attempt refused by the server leaves it
        Delivery.__table__.update()
        .where(Delivery.user_id == refused.id, Delivery.channel == "email")
        .values(status="failed", error="SMTPRecipientsRefused: 550 no such user")
    )
    db.session.commit()
    login(client, admin)
    errors = _text(client.get(f"/messaging/dispatches/{dispatch.id}")).split("Erreurs", 1)[1]
    # A row written before the codes: its exception's class said in words, not its text.
    assert (
        "refused@example.org (E-mail, en échec) : "
        "Le serveur de messagerie a refusé cette adresse." in errors
    )
    assert "SMTPRecipientsRefused" not in errors and "550" not in errors
    assert "Ignoré" not in errors and "no_consent" not in errors


# --- 4. the editor marks its four texts required ----------------------------------------------


@pytest.mark.parametrize("name", ["subject_fr", "body_fr", "subject_en", "body_en"])
def test_the_template_editor_marks_each_text_required(client, make, name):
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/templates/new").get_data(as_text=True)
    label = page.split(f'<label for="{name}">', 1)[1].split("</label>", 1)[0]
    control = re.search(rf'<(?:input|textarea)[^>]* id="{name}"[^>]*>', page)[0]
    assert "(obligatoire)" in label and re.search(r"\srequired[\s>]", control)


# --- 5. a test e-mail the server did not take fails at once ----------------------------------


def test_a_test_email_with_the_mail_server_down_is_failed_not_waiting_forever(
    auth, client, make, template, smtp_down
):
    tpl = template()
    login(client, make.user(roles=("organiser",)))
    auth.post(f"/messaging/templates/{tpl.id}/test")
    email = db.session.scalar(select(Delivery).where(Delivery.channel == "email"))
    assert (email.status, email.next_attempt_at) == ("failed", None)
    text = _text(client.get(f"/messaging/dispatches/{email.dispatch_id}"))
    # Delivered, waiting, skipped, failed: it read "Waiting 1" under "Status: Sent".
    assert "Boîte de réception du portail 1 0 0 0 E-mail 0 0 0 1" in text, text


# --- 6. cancelling a dispatch already cancelled -------------------------------------------------


def test_cancelling_a_dispatch_already_cancelled_says_so(auth, client, make, template):
    organiser = make.user(roles=("organiser",))
    now = utcnow()
    dispatch = services.schedule_message(
        template(), "everyone", {}, "at", now, actor=organiser, at=now + timedelta(days=2)
    )
    db.session.commit()
    login(client, organiser)
    first = auth.post(f"/messaging/dispatches/{dispatch.id}/cancel", follow_redirects=True)
    assert _flash(first) == ("success", "Envoi annulé.")
    again = auth.post(f"/messaging/dispatches/{dispatch.id}/cancel", follow_redirects=True)
    assert _flash(again) == ("info", "Cet envoi était déjà annulé.")


def test_the_data_export_says_why_a_message_was_skipped_in_the_persons_words(
    client, make, template, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    person = make.user(locale="fr", email_opt_in=False)
    dispatch = services.create_dispatch(template(), "everyone", {}, NIGHT, NIGHT)
    db.session.commit()
    services.prepare_dispatch(dispatch, NIGHT)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: NIGHT)
    login(client, person)
    export = client.get("/auth/profile/export").get_json()
    by_channel = {message["channel"]: message for message in export["messages"]}
    assert by_channel["email"]["error"] == "no_consent"
    assert by_channel["email"]["skip_reason_name"] == "Sans consentement aux e-mails"
    assert by_channel["inbox"]["skip_reason_name"] is None
