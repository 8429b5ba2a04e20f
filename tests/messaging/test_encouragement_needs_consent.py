"""Privacy review: « Staff in scope who have not taken part in a clean-up campaign » put a
copy in the portal inbox of people who had not consented to messages (only the e-mail
checked it). A message sent to someone because they did not take part encourages them:
it is no service message, and both channels need the consent e-mails need. Service
messages (a notice about one's own device) keep their inbox copy."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.models import SKIP_NO_CONSENT, Delivery
from tests.conftest import login


def _running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=10))


def _rows(person) -> dict[str, tuple[str, str | None]]:
    rows = db.session.execute(
        select(Delivery.channel, Delivery.status, Delivery.error).where(
            Delivery.user_id == person.id
        )
    ).all()
    return {channel: (status, error) for channel, status, error in rows}


def _send(template, audience: str, campaign) -> None:
    now = utcnow()
    dispatch = services.create_dispatch(
        template, audience, {"campaign_id": str(campaign.id)}, now, now
    )
    db.session.commit()
    jobs.run_dispatch(dispatch.id, clock=lambda: now)


def test_someone_who_did_not_consent_gets_no_inbox_copy_of_an_encouragement(
    make, make_campaign, template, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    campaign = _running(make_campaign)
    silent = make.user(email_opt_in=False)
    _send(template(), "campaign-non-participants", campaign)
    assert _rows(silent) == {
        "inbox": ("skipped", SKIP_NO_CONSENT),
        "email": ("skipped", SKIP_NO_CONSENT),
    }


def test_someone_who_consented_gets_an_encouragement_on_both_channels(
    make, make_campaign, template, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    campaign = _running(make_campaign)
    willing = make.user(email_opt_in=True)
    _send(template(), "campaign-non-participants", campaign)
    assert _rows(willing) == {"inbox": ("delivered", None), "email": ("delivered", None)}


def test_a_message_to_the_whole_scope_keeps_its_inbox_copy(
    make, make_campaign, template, smtp, config
):
    config(MAIL_WORKING_HOURS="24/7")
    campaign = _running(make_campaign)
    silent = make.user(email_opt_in=False)
    _send(template(), "campaign-scope", campaign)
    assert _rows(silent)["inbox"] == ("delivered", None)


def test_the_schedule_confirmation_says_who_receives_nothing(
    auth, client, make, template, make_campaign
):
    campaign = _running(make_campaign)
    make.user(email_opt_in=False)
    make.user(email_opt_in=True)
    login(client, make.user(roles=("organiser",), locale="en", email_opt_in=False))
    page = auth.post(
        "/messaging/schedule",
        data={
            "template": template().id,
            "audience": "campaign-non-participants",
            "campaign_id": str(campaign.id),
            "kind": "now",
        },
    ).get_data(as_text=True)
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert re.search(r"1 by e-mail and in their inbox, \d+ receive nothing \(no consent", words)


def test_the_schedule_form_says_encouragements_need_consent(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get("/messaging/schedule").get_data(as_text=True)
    assert "only people who accept e-mails receive it, by e-mail and in their inbox" in page


def test_a_small_groups_inbox_figures_tell_no_one_who_refused_e_mails(
    client, make, make_campaign, template, smtp, config
):
    """Fewer recipients than the smallest group shown: an encouragement's inbox copy needs
    consent, so its inbox figures (and a "no consent" reason) would say who refused."""
    config(MAIL_WORKING_HOURS="24/7", LEADERBOARD_MIN_TEAM=10)
    campaign = _running(make_campaign)
    make.user(email_opt_in=False)
    make.user(email_opt_in=True)
    _send(template(), "campaign-non-participants", campaign)
    organiser = make.user(roles=("organiser",), with_department=False)
    login(client, organiser)
    (dispatch_id,) = db.session.scalars(select(Delivery.dispatch_id).distinct()).all()
    page = client.get(f"/messaging/dispatches/{dispatch_id}").get_data(as_text=True)
    counts = re.search(r"<tbody.*?</tbody>", page, re.S).group(0)
    inbox_row = html.unescape(re.search(r"<tr[^>]*>.*?</tr>", counts, re.S).group(0))
    assert "Boîte de réception" in inbox_row
    assert re.search(r">\s*[0-9]+\s*<", inbox_row) is None, inbox_row
    assert "consentement" not in page.split("Ignorés, et pourquoi")[-1] or (
        "Ignorés, et pourquoi" not in page
    )
    body = client.get(f"/api/v1/dispatches/{dispatch_id}").get_json()
    assert body["channels"]["inbox"] == dict.fromkeys(
        ("delivered", "pending", "skipped", "failed"), None
    )
