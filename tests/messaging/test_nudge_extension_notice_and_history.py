"""An organiser's findings: no mid-way nudge for the people who had not taken part (the
only reminder, « Rappel à une semaine de la fin », warned « Ce message ne correspond pas
au calendrier… » after four days); the dispatch page said « Boîte de réception du
portail, sans consentement aux e-mails : 250 » in other words than the schedule form and
its confirmation; staff were not told of an extension (the launch e-mail still gave the
old end); reminders an early end dropped vanished from « Envoyés et annulés », and
dispatches sent were named with the campaign's new dates."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.models import Delivery, Dispatch
from tests.conftest import csrf_token, login


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _running(make_campaign, organiser=None, days_left=10):
    now = utcnow()
    return make_campaign(
        organiser=organiser,
        starts_at=now - timedelta(days=4),
        ends_at=now + timedelta(days=days_left),
    )


def _send_now(key: str, audience: str, campaign) -> Dispatch:
    ensure_builtin_templates()
    now = utcnow()
    dispatch = services.create_dispatch(
        services.template_by_key(key),
        audience,
        {"campaign_id": str(campaign.id)},
        now,
        now,
        context={"campaign_id": campaign.id},
    )
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)
    return dispatch


def _inbox_body(person) -> str:
    return db.session.scalar(
        select(Delivery.body).where(Delivery.user_id == person.id, Delivery.channel == "inbox")
    )


def _row(listing: str, dispatch_id: int) -> str:
    return _words(listing.split(f"/messaging/dispatches/{dispatch_id}", 1)[1].split("</tr>")[0])


def test_the_not_yet_participated_nudge_names_every_goal_and_no_zero_points(
    make, make_campaign, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    campaign = _running(make_campaign)  # goals: 100 GB and 5 devices
    newcomer = make.user(locale="en", email_opt_in=True)
    _send_now("campaign-not-participated", "campaign-non-participants", campaign)
    body = _inbox_body(newcomer)
    assert "There is still time to join Clean-up" in body
    goals = re.findall(r"^- .+ of .+$", body, re.MULTILINE)
    assert len(goals) == 2 and "0 point" not in body and "You have" not in body


def test_the_nudge_is_scheduled_mid_way_without_the_calendar_warning(client, make, make_campaign):
    organiser = make.user(roles=("organiser",), locale="en")
    campaign = _running(make_campaign, organiser)
    make.user(email_opt_in=True)
    ensure_builtin_templates()
    db.session.commit()
    login(client, organiser)
    page = client.post(
        "/messaging/schedule",
        data={
            "csrf_token": csrf_token(client),
            "template": services.template_by_key("campaign-not-participated").id,
            "audience": "campaign-non-participants",
            "campaign_id": str(campaign.id),
            "kind": "now",
        },
    )
    words = _words(page.get_data(as_text=True))
    assert "Send to" in words and "does not fit the campaign's calendar" not in words


def test_the_dispatch_page_says_who_received_it_in_the_confirmations_words(
    client, make, make_campaign, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="en", email_opt_in=True)
    campaign = _running(make_campaign, organiser)
    for _ in range(3):
        make.user(email_opt_in=False)
    dispatch = _send_now("campaign-not-participated", "campaign-non-participants", campaign)
    login(client, organiser)
    words = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    said = "3 receive nothing (no consent to e-mails: this message encourages, so only people"
    assert f"Who receives it: 1 by e-mail and in their inbox, {said}" in words
    assert "Portal inbox, no consent to e-mails: this message encourages" in words


def _extend(client, campaign, **fields):
    end = (campaign.ends_at + timedelta(days=7)).astimezone(local_zone())
    return client.post(
        f"/cleanup/campaigns/{campaign.id}/extend",
        data={
            "csrf_token": csrf_token(client),
            "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
            **fields,
        },
        follow_redirects=True,
    )


def _extension_notices(campaign) -> list[Dispatch]:
    return db.session.scalars(
        select(Dispatch).where(Dispatch.dedupe_key.like(f"campaign:{campaign.id}:extended:%"))
    ).all()


def test_the_extend_form_offers_to_tell_the_participants_ticked(client, make, make_campaign):
    organiser = make.user(roles=("organiser",), locale="en")
    campaign = _running(make_campaign, organiser)
    login(client, organiser)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="notify"[^>]*>', page)
    assert box is not None and "checked" in box.group(0)
    assert "Tell the participants" in page


def test_an_extension_told_to_the_participants_gives_the_new_end(
    client, make, make_campaign, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="en")
    campaign = _running(make_campaign, organiser)
    staff = make.user(locale="en", email_opt_in=False)
    login(client, organiser)
    assert _extend(client, campaign, notify="y").status_code == 200
    [notice] = _extension_notices(campaign)
    assert notice.audience_key == "campaign-scope" and notice.due_at <= utcnow()
    jobs.run_dispatch(notice.id, clock=utcnow)
    db.session.refresh(campaign)
    body = _inbox_body(staff)  # no e-mail consent: the inbox copy still tells them
    end_day = str(campaign.ends_at.astimezone(local_zone()).day)
    assert "Clean-up is extended: it now ends on" in body and f" {end_day} " in body


def test_reminders_an_early_end_dropped_stay_listed_with_the_day_it_ended(
    client, make, make_campaign
):
    organiser = make.user(roles=("organiser",), locale="en")
    campaign = _running(make_campaign, organiser)
    reminder = db.session.scalar(
        select(Dispatch).where(Dispatch.dedupe_key == f"campaign:{campaign.id}:reminder")
    )
    assert reminder is not None and reminder.status == "scheduled"
    login(client, organiser)
    client.post(
        f"/cleanup/campaigns/{campaign.id}/end-now",
        data={"csrf_token": csrf_token(client), "reason": "Travaux dans le bâtiment"},
    )
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    assert f"/messaging/dispatches/{reminder.id}" in listing
    assert re.search(
        r"Will not be sent: campaign ended on \d+ \w+ \d{4}", _row(listing, reminder.id)
    )


def test_a_sent_launch_is_not_named_with_the_campaigns_new_dates(
    client, make, make_campaign, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",), locale="en")
    campaign = _running(make_campaign, organiser)
    launch = db.session.scalar(
        select(Dispatch).where(Dispatch.dedupe_key == f"campaign:{campaign.id}:launch")
    )
    jobs.run_dispatch(launch.id, clock=utcnow)
    login(client, organiser)
    _extend(client, campaign)
    row = _row(client.get("/messaging/dispatches").get_data(as_text=True), launch.id)
    assert "Sent" in row and "Clean-up" in row and "Clean-up (" not in row
