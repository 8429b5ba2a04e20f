"""An organiser's own messages about a campaign, when the campaign ends early or is
extended: a countdown scheduled for later said « Programmé · environ 171 » after the end
(it would be skipped only when due); an extension moved the built-in reminders but said
nothing of the organiser's. A scheduled message moves to another date. The results
e-mail gives the reason for ending early and every goal; the template editor keeps the
campaign chosen for its preview across a save; the data export masks unsubscribe links."""

import html
import re
from datetime import UTC, timedelta

from sqlalchemy import select

from app.cleanup.services import close_campaign_now, freeze_campaign
from app.core.audit import AuditEvent
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import Dispatch
from tests.conftest import csrf_token, login
from tests.messaging.conftest import deliver_to_everyone

COUNTDOWN = {
    "subject_fr": "Mi-parcours : {{ days_left_text }} pour {{ campaign_name }}",
    "body_fr": "La campagne se termine {{ ends_when }}.\n\n{{ unsubscribe_url }}",
    "subject_en": "Half-way: {{ days_left_text }} for {{ campaign_name }}",
    "body_en": "The campaign ends {{ ends_when }}.\n\n{{ unsubscribe_url }}",
}
REASON = "Le serveur de fichiers est migré plus tôt que prévu"


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _local(moment) -> str:
    return moment.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


def _campaign_with_countdown(make, template, make_campaign, organiser):
    """A campaign running ten more days and a countdown its organiser scheduled in five."""
    make.user()
    now = utcnow()
    campaign = make_campaign(
        organiser=organiser, starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=10)
    )
    params = {"campaign_id": str(campaign.id)}
    due = now + timedelta(days=5)
    dispatch = services.schedule_message(
        template(key="mid-way", **COUNTDOWN), "campaign-scope", params, "at", now, organiser, at=due
    )
    db.session.commit()
    return campaign, dispatch


def test_ending_a_campaign_early_says_at_once_its_countdown_will_not_be_sent(
    client, make, template, make_campaign
):
    organiser = make.user(roles=("organiser",), locale="en")
    campaign, dispatch = _campaign_with_countdown(make, template, make_campaign, organiser)
    login(client, organiser)
    ended = client.post(
        f"/cleanup/campaigns/{campaign.id}/end-now",
        data={"csrf_token": csrf_token(client), "reason": REASON},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f'href="/messaging/dispatches/{dispatch.id}"' in ended
    assert "will not be sent: it counted down to an end that has now come" in _words(ended)
    listing = client.get("/messaging/dispatches").get_data(as_text=True)
    row = _words(listing.split(f"/messaging/dispatches/{dispatch.id}", 1)[1].split("</tr>")[0])
    assert "Will not be sent" in row and "about" not in row
    page = _words(client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True))
    assert "Will not be sent: the campaign it is about was ended before this message's date" in page


def test_an_extension_names_the_organisers_messages_that_stay_at_their_date(
    client, make, template, make_campaign
):
    organiser = make.user(roles=("organiser",), locale="en")
    campaign, dispatch = _campaign_with_countdown(make, template, make_campaign, organiser)
    login(client, organiser)
    page = client.post(
        f"/cleanup/campaigns/{campaign.id}/extend",
        data={
            "csrf_token": csrf_token(client),
            "ends_at": _local(campaign.ends_at + timedelta(days=7)),
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "This message you scheduled about the campaign stays at its date" in _words(page)
    assert f'href="/messaging/dispatches/{dispatch.id}"' in page


def test_a_scheduled_message_moves_to_a_new_date_audited(client, make, template, make_campaign):
    organiser = make.user(roles=("organiser",), locale="en")
    _campaign, dispatch = _campaign_with_countdown(make, template, make_campaign, organiser)
    login(client, organiser)
    page = client.get(f"/messaging/dispatches/{dispatch.id}").get_data(as_text=True)
    assert f'action="/messaging/dispatches/{dispatch.id}/reschedule"' in page
    new_due = (dispatch.due_at + timedelta(days=2)).replace(second=0, microsecond=0)
    moved = client.post(
        f"/messaging/dispatches/{dispatch.id}/reschedule",
        data={"csrf_token": csrf_token(client), "at": _local(new_due)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Dispatch moved to" in _words(moved)
    db.session.expire_all()
    assert db.session.get(Dispatch, dispatch.id).due_at == new_due
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reschedule"))
    assert audit is not None and audit.object_id == str(dispatch.id)


def test_a_message_cannot_move_into_the_past(client, make, template, make_campaign):
    organiser = make.user(roles=("organiser",), locale="en")
    _campaign, dispatch = _campaign_with_countdown(make, template, make_campaign, organiser)
    login(client, organiser)
    refused = client.post(
        f"/messaging/dispatches/{dispatch.id}/reschedule",
        data={"csrf_token": csrf_token(client), "at": _local(utcnow() - timedelta(days=1))},
    )
    assert refused.status_code == 422
    error = refused.get_data(as_text=True).split('id="at-error">', 1)[1].split("</p>")[0]
    assert "This date is in the past" in _words(error)
    db.session.expire_all()
    assert db.session.get(Dispatch, dispatch.id).due_at == dispatch.due_at


def test_the_results_email_gives_the_early_end_reason_and_every_goal(
    make, make_campaign, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    organiser = make.user(roles=("organiser",))
    now = utcnow()
    campaign = make_campaign(
        organiser=organiser, starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=9)
    )
    participant = make.user(email_opt_in=True, locale="fr")
    from app.cleanup.services import log_action

    log_action(
        participant, campaign, campaign.action_rules[0].action_type.key, 2, now - timedelta(hours=1)
    )
    db.session.commit()
    close_campaign_now(campaign, organiser, now, REASON, "fr")
    freeze_campaign(campaign, now)
    db.session.commit()
    jobs.deliver_due(clock=lambda: now.astimezone(UTC) + timedelta(minutes=1))
    bodies = [
        m.get_body(("plain",)).get_content()
        for to, m in smtp.messages
        if to == participant.email and m["Subject"].startswith("Les résultats")
    ]
    body = " ".join(bodies[0].replace("\u00a0", " ").split())
    assert f"Raison de la fin anticipée : {REASON}" in body
    assert (
        "Objectifs collectifs :" in body and "Go sur 100 Go" in body and "sur 5 appareils" in body
    )


def test_saving_a_template_keeps_the_campaign_of_its_preview(client, make, make_campaign):
    organiser = make.user(roles=("organiser",), locale="en")
    campaign = make_campaign(organiser=organiser)
    login(client, organiser)
    saved = client.post(
        "/messaging/templates/new",
        data={
            "csrf_token": csrf_token(client),
            "key": "news",
            "name": "News",
            "subject_fr": "Bonjour",
            "body_fr": "{{ campaign_name }}",
            "subject_en": "Hello",
            "body_en": "{{ campaign_name }}",
            "campaign_id": str(campaign.id),
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    chosen = re.search(r'<select[^>]*name="campaign_id".*?</select>', saved, re.S).group(0)
    assert re.search(
        rf'<option selected value="{campaign.id}"|<option value="{campaign.id}" selected', chosen
    )


def test_the_data_export_masks_the_unsubscribe_link(make, template):
    person = make.user(email_opt_in=True)
    deliver_to_everyone(template())
    exported = services.export_messages(person)
    bodies = [m["body"] for m in exported if m["body"]]
    assert bodies and all("/messaging/unsubscribe/…" in b for b in bodies if "unsubscribe" in b)
    assert not any(re.search(r"/messaging/unsubscribe/[A-Za-z0-9_.-]", b) for b in bodies)
