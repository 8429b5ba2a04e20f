"""A browser review's findings: the unsubscribe page (already unsubscribed, the person's
language, what stops and what does not), built-in campaign messages sent by hand at a
moment their words do not fit, and e-mails waiting for the working hours."""

import html
import re
from datetime import UTC, datetime, timedelta

from babel.dates import format_date
from sqlalchemy import select

from app.auth.models import User
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.audiences import unsubscribe_token
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.models import Delivery, Dispatch
from app.messaging.routes import UNDO_RECEIPT_KEY
from tests.auth.test_sign_in_link import ask_for_link
from tests.conftest import csrf_token, login

FRIDAY_EVENING = datetime(2026, 12, 4, 19, 30, tzinfo=UTC)  # 20:30 in Paris


def _text(response) -> str:
    """The page's words, tags left out and spaces made plain."""
    words = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"\s+", " ", words.replace("\u00a0", " ").replace("\u202f", " "))


def _unsubscribe_url(user) -> str:
    return f"/messaging/unsubscribe/{unsubscribe_token(user.id)}"


# --- the unsubscribe page ------------------------------------------------------------------


def test_someone_already_unsubscribed_is_told_so_and_how_to_turn_emails_back_on(client, make):
    person = make.user(email_opt_in=False, locale="fr")
    page = client.get(_unsubscribe_url(person))
    words = _text(page)
    assert "Votre désabonnement est déjà enregistré" in words
    assert "Se désabonner des e-mails" not in words  # no button doing nothing
    assert 'href="/auth/profile#prefs-title"' in page.get_data(as_text=True)
    assert "réactivez les e-mails dans les préférences de votre profil" in words


def test_the_unsubscribe_page_speaks_the_persons_saved_language_not_the_browsers(client, make):
    english = make.user(email_opt_in=True, locale="en")
    page = client.get(_unsubscribe_url(english), headers={"Accept-Language": "fr"})
    assert "Unsubscribe from e-mails" in _text(page)
    assert '<html lang="en">' in page.get_data(as_text=True)
    done = client.post(
        _unsubscribe_url(english),
        data={"List-Unsubscribe": "One-Click"},
        headers={"Accept-Language": "fr"},
    )
    assert "Done: Empreinte will no longer send you" in _text(done)


def test_with_no_saved_language_the_unsubscribe_page_speaks_the_emails_default_one(client, make):
    """Their e-mails go in the default language (French): the page they lead to too, not
    in the browser's."""
    person = make.user(email_opt_in=True, locale=None)
    page = client.get(_unsubscribe_url(person), headers={"Accept-Language": "en-GB"})
    assert "Se désabonner des e-mails" in _text(page)
    assert '<html lang="fr">' in page.get_data(as_text=True)


def test_a_language_chosen_on_this_browser_still_wins_on_the_unsubscribe_page(client, make):
    person = make.user(email_opt_in=True, locale=None)
    page = client.get(_unsubscribe_url(person) + "?lang=en", headers={"Accept-Language": "fr"})
    assert "Unsubscribe from e-mails" in _text(page)


def test_after_unsubscribing_sign_in_links_still_come_as_the_page_says(
    client, make, template, smtp, config
):
    """The page used to promise « vous ne recevrez plus d'e-mails d'Empreinte »: a sign-in
    link asked for afterwards still comes, and the page must say so; news stops."""
    config(MAIL_WORKING_HOURS="24/7")
    person = make.user(email="lea@example.org", email_opt_in=True, locale="fr")
    done = client.post(
        _unsubscribe_url(person), data={"csrf_token": csrf_token(client)}, follow_redirects=True
    )
    words = _text(done)
    assert "C'est fait : Empreinte ne vous enverra plus de messages ni de nouvelles" in words
    assert "les liens de connexion, vous parviennent toujours" in words
    # Its one way back while it can be undone here (the profile's preferences otherwise).
    assert "Annuler : continuer à recevoir les e-mails" in words
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    assert "lea@example.org" not in smtp.recipients()  # no more news by e-mail
    ask_for_link(client, "lea@example.org")
    assert smtp.recipients() == ["lea@example.org"]  # the link asked for still comes


# --- built-in campaign messages at the wrong moment ------------------------------------------


def _confirmation(auth, client, make, key, **when):
    """The confirmation page for the built-in `key`, sent to everyone now (or `when`)."""
    ensure_builtin_templates()
    db.session.commit()
    template = services.template_by_key(key)
    login(client, make.user(roles=("organiser",), locale="fr"))
    data = {"template": template.id, "audience": "everyone", "kind": "now", **when}
    response = auth.post("/messaging/schedule", data=data)
    assert 'id="schedule-confirm"' in response.get_data(as_text=True)
    return response


def test_the_one_week_reminder_sent_17_days_before_the_end_is_flagged(
    auth, client, make, make_campaign
):
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=17, hours=-1))
    words = _text(_confirmation(auth, client, make, "campaign-reminder"))
    assert "Il annonce qu'il reste une semaine, mais le " in words
    # Calendar days in Paris: 16 or 17 depending on the hour the test runs.
    assert re.search(r"la campagne « Nettoyage » se termine dans 1[67] jours, le ", words)
    assert "Vous pouvez tout de même l'envoyer" in words


def test_the_one_week_reminder_a_week_before_the_end_is_not_flagged(
    auth, client, make, make_campaign
):
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=27))
    at = (now + timedelta(days=20)).astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")
    page = _confirmation(auth, client, make, "campaign-reminder", kind="at", at=at)
    assert 'id="timing-warning"' not in page.get_data(as_text=True)


def test_the_last_48_hours_sent_17_days_before_the_end_is_flagged(
    auth, client, make, make_campaign
):
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=17, hours=-1))
    words = _text(_confirmation(auth, client, make, "campaign-last-48h"))
    assert "Il annonce les dernières 48 heures, mais le " in words
    assert re.search(r"se termine dans 1[67] jours, le ", words)


def test_the_launch_sent_days_after_the_start_is_flagged(auth, client, make, make_campaign):
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=5), ends_at=now + timedelta(days=10))
    words = _text(_confirmation(auth, client, make, "campaign-launch"))
    assert "Il annonce que la campagne commence maintenant, mais le " in words
    assert "la campagne « Nettoyage » est en cours depuis plus d'un jour." in words


def test_the_results_sent_while_the_campaign_runs_are_flagged(auth, client, make, make_campaign):
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=5), ends_at=now + timedelta(days=3, hours=-1))
    words = _text(_confirmation(auth, client, make, "campaign-results"))
    assert re.search(
        r"« Nettoyage » est toujours en cours : elle se termine dans [23] jours, le ", words
    )


def test_the_results_sent_minutes_before_the_end_say_so_not_one_day(
    auth, client, make, make_campaign
):
    """Whole days rounded up said "it ends in 1 day" seven minutes before the end."""
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=5), ends_at=now + timedelta(minutes=7))
    words = _text(_confirmation(auth, client, make, "campaign-results"))
    assert "est toujours en cours : elle se termine dans moins d'une heure, à " in words


def test_a_flagged_reminder_can_still_be_sent(auth, client, make, make_campaign):
    """A warning, not a refusal: the organiser confirms and the message goes."""
    now = utcnow()
    make_campaign(starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=17))
    page = _confirmation(auth, client, make, "campaign-reminder").get_data(as_text=True)
    form = page.split('id="schedule-confirm"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    auth.post("/messaging/schedule", data={**fields, "confirm": "yes"})
    assert db.session.scalar(select(Dispatch)) is not None


# --- e-mails waiting for the working hours -----------------------------------------------


def test_emails_wait_from_friday_evening_until_monday_8_am(config):
    config(MAIL_WORKING_HOURS="Mo-Fr 08:00-19:00")
    assert services.email_paused_until(FRIDAY_EVENING) == datetime(2026, 12, 7, 7, tzinfo=UTC)
    assert services.email_paused_until(datetime(2026, 12, 7, 9, tzinfo=UTC)) is None


def test_a_dispatch_page_says_waiting_emails_go_out_at_the_next_working_hours(
    client, make, template, smtp, config
):
    """Outside the working hours (today is not one of them), the page says why e-mails
    wait and when they go out: tomorrow at 8 h."""
    tomorrow = (utcnow().astimezone(local_zone()) + timedelta(days=1)).date()
    config(
        MAIL_WORKING_HOURS=f"{('Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su')[tomorrow.weekday()]} 08:00-19:00"
    )
    make.user(email="waits@example.org", email_opt_in=True)
    now = utcnow()
    dispatch = services.create_dispatch(template(), "everyone", {}, now, now)
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    assert smtp.recipients() == []
    login(client, make.user(roles=("organiser",), locale="fr"))
    words = _text(client.get(f"/messaging/dispatches/{dispatch.id}"))
    day = format_date(tomorrow, "full", locale="fr")
    assert (
        f"En attente des heures d'envoi (droit à la déconnexion) : prochain envoi {day} à 8 h."
        in words
    )


def test_a_dispatch_page_within_working_hours_says_nothing_of_them(client, make, template, config):
    config(MAIL_WORKING_HOURS="24/7")
    now = utcnow()
    make.user(email_opt_in=True)
    dispatch = services.create_dispatch(template(), "everyone", {}, now + timedelta(hours=1), now)
    db.session.commit()
    db.session.add(
        Delivery(
            dispatch_id=dispatch.id,
            user_id=db.session.scalar(select(User.id)),
            channel="email",
            status="pending",
        )
    )
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="fr"))
    assert "droit à la déconnexion" not in _text(client.get(f"/messaging/dispatches/{dispatch.id}"))


# --- undoing an unsubscribe made by mistake --------------------------------------------------


def _unsubscribe(client, person) -> str:
    """Unsubscribe from the link's page; the receipt this browser keeps to undo it."""
    client.post(
        _unsubscribe_url(person), data={"csrf_token": csrf_token(client)}, follow_redirects=True
    )
    with client.session_transaction() as session:
        return session.get(UNDO_RECEIPT_KEY, "")


def _undo(client, person, receipt=""):
    """Undo, and the page the browser is sent to (the state then)."""
    return client.post(
        f"{_unsubscribe_url(person)}/undo",
        data={"csrf_token": csrf_token(client), "receipt": receipt},
        follow_redirects=True,
    )


def _kept(answer) -> bool:
    """The page says the unsubscribe stays (the undo changed nothing)."""
    return answer.status_code == 200 and "Désabonnement maintenu" in _text(answer)


def test_an_unsubscribe_by_mistake_is_undone_from_the_page_that_confirmed_it(client, make):
    person = make.user(email_opt_in=True, locale="fr")
    receipt = _unsubscribe(client, person)
    assert receipt
    answer = _undo(client, person, receipt)
    assert answer.status_code == 200
    assert "votre abonnement aux e-mails est rétabli" in _text(answer)
    assert db.session.get(User, person.id).email_opt_in is True


def test_after_half_an_hour_the_receipt_no_longer_gives_consent_back(app, client, make):
    person = make.user(email_opt_in=True, locale="fr")
    receipt = _unsubscribe(client, person)
    person = db.session.get(User, person.id)
    later = person.email_opt_in_changed_at.replace(tzinfo=UTC) + timedelta(minutes=31)
    assert services.undo_unsubscribe(person, receipt, later) is False
    assert db.session.get(User, person.id).email_opt_in is False


def test_consent_withdrawn_in_the_profile_is_never_given_back_by_a_link(client, make):
    """An old e-mail's link (forwarded, say) offered "Undo" to whoever held it, and turned
    back on e-mails the person had turned off in their profile."""
    person = make.user(email_opt_in=False, locale="fr")
    person.email_opt_in_changed_at = utcnow()
    db.session.commit()
    page = client.get(_unsubscribe_url(person))
    assert "Annuler : continuer" not in _text(page)
    answer = _undo(client, person)
    assert _kept(answer) and "dans les 30 minutes qui suivent" in _text(answer)
    assert db.session.get(User, person.id).email_opt_in is False


def test_an_erased_account_is_never_subscribed_again(client, make):
    person = make.user(email_opt_in=True, locale="fr")
    receipt = _unsubscribe(client, person)
    person = db.session.get(User, person.id)
    person.anonymised_at = utcnow()
    db.session.commit()
    # The link of an account since erased reads as a link not valid (review of 6 December).
    answer = _undo(client, person, receipt)
    assert answer.status_code == 404 and "Lien de désabonnement non valide" in _text(answer)
    assert db.session.get(User, person.id).email_opt_in is False


def test_a_receipt_for_another_person_changes_nothing(app, client, make):
    mine = make.user(email_opt_in=True)
    theirs = make.user(email_opt_in=True)
    receipt = _unsubscribe(client, mine)
    _unsubscribe(app.test_client(), theirs)
    assert _kept(_undo(client, theirs, receipt))
    assert db.session.get(User, theirs.id).email_opt_in is False


def test_undoing_needs_the_form_s_csrf_token(client, make):
    person = make.user(email_opt_in=True)
    receipt = _unsubscribe(client, person)
    answer = client.post(f"{_unsubscribe_url(person)}/undo", data={"receipt": receipt})
    assert answer.status_code == 400
    assert db.session.get(User, person.id).email_opt_in is False


def test_the_warning_judges_the_campaign_the_audience_names_not_another_running(
    auth, client, make, make_campaign
):
    """With two campaigns running, the results of the one just ended were said to clash
    with the other, still running: the check read the recipient's default campaign."""
    now = utcnow()
    make_campaign(
        name_fr="Long", starts_at=now - timedelta(days=5), ends_at=now + timedelta(days=9)
    )
    ended = make_campaign(
        name_fr="Mini défi", starts_at=now - timedelta(hours=2), ends_at=now - timedelta(minutes=3)
    )
    ensure_builtin_templates()
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="fr"))
    data = {"template": services.template_by_key("campaign-results").id,
            "audience": "campaign-scope", "campaign_id": ended.id, "kind": "now"}  # fmt: skip
    page = auth.post("/messaging/schedule", data=data).get_data(as_text=True)
    assert 'id="schedule-confirm"' in page
    assert 'id="timing-warning"' not in page
