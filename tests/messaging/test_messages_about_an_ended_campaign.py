"""A message about a campaign that has ended: a recurring one went every day after the end
(« Paul, 0 jour pour … », « … et se termine . »), and the form offered no warning. Now the
form refuses it at the campaign (a crafted « yes » too); a recurring message about a
campaign that ends later (or is closed early) ends with it: its job leaves the real job
store, a run left over is skipped with its reason on the dispatch's page, and the list
shows it ended. A one-off counting down to the end is refused after the end, and skipped
if the campaign closes before it goes; a one-off that does not count down (the results)
still goes."""

import html
import re
from datetime import UTC, timedelta

from sqlalchemy import func, select

from app.cleanup.services import close_campaign_now
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging import scheduler as messaging_scheduler
from app.messaging.models import NOT_SENT, Dispatch, Schedule
from tests.conftest import login

COUNTDOWN = {
    "subject_fr": "{{ first_name }}, {{ days_left_text }} pour {{ campaign_name }}",
    "body_fr": "La campagne se termine {{ ends_when }}.\n\n{{ unsubscribe_url }}",
    "subject_en": "{{ first_name }}, {{ days_left_text }} for {{ campaign_name }}",
    "body_en": "The campaign ends {{ ends_when }}.\n\n{{ unsubscribe_url }}",
}
THANKS = {
    "subject_fr": "Merci pour {{ campaign_name }}",
    "body_fr": "Les résultats : {{ campaign_url }}\n\n{{ unsubscribe_url }}",
    "subject_en": "Thank you for {{ campaign_name }}",
    "body_en": "The results: {{ campaign_url }}\n\n{{ unsubscribe_url }}",
}


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _field_error(page: str, name: str) -> str:
    return _words(page.split(f'id="{name}-error">', 1)[1].split("</p>", 1)[0])


def _ended(make_campaign):
    """A campaign that ran last week and ended yesterday."""
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=8), ends_at=now - timedelta(days=1))


def _running(make_campaign, days_left: int = 10):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=days_left))


def _daily_form(template, campaign, **extra) -> dict:
    return {
        "template": template.id,
        "audience": "campaign-non-participants",
        "campaign_id": str(campaign.id),
        "kind": "cron",
        "repeat": "daily",
        "weekday": "0",
        "month_day": "1",
        "time": "23:40",
        **extra,
    }


# --- the form ---------------------------------------------------------------------------


def test_a_recurring_message_about_an_ended_campaign_is_refused_at_the_campaign(
    auth, client, make, template, make_campaign
):
    campaign = _ended(make_campaign)
    make.user()
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = auth.post("/messaging/schedule", data=_daily_form(template(**COUNTDOWN), campaign))
    assert page.status_code == 422
    error = _field_error(page.get_data(as_text=True), "campaign_id")
    assert error.startswith("La campagne « Nettoyage » s'est terminée le ")
    assert error.endswith(
        ": un message récurrent à son sujet continuerait après sa fin. "
        "Choisissez une campagne qui n'est pas terminée."
    )
    assert db.session.scalar(select(func.count()).select_from(Schedule)) == 0


def test_a_crafted_yes_about_an_ended_campaign_is_refused_too(
    auth, client, make, template, make_campaign
):
    campaign = _ended(make_campaign)
    make.user()
    login(client, make.user(roles=("organiser",), locale="en"))
    page = auth.post(
        "/messaging/schedule",
        data=_daily_form(template(**COUNTDOWN), campaign, confirm="yes", once="x" * 20),
    )
    assert page.status_code == 422
    assert "Clean-up ended on " in _field_error(page.get_data(as_text=True), "campaign_id")
    assert db.session.scalar(select(func.count()).select_from(Schedule)) == 0


def test_a_one_off_counting_down_after_the_end_is_refused_and_the_results_are_not(
    auth, client, make, template, make_campaign
):
    campaign = _running(make_campaign, days_left=2)
    make.user()
    login(client, make.user(roles=("organiser",), locale="en"))
    after_end = (utcnow() + timedelta(days=4)).astimezone(local_zone()).strftime("%Y-%m-%dT09:00")
    asked = {
        "audience": "campaign-scope",
        "campaign_id": str(campaign.id),
        "kind": "at",
        "at": after_end,
    }
    page = auth.post("/messaging/schedule", data={"template": template(**COUNTDOWN).id, **asked})
    assert page.status_code == 422
    error = _field_error(page.get_data(as_text=True), "campaign_id")
    assert error.startswith("Clean-up has ended by then (on ")
    assert "it would say 0 days left and no end" in error
    thanks = template(key="thanks", **THANKS)
    assert (
        auth.post("/messaging/schedule", data={"template": thanks.id, **asked}).status_code == 200
    )


# --- the scheduler ----------------------------------------------------------------------


def _stored_job(app, schedule_id):
    """The schedule's job in the real job store, once the scheduler has synced it."""
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False)
    scheduler.start(paused=True)  # the real job store; nothing runs on its own
    try:
        messaging_scheduler.sync_schedules(scheduler)
        return scheduler.get_job(f"{messaging_scheduler.SCHEDULE_JOB_PREFIX}{schedule_id}")
    finally:
        scheduler.shutdown(wait=True)


def test_a_recurring_message_ends_with_its_campaign_closed_early(
    app, auth, client, make, template, make_campaign, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="en")
    make.user(email="paul@example.org", display_name="Paul", email_opt_in=True)
    campaign = _running(make_campaign)
    now = utcnow()
    schedule = services.schedule_message(
        template(**COUNTDOWN),
        "campaign-non-participants",
        {"campaign_id": str(campaign.id)},
        "cron",
        now,
        actor=organiser,
        cron="40 23 * * *",
    )
    db.session.commit()
    assert _stored_job(app, schedule.id) is not None

    close_campaign_now(campaign, organiser, now)
    db.session.commit()
    # Synced, its job leaves the store: nothing fires any more.
    assert _stored_job(app, schedule.id) is None
    # A run left over (not yet synced) sends nothing, and says why on its dispatch's page.
    later = now + timedelta(hours=1)
    jobs.run_schedule(schedule.id, clock=lambda: later)
    jobs.run_schedule(schedule.id, clock=lambda: later + timedelta(days=1))
    dispatches = db.session.scalars(select(Dispatch).where(Dispatch.schedule_id == schedule.id))
    dispatch = dispatches.one()  # the second run left nothing more to read
    assert dispatch.status == "skipped" and dispatch.context[NOT_SENT] == "campaign_ended"
    assert smtp.messages == []
    login(client, organiser)
    page = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert "Not sent: the campaign it is about had ended." in page
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    ended = _words(listing.split("<h3>Ended messages</h3>", 1)[1].split("</table>", 1)[0])
    assert "Ended with its campaign, on " in ended and "Stop" not in ended


def test_a_one_off_counting_down_is_skipped_when_its_campaign_closed_first(
    make, template, make_campaign, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",))
    make.user(email_opt_in=True)
    campaign = _running(make_campaign)
    now = utcnow()
    params = {"campaign_id": str(campaign.id)}
    due = now + timedelta(days=2)
    countdown = services.schedule_message(
        template(**COUNTDOWN), "campaign-scope", params, "at", now, actor=organiser, at=due
    )
    thanks = services.schedule_message(
        template(key="thanks", **THANKS), "campaign-scope", params, "at", now, at=due
    )
    db.session.commit()
    close_campaign_now(campaign, organiser, now + timedelta(days=1))
    db.session.commit()
    jobs.deliver_due(clock=lambda: due.astimezone(UTC))
    db.session.refresh(countdown)
    db.session.refresh(thanks)
    assert countdown.status == "skipped" and countdown.context[NOT_SENT] == "campaign_ended"
    assert thanks.status == "done"
    subjects = [message["Subject"] for _to, message in smtp.messages]
    assert "Merci pour Nettoyage" in subjects
    assert not any("pour Nettoyage" in subject and "Merci" not in subject for subject in subjects)
