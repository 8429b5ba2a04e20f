"""Review, communications officer: « Résultats : {{ results_url }} » sent « Maintenant » to a
directorate while its campaign ran was accepted, then read « Envoyé · 42 » with 0 delivered
and Jinja's English « render: 'results_url' is undefined » on the French page. A waiting
e-mail read « ConnectionRefusedError: [Errno 111] … » and no retry time; the « already
planned » warning gave the overlap as the other dispatch's size; the preview of a countdown
about an ended campaign said « Il reste 0 jour ; la campagne se termine . » and nothing else."""

import html
import re
from datetime import UTC, timedelta

from sqlalchemy import select, update

from app.cleanup.services import extend_campaign
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import NOT_SENT, Delivery, Dispatch
from tests.conftest import login
from tests.messaging.conftest import template_form

RESULTS = {
    "subject_fr": "Merci pour {{ campaign_name }}",
    "body_fr": "Résultats : {{ results_url }}\n\n{{ unsubscribe_url }}",
    "subject_en": "Thank you for {{ campaign_name }}",
    "body_en": "Results: {{ results_url }}\n\n{{ unsubscribe_url }}",
}
HX = {"HX-Request": "true"}


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _field_error(page: str, name: str) -> str:
    return _words(page.split(f'id="{name}-error">', 1)[1].split("</p>", 1)[0])


def _running(make_campaign, **overrides):
    now = utcnow()
    return make_campaign(
        starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=10), **overrides
    )


def _directorate(make, people: int = 2):
    department = make.department()
    for _n in range(people):
        make.user(department=department, email_opt_in=True)
    return department


# --- 1 (a). refused when scheduled -------------------------------------------------------


def test_the_results_link_sent_now_while_the_campaign_runs_is_refused_at_the_template(
    auth, client, make, template, make_campaign
):
    _running(make_campaign)
    department = _directorate(make)
    login(client, make.user(roles=("organiser",), locale="fr"))
    asked = {"audience": "department", "department_id": str(department.id), "kind": "now"}
    tpl = template(**RESULTS)
    page = auth.post("/messaging/schedule", data={"template": tpl.id, **asked})
    assert page.status_code == 422
    error = _field_error(page.get_data(as_text=True), "template")
    assert error.startswith(
        "Ce modèle utilise results_url, le lien vers les résultats d'une campagne, qui "
        "n'existe qu'une fois la campagne terminée. Le "
    )
    assert "le message échouerait pour tout le monde" in error
    assert db.session.scalar(select(Dispatch.id).where(Dispatch.template_id == tpl.id)) is None


def test_a_recurring_message_with_the_results_link_is_refused_too(
    auth, client, make, template, make_campaign
):
    _running(make_campaign)
    department = _directorate(make)
    login(client, make.user(roles=("organiser",), locale="en"))
    page = auth.post(
        "/messaging/schedule",
        data={
            "template": template(**RESULTS).id,
            "audience": "department",
            "department_id": str(department.id),
            "kind": "cron",
            "repeat": "daily",
            "weekday": "0",
            "month_day": "1",
            "time": "09:00",
        },
    )
    assert page.status_code == 422
    assert "This template uses results_url" in _field_error(page.get_data(as_text=True), "template")


def test_the_results_link_planned_after_the_end_is_accepted(make, template, make_campaign):
    campaign = _running(make_campaign)
    make.user()
    now = utcnow()
    dispatch = services.schedule_message(
        template(**RESULTS),
        "campaign-scope",
        {"campaign_id": str(campaign.id)},
        "at",
        now,
        at=campaign.ends_at + timedelta(days=1),
    )
    assert dispatch.status == "scheduled"


# --- 1 (b). skipped with its reason when the campaign is extended past it ----------------


def test_a_results_message_is_skipped_with_its_reason_when_the_campaign_is_extended_past_it(
    client, make, template, make_campaign, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="fr")
    make.user(email_opt_in=True)
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    due = now + timedelta(days=2)
    dispatch = services.schedule_message(
        template(**RESULTS),
        "campaign-scope",
        {"campaign_id": str(campaign.id)},
        "at",
        now,
        actor=organiser,
        at=due,
    )
    db.session.commit()
    extend_campaign(campaign, organiser, now + timedelta(days=5), now)
    db.session.commit()
    jobs.deliver_due(clock=lambda: due.astimezone(UTC))
    db.session.refresh(dispatch)
    assert (dispatch.status, dispatch.context[NOT_SENT]) == ("skipped", "no_value")
    assert not any("Merci" in message["Subject"] for _to, message in smtp.messages)
    login(client, organiser)
    page = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert (
        "Non envoyé : à son heure, une variable qu'il utilise n'avait de valeur pour aucun" in page
    )


# --- 1 (c, d). never « Envoyé » when nothing was delivered; errors in words --------------


def test_a_dispatch_that_delivered_nothing_reads_failed_in_list_detail_and_api(
    client, make, template
):
    organiser = make.user(roles=("organiser",), locale="fr")
    make.user(email_opt_in=True)
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    services.prepare_dispatch(dispatch, now)
    db.session.execute(  # as the reviewer's dispatch 19 was left, before the error codes
        update(Delivery)
        .where(Delivery.dispatch_id == dispatch.id, Delivery.status == "pending")
        .values(status="failed", error="render: 'results_url' is undefined")
    )
    services.complete_if_done(dispatch, now)
    db.session.commit()
    login(client, organiser)
    detail = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert "Statut : En échec : rien n'a été remis" in detail
    assert (
        "Le message n'a pas pu être rédigé pour cette personne : la variable results_url "
        "n'avait pas de valeur pour elle." in detail
    )
    assert "is undefined" not in detail and "render:" not in detail
    listing = _words(client.get("/messaging/dispatches").get_data(as_text=True))
    assert "Hello Tout le monde" in listing and "En échec : rien n'a été remis" in listing
    assert not re.search(r"\bEnvoyé\b", listing)
    assert client.get(f"/api/v1/dispatches/{dispatch.id}").get_json()["status"] == ("failed")


def test_a_message_some_recipients_lack_a_value_for_is_partly_sent_naming_the_variable(
    client, make, template, make_campaign, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    running_here = make.department()
    make.user(department=running_here, email_opt_in=True)
    _running(make_campaign, all_departments=False, department_ids=[running_here.id])
    organiser = make.user(roles=("organiser",), locale="fr")  # no campaign in their scope
    now = utcnow()
    texts = {"body_fr": "Pour {{ campaign_name }}.", "body_en": "For {{ campaign_name }}."}
    dispatch = services.create_dispatch(template(**texts), "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    db.session.refresh(dispatch)
    assert dispatch.status == "partial"
    login(client, organiser)
    detail = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert "Statut : Envoyé en partie : des envois ont échoué" in detail
    assert "la variable campaign_name n'avait pas de valeur pour elle." in detail


# --- 3. a waiting e-mail: why, in words, and when it is tried again ----------------------


def test_a_waiting_email_says_the_server_is_unreachable_and_when_it_is_tried_again(
    client, make, template, smtp_down, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="fr")
    make.user(email_opt_in=True)
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    login(client, organiser)
    page = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert "E-mail, en attente : 1 envoi. Le serveur de messagerie est injoignable" in page
    # Its backoff (`services.retry_delay`): the second of MESSAGING_MAX_ATTEMPTS. A time
    # on the hour reads « 13 h », without minutes (one run in sixty lands there).
    attempts = client.application.config["MESSAGING_MAX_ATTEMPTS"]
    assert re.search(rf"Prochain essai [^()]+ \d+ h(?: \d\d)? \(essai 2 sur {attempts}\)\.", page)
    assert "ConnectionRefusedError" not in page and "Errno" not in page


# --- 2. the overlap said as an overlap ---------------------------------------------------


def test_a_planned_dispatch_to_more_people_is_warned_of_with_the_overlap_only(
    auth, client, make, template
):
    tpl = template()
    for _n in range(3):
        make.user(roles=("admin",))
    for _n in range(4):
        make.user()
    now = utcnow()
    planned = services.create_dispatch(tpl, "everyone", {}, now + timedelta(days=3), now)
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    page = auth.post(
        "/messaging/schedule",
        data={"template": tpl.id, "audience": "role", "role": "admin"} | {"kind": "now"},
    ).get_data(as_text=True)
    warning = _words(page.split('id="same-message-warning"', 1)[1].split("</div>", 1)[0])
    assert f"envoi n° {planned.id} ; 3 des destinataires de cet envoi le reçoivent déjà" in warning
    assert "personnes :" not in warning


# --- 4. the preview of a countdown about an ended campaign -------------------------------


def test_the_preview_of_a_countdown_about_an_ended_campaign_says_it_is_not_sent(
    auth, client, make, make_campaign
):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=8), ends_at=now - timedelta(days=1))
    login(client, make.user(roles=("organiser",), locale="fr"))
    data = template_form(
        body_fr="Il reste {{ days_left_text }} ; la campagne se termine {{ ends_when }}.",
        body_en="{{ days_left_text }} left; it ends {{ ends_when }}.",
    )
    page = auth.post(
        "/messaging/templates/preview", data=data | {"campaign_id": str(campaign.id)}, headers=HX
    ).get_data(as_text=True)
    note = _words(page.split('id="preview-campaign-ended">', 1)[1].split("</p>", 1)[0])
    assert note.startswith("La campagne « Nettoyage » est terminée : ce message compte les jours")
    assert note.endswith(
        "Un tel message à son sujet n'est pas envoyé : sa programmation est refusée."
    )
