"""« Pas encore participé » planned, before its audience was refused, for a campaign's whole
scope (where those who took part would read « Il est encore temps de nous rejoindre »): the
dispatcher never sends it. A one-off is skipped when due, its reason on its page and in the
list; a recurring one leaves the real job store, a run left over is skipped once, and the
list of recurring messages says it will not be sent."""

import html
import re
from datetime import UTC, timedelta

from sqlalchemy import select

from app.cleanup import services as cleanup_services
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging import scheduler as messaging_scheduler
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.models import NOT_SENT, Delivery, Dispatch, Schedule
from tests.conftest import login


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _setting(make, make_campaign, config, locale="en"):
    """A running campaign with one participant and one person who has not taken part (both
    accepting e-mails), the nudge built in; its organiser."""
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale=locale)
    now = utcnow()
    campaign = make_campaign(
        organiser=organiser, starts_at=now - timedelta(days=4), ends_at=now + timedelta(days=10)
    )
    cleanup_services.log_action(
        make.user(email_opt_in=True), campaign, "unsubscribe", 1, now - timedelta(days=1)
    )
    make.user(email_opt_in=True)
    ensure_builtin_templates()
    db.session.commit()
    return organiser, campaign


def _planned_before_the_rule(organiser, campaign, due, audience="campaign-scope") -> Dispatch:
    """The nudge to `audience`, as a dispatch saved before the schedule form refused it."""
    dispatch = services.create_dispatch(
        services.template_by_key("campaign-not-participated"),
        audience,
        {"campaign_id": str(campaign.id)},
        due,
        utcnow(),
        actor=organiser,
    )
    db.session.commit()
    return dispatch


def _nudges(smtp) -> list:
    """The e-mails of the nudge (the campaign's own launch message goes too)."""
    return [m for _to, m in smtp.messages if "encore temps de nous rejoindre" in m["Subject"]]


def _old_recurring(organiser, campaign) -> Schedule:
    """A daily nudge to the whole scope, saved before the refusal existed."""
    schedule = Schedule(
        template_id=services.template_by_key("campaign-not-participated").id,
        audience_key="campaign-scope",
        audience_params={"campaign_id": str(campaign.id)},
        kind="cron",
        cron="0 9 * * *",
        created_by_id=organiser.id,
    )
    db.session.add(schedule)
    db.session.commit()
    return schedule


def test_a_one_off_nudge_to_the_whole_scope_is_skipped_when_due(make, make_campaign, smtp, config):
    organiser, campaign = _setting(make, make_campaign, config)
    due = utcnow() + timedelta(hours=2)
    dispatch = _planned_before_the_rule(organiser, campaign, due)

    jobs.deliver_due(clock=lambda: due.astimezone(UTC))

    db.session.refresh(dispatch)
    assert dispatch.status == "skipped"
    assert dispatch.context[NOT_SENT] == "wrong_audience"
    assert _nudges(smtp) == []
    assert (
        db.session.scalars(select(Delivery).where(Delivery.dispatch_id == dispatch.id)).all() == []
    )


def test_the_skipped_nudge_says_why_on_its_page_and_in_the_list(
    client, make, make_campaign, smtp, config
):
    organiser, campaign = _setting(make, make_campaign, config)
    due = utcnow() + timedelta(hours=2)
    dispatch = _planned_before_the_rule(organiser, campaign, due)
    jobs.deliver_due(clock=lambda: due.astimezone(UTC))
    login(client, organiser)

    page = client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True)
    reason = _words(page.split('id="not-sent">', 1)[1].split("</p>", 1)[0])
    assert reason.startswith(
        "Not sent: this message tells each reader they have not taken part in the campaign "
        "yet, so it goes only to staff in scope who have not taken part;"
    )
    listing = _words(client.get("/messaging/dispatches").get_data(as_text=True))
    assert "Sent and cancelled" in listing and "Not sent" in listing.split("Sent and cancelled")[-1]


def test_the_skipped_nudge_says_why_in_french(client, make, make_campaign, smtp, config):
    organiser, campaign = _setting(make, make_campaign, config, locale="fr")
    due = utcnow() + timedelta(hours=2)
    dispatch = _planned_before_the_rule(organiser, campaign, due)
    jobs.deliver_due(clock=lambda: due.astimezone(UTC))
    login(client, organiser)

    page = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert "Non envoyé : ce message dit à chaque destinataire qu'il n'a pas encore participé" in (
        page
    )


def test_a_nudge_still_to_come_already_says_it_will_not_be_sent(
    client, make, make_campaign, smtp, config
):
    organiser, campaign = _setting(make, make_campaign, config)
    dispatch = _planned_before_the_rule(organiser, campaign, utcnow() + timedelta(days=2))
    login(client, organiser)

    page = client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True)
    assert _words(page.split('id="not-sent">', 1)[1].split("</p>", 1)[0]).startswith(
        "Will not be sent: this message tells each reader they have not taken part"
    )
    listing = _words(client.get("/messaging/dispatches").get_data(as_text=True))
    upcoming = listing.split("Upcoming and in progress")[-1].split("Sent and cancelled")[0]
    assert "Will not be sent" in upcoming


def test_the_nudge_to_those_who_have_not_taken_part_still_goes(make, make_campaign, smtp, config):
    organiser, campaign = _setting(make, make_campaign, config)
    due = utcnow() + timedelta(hours=2)
    dispatch = _planned_before_the_rule(organiser, campaign, due, "campaign-non-participants")

    jobs.deliver_due(clock=lambda: due.astimezone(UTC))

    db.session.refresh(dispatch)
    assert dispatch.status == "done"
    assert len(_nudges(smtp)) == 1  # the one who has not taken part, not the participant


def _stored_job(app, schedule_id):
    """The schedule's job in the real job store, once the scheduler has synced it."""
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False)
    scheduler.start(paused=True)  # the real job store; nothing runs on its own
    try:
        messaging_scheduler.sync_schedules(scheduler)
        return scheduler.get_job(f"{messaging_scheduler.SCHEDULE_JOB_PREFIX}{schedule_id}")
    finally:
        scheduler.shutdown(wait=True)


def test_a_recurring_nudge_to_the_whole_scope_has_no_job_and_its_runs_are_skipped(
    app, client, make, make_campaign, smtp, config
):
    organiser, campaign = _setting(make, make_campaign, config)
    schedule = _old_recurring(organiser, campaign)
    # The same rhythm to those who have not taken part keeps its job: the store works.
    fitting = _old_recurring(organiser, campaign)
    fitting.audience_key = "campaign-non-participants"
    db.session.commit()

    assert _stored_job(app, schedule.id) is None
    assert _stored_job(app, fitting.id) is not None
    # A run left over (fired before the store was synced) sends nothing, and says why once.
    later = utcnow() + timedelta(hours=1)
    jobs.run_schedule(schedule.id, clock=lambda: later)
    jobs.run_schedule(schedule.id, clock=lambda: later + timedelta(days=1))
    dispatch = db.session.scalars(select(Dispatch).where(Dispatch.schedule_id == schedule.id)).one()
    assert dispatch.status == "skipped" and dispatch.context[NOT_SENT] == "wrong_audience"
    assert _nudges(smtp) == []

    login(client, organiser)
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    note = _words(listing.split(f'id="schedule-{schedule.id}-not-sent">', 1)[1].split("</p>")[0])
    assert note.startswith("Will not be sent: this message tells each reader")
    assert f'id="schedule-{fitting.id}-not-sent"' not in listing
