"""Messaging: the same message warned of by who receives it (not the
audience picked), every earlier send listed, the schedule form's empty first template,
e-mail and inbox counts before sending, planned sends on a template's edit page, small
groups' counts hidden, deleted messages in the data download, failed e-mails logged and
retried, a test's language, the nearest known variable."""

import logging
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from app.auth.models import User
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Delivery, Dispatch, MessageTemplate
from app.messaging.rendering import check_source
from tests.conftest import csrf_token, login
from tests.messaging.conftest import coming, free_port
from tests.messaging.test_same_message_twice import _confirmation, _to_admins, _warning, _yes
from tests.messaging.test_services import TUESDAY, _dispatch_to_everyone


def _sent(template, audience, params, days_ago):
    """A dispatch of `template` sent `days_ago` days ago; its id."""
    due = (utcnow() - timedelta(days=days_ago)).replace(microsecond=0)
    dispatch = services.create_dispatch(template, audience, params, due, due)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: due)
    return dispatch.id


# --- 1. the same message, by who receives it ---------------------------------------------


def test_a_template_sent_to_a_role_is_warned_of_when_sent_to_everyone(auth, client, make, template):
    fields = _to_admins(client, make, template)
    tpl = db.session.get(MessageTemplate, fields["template"])
    earlier = _sent(tpl, "role", {"role": "admin"}, days_ago=3)
    warning = _warning(_confirmation(auth, template=tpl.id, audience="everyone", kind="now"))
    everyone = services.audience_size("everyone", {}, utcnow())
    assert f"[/messaging/dispatches/{earlier}]" in (warning or "") and (
        f"3 des {everyone} destinataires l'ont déjà reçu." in warning
    )


# --- 2. every earlier send ---------------------------------------------------------------


def test_every_earlier_send_of_the_window_is_listed(auth, client, make, template):
    fields = _to_admins(client, make, template)
    tpl = db.session.get(MessageTemplate, fields["template"])
    ids = [_sent(tpl, "role", {"role": "admin"}, days_ago=days) for days in (20, 10, 2)]
    warning = _warning(_confirmation(auth, **fields, kind="now")) or ""
    assert [f"[/messaging/dispatches/{i}]" in warning for i in ids] == [True, True, True]


# --- 4. no template chosen in advance ----------------------------------------------------


def test_the_schedule_form_opens_on_an_empty_template_choice(auth, client, make, template):
    template()
    login(client, make.user(roles=("organiser",)))
    page = client.get("/messaging/schedule").get_data(as_text=True)
    select_ = page.split('name="template"', 1)[1].split("</select>", 1)[0]
    first = select_.split("<option", 2)[1]
    assert 'value=""' in first and "selected" in first and "Choisissez un modèle" in first


def test_a_schedule_without_a_template_is_refused_at_the_field(auth, client, make, template):
    template()
    login(client, make.user(roles=("organiser",)))
    response = auth.post(
        "/messaging/schedule", data={"template": "", "audience": "everyone", "kind": "now"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choisissez le modèle à envoyer." in page


# --- 5. by e-mail or in the inbox only ---------------------------------------------------


def test_the_confirmation_says_who_gets_an_email_and_who_the_inbox_only(
    auth, client, make, template
):
    fields = _to_admins(client, make, template)  # three admins, none consented yet
    make.user(roles=("admin",), email_opt_in=True)
    page = _confirmation(auth, **fields, kind="now")
    words = page.split('id="schedule-channels">', 1)[1].split("</p>", 1)[0]
    assert words == (
        "1 par e-mail et dans sa boîte de réception, "
        "3 dans leur boîte de réception seulement (sans consentement aux e-mails)."
    )


# --- 7. a small group's figures withheld -------------------------------------------------


def _read_by_its_one_recipient(client, make, template):
    """A message to the one holder of the agent role, read by them; the organiser
    signed in. The dispatch's id."""
    reader = make.user(roles=("agent",), email_opt_in=True)
    tpl = template()
    dispatch_id = _sent(tpl, "role", {"role": "agent"}, days_ago=1)
    delivery = db.session.scalar(
        select(Delivery).where(Delivery.user_id == reader.id, Delivery.channel == "inbox")
    )
    services.mark_read(reader, delivery.id, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    return dispatch_id


def test_whether_one_person_read_it_is_not_shown_on_the_dispatch_page(
    client, make, template, config
):
    config(LEADERBOARD_MIN_TEAM=3)
    dispatch_id = _read_by_its_one_recipient(client, make, template)
    page = client.get(f"/messaging/dispatches/{dispatch_id}").get_data(as_text=True)
    assert "Ouverts dans le portail\u00a0: non affiché (moins de 3 destinataires)" in page and (
        "Envoyé à moins de 3 personnes" in page
    )


def test_whether_one_person_read_it_is_null_in_the_api(client, make, template, config):
    config(LEADERBOARD_MIN_TEAM=3)
    dispatch_id = _read_by_its_one_recipient(client, make, template)
    body = client.get(f"/api/v1/dispatches/{dispatch_id}").get_json()
    assert (body["opened"], body["channels"]["email"], body["fewer_than"]) == (
        None,
        {"delivered": None, "pending": None, "skipped": None, "failed": None},
        3,
    )


# --- 8. deleted messages in the data download --------------------------------------------


def test_a_message_i_deleted_is_in_my_data_download_marked_deleted(client, make, template):
    me = make.user()
    _sent(template(), "everyone", {}, days_ago=1)
    login(client, me)
    message = db.session.scalar(
        select(Delivery).where(Delivery.user_id == me.id, Delivery.channel == "inbox")
    )
    client.post(f"/messaging/inbox/{message.id}/delete", data={"csrf_token": csrf_token(client)})
    exported = client.get("/auth/profile/export").get_json(force=True)["messages"]
    inbox = [m for m in exported if m["channel"] == "inbox"]
    assert [(m["deleted"], m["deleted_at"] is not None, m["read_at"]) for m in inbox] == [
        (True, True, None)
    ]


# --- 9. failed e-mails logged, and sent again --------------------------------------------


def _given_up(make, template, config):
    """One e-mail given up after its single attempt (nothing listens on the SMTP port);
    its dispatch."""
    config(MESSAGING_MAX_ATTEMPTS=1)
    make.user(email="yes@example.org", email_opt_in=True)
    dispatch = _dispatch_to_everyone(template(), TUESDAY)
    jobs.run_dispatch(dispatch.id, clock=lambda: TUESDAY)
    return dispatch


def test_emails_given_up_are_logged_without_their_address(
    make, template, config, smtp_down, caplog
):
    caplog.set_level(logging.WARNING, logger="empreinte.messaging")
    dispatch = _given_up(make, template, config)
    logged = [(r.levelname, r.getMessage()) for r in caplog.records]
    levels = sorted({level for level, _message in logged})
    assert levels == ["ERROR", "WARNING"] and all(
        f"dispatch {dispatch.id}" in message and "@" not in message for _l, message in logged
    )


def test_retry_failed_sends_the_given_up_emails_again(make, template, config, smtp, app):
    saved = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # down for the first run
    dispatch = _given_up(make, template, config)
    app.config["MAIL_PORT"] = saved
    result = app.test_cli_runner().invoke(
        args=["messaging", "retry-failed", "--dispatch", str(dispatch.id)]
    )
    jobs.deliver_due(clock=lambda: TUESDAY + timedelta(minutes=5))
    assert (result.output, smtp.recipients()) == (
        "1 failed e-mail put back to be sent.\n",
        ["yes@example.org"],
    )


def test_retry_failed_leaves_out_people_who_withdrew_consent(make, template, config, smtp_down):
    dispatch = _given_up(make, template, config)
    person = db.session.scalar(select(User).where(User.email == "yes@example.org"))
    person.email_opt_in = False
    db.session.commit()
    assert services.retry_failed_emails(utcnow(), dispatch.id) == 0


# --- 10. a test's language; the nearest known variable -----------------------------------


def test_the_test_confirmation_says_which_language_version_went(auth, client, make, template, smtp):
    organiser = make.user(roles=("organiser",), locale="fr", email="me@example.org")
    tpl = template()
    login(client, organiser)
    response = auth.post(f"/messaging/templates/{tpl.id}/test", data={"language": "en"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Message de test envoyé à me@example.org et dans votre boîte de réception "
        "(la version anglaise)." in page
    )


def test_an_unknown_variable_suggests_the_nearest_known_one(app):
    with app.test_request_context(), force_locale("fr"):
        problems = check_source("body_fr", "Vous avez {{ point }} points.")
    assert [p.reason for p in problems] == [
        "Variable inconnue «\u00a0point\u00a0»\u00a0: vouliez-vous dire «\u00a0points\u00a0»\u00a0?"
    ]


# --- 6. the template's edit page lists the sends it will make ----------------------------


def test_the_template_page_lists_the_sends_to_come_that_take_its_text(auth, client, make, template):
    fields = _to_admins(client, make, template)
    page = _confirmation(auth, **fields, kind="at", at=coming(1, 5))
    _yes(auth, page)
    dispatch = db.session.scalar(select(Dispatch))
    editor = client.get(f"/messaging/templates/{fields['template']}").get_data(as_text=True)
    notice = editor.split('id="planned-sends">', 1)[1].split("</div>", 1)[0]
    assert "Des envois à venir utilisent ce modèle" in notice and (
        f'<a href="/messaging/dispatches/{dispatch.id}">Envoi n°\u00a0{dispatch.id}</a>, le '
        in notice
    )


def test_the_schedulers_log_lines_say_their_level(make, template, config, smtp_down, caplog):
    """`grep ERROR` in the scheduler's log finds the e-mails given up (README)."""
    from app.messaging.scheduler import LOG_FORMAT

    caplog.set_level(logging.WARNING, logger="empreinte.messaging")
    caplog.handler.setFormatter(logging.Formatter(LOG_FORMAT))
    dispatch = _given_up(make, template, config)
    errors = [line for line in caplog.text.splitlines() if " ERROR " in line]
    assert errors and all(" ERROR empreinte.messaging " in line for line in errors)
    assert any(f"dispatch {dispatch.id}" in line for line in errors)


def test_retry_failed_counts_in_plain_english(make, template, config, smtp_down, app):
    make.user(email="also@example.org", email_opt_in=True)
    dispatch = _given_up(make, template, config)  # two e-mails given up
    runner = app.test_cli_runner()
    two = runner.invoke(args=["messaging", "retry-failed", "--dispatch", str(dispatch.id)])
    none = runner.invoke(args=["messaging", "retry-failed", "--dispatch", str(dispatch.id)])
    assert (two.output, none.output) == (
        "2 failed e-mails put back to be sent.\n",
        "0 failed e-mails put back to be sent.\n",
    )


def test_a_small_groups_failed_email_names_nobody_on_the_dispatch_page(
    client, make, template, config
):
    """A failed e-mail names someone who accepted e-mails: hidden with the e-mail figures."""
    config(LEADERBOARD_MIN_TEAM=3)
    dispatch = _given_up(make, template, config)
    login(client, make.user(roles=("organiser",)))
    page = client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True)
    assert "yes@example.org" not in page
    config(LEADERBOARD_MIN_TEAM=1)
    page = client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True)
    # A group large enough: the failure is counted, its address still not shown.
    assert "E-mail, en échec\u00a0: 1 envoi." in page and "yes@example.org" not in page
