"""An organiser running a three-week campaign could not end it early: its page offered
corrections and an extension only, and the extension's question said a campaign is
never shortened. "End the campaign now" ends it, asking first (the portal's dialog, or a
question page without scripts), with a reason its participants read on its page."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.cleanup.models import CleanupCampaign
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging.builtins import BUILTIN_TEMPLATES, SHIPPED_FIELDS
from app.messaging.models import Dispatch
from tests.conftest import csrf_token, login

REASON = "Le serveur de fichiers est migré plus tôt que prévu"


def _end_now(client, campaign, reason=REASON, **extra):
    data = {"csrf_token": csrf_token(client), "reason": reason, **extra}
    return client.post(f"/cleanup/campaigns/{campaign.id}/end-now", data=data)


def _page(client, campaign) -> str:
    return html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))


def _organiser(make, locale="fr"):
    return make.user(roles=("organiser",), locale=locale)


def test_a_running_campaigns_page_offers_to_end_it_now_asking_first(client, make, running):
    login(client, _organiser(make))
    page = _page(client, running)
    form = re.search(r'<form[^>]*action="[^"]*/end-now"[^>]*>', page).group(0)
    assert 'data-confirm="Terminer cette campagne maintenant' in form
    assert 'data-confirm-yes="Terminer la campagne maintenant"' in form
    assert 'name="ask_first_after_check"' in page.split('/end-now"', 1)[1].split("</form>")[0]


def test_the_extension_question_points_to_ending_now(client, make, running):
    login(client, _organiser(make, "en"))
    page = _page(client, running)
    question = re.search(r'action="[^"]*/extend"[^>]*data-confirm="([^"]*)"', page, re.S)
    assert "never shortened" not in question.group(1)
    assert "to stop it sooner, end it now from its page instead" in question.group(1)


def test_ending_now_ends_it_and_its_page_tells_participants_why_and_when(client, make, running):
    organiser = _organiser(make)
    login(client, organiser)
    before = utcnow()
    response = _end_now(client, running)
    assert response.status_code == 302
    campaign = db.session.get(CleanupCampaign, running.id)
    assert before <= campaign.ends_at <= utcnow() and campaign.frozen_at is not None
    login(client, make.user(locale="fr"))
    page = _page(client, running)
    said = re.search(r'data-testid="ended-early">(.*?)</p>', page, re.S).group(1)
    assert said.startswith("Terminée plus tôt que prévu, le ") and said.endswith(REASON)
    assert f"/cleanup/campaigns/{running.id}/results" in page  # closed: its results


def test_a_french_reason_on_an_english_page_is_marked_french(client, make, running):
    login(client, _organiser(make, "fr"))
    assert _end_now(client, running).status_code == 302
    login(client, make.user(locale="en"))
    page = _page(client, running)
    said = re.search(r'data-testid="ended-early">(.*?)</p>', page, re.S).group(1)
    assert said.startswith("Ended early, on ")
    assert f'<span lang="fr">{REASON}</span> <span class="hint">(in French)</span>' in said


def test_the_reason_is_kept_in_the_audit_log(client, make, running):
    organiser = _organiser(make, "en")
    login(client, organiser)
    _end_now(client, running)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "close")).one()
    assert REASON in event.summary and event.actor_id == organiser.id
    login(client, make.user(roles=("admin",), locale="en"))
    log = html.unescape(client.get("/admin/audit").get_data(as_text=True))
    assert "ended before its planned end" in log and REASON in log


def test_without_a_reason_nothing_changes_and_the_field_says_why(client, make, running):
    login(client, _organiser(make, "en"))
    planned = running.ends_at
    response = _end_now(client, running, reason="   ")
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    error = re.search(r'id="reason-error"[^>]*>(.*?)</', page, re.S).group(1)
    assert "Say why the campaign ends early" in error
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, running.id).ends_at == planned


def test_without_scripts_it_asks_once_the_reason_is_given(client, make, running):
    login(client, _organiser(make, "en"))
    planned = running.ends_at
    response = _end_now(client, running, ask_first_after_check="1")
    assert response.status_code == 200
    assert "End this campaign now?" in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, running.id).ends_at == planned


def test_a_scheduled_campaign_is_refused_with_a_clear_error(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=9))
    login(client, _organiser(make, "en"))
    response = _end_now(client, campaign)
    assert response.status_code == 302
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert "This campaign has not started yet: it can be ended only once it is running." in page
    db.session.expire_all()
    assert db.session.get(CleanupCampaign, campaign.id).ends_at == now + timedelta(days=9)


def test_a_closed_campaign_is_refused_with_a_clear_error(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=1))
    login(client, _organiser(make, "en"))
    response = _end_now(client, campaign)
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert "This campaign has already ended." in page


def test_a_participant_cannot_end_a_campaign(client, make, running):
    login(client, make.user())
    assert _end_now(client, running).status_code == 403
    assert db.session.get(CleanupCampaign, running.id).early_end_reason is None


def test_the_reminders_not_sent_yet_go_and_the_results_message_follows(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=20))
    reminder = f"campaign:{campaign.id}:reminder"
    assert db.session.scalar(select(Dispatch.status).where(Dispatch.dedupe_key == reminder))
    login(client, _organiser(make))
    assert _end_now(client, campaign).status_code == 302
    # Not sent, but still listed (« Ne partira pas : campagne terminée le … »).
    status = dict(db.session.execute(select(Dispatch.dedupe_key, Dispatch.status)).all())
    assert status[reminder] == "skipped" and status[f"campaign:{campaign.id}:last-48h"] == "skipped"
    assert f"campaign:{campaign.id}:results" in status


def _results_message(client, campaign, language) -> str:
    """The built-in results message about `campaign` as the signed-in person previews it."""
    texts = {f: BUILTIN_TEMPLATES["campaign-results"][f] for f in SHIPPED_FIELDS}
    data = {"key": "x", "name": "x", "recipient": "", "campaign_id": str(campaign.id),
            "preview_language": language, "csrf_token": csrf_token(client), **texts}  # fmt: skip
    response = client.post(
        "/messaging/templates/preview", data=data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    words = html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", words)


def test_the_results_message_says_the_campaign_ended_earlier_than_planned(client, make, running):
    organiser = _organiser(make)
    login(client, organiser)
    assert _end_now(client, running).status_code == 302
    french = _results_message(client, running, "fr")
    # Said once: « est terminée. Elle s'est terminée plus tôt que prévu » repeated itself.
    assert re.search(r"» s'est terminée plus tôt que prévu, le .+?\. Merci !", french)
    assert "» est terminée" not in french
    organiser.locale = "en"
    db.session.commit()
    english = _results_message(client, running, "en")
    assert re.search(r"ended earlier than planned, on .+?\. Thank you!", english)
    assert "is over" not in english


def test_a_campaign_that_ran_its_course_says_nothing_of_ending_early(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=1))
    login(client, _organiser(make))
    french = _results_message(client, campaign, "fr")
    assert "est terminée. Merci !" in french and "plus tôt que prévu" not in french
