"""Two gaps in the built-ins: « Pas encore participé » could be scheduled to a campaign's
whole scope, where those who had taken part read « Il est encore temps de nous
rejoindre »; « Votre saisie ne compte pas » said « écrivez aux organisateurs de la
campagne » with no address to write to when the campaign gave none."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cleanup import services as cleanup_services
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.builtins import (
    BUILTIN_TEMPLATES,
    SHIPPED_TEXTS,
    ensure_builtin_templates,
    shipped_fingerprint,
)
from app.messaging.models import Delivery, Dispatch, MessageTemplate, Schedule
from tests.conftest import csrf_token, login


def _words(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _running(make_campaign, organiser=None):
    now = utcnow()
    return make_campaign(
        organiser=organiser, starts_at=now - timedelta(days=4), ends_at=now + timedelta(days=10)
    )


def _sendings() -> int:
    dispatches = db.session.scalar(select(func.count(Dispatch.id)))
    return dispatches + db.session.scalar(select(func.count(Schedule.id)))


def _nudge_form(client, campaign, audience: str, **fields) -> dict:
    return {
        "csrf_token": csrf_token(client),
        "template": services.template_by_key("campaign-not-participated").id,
        "audience": audience,
        "campaign_id": str(campaign.id),
        "kind": "now",
        **fields,
    }


def _nudge_setting(client, make, make_campaign, locale="en"):
    """A running campaign with one participant and one person who has not taken part,
    its organiser signed in on `client`."""
    organiser = make.user(roles=("organiser",), locale=locale)
    campaign = _running(make_campaign, organiser)
    cleanup_services.log_action(make.user(), campaign, "unsubscribe", 1, utcnow())
    make.user(email_opt_in=True)
    ensure_builtin_templates()
    db.session.commit()
    login(client, organiser)
    return campaign


# --- 1. « Pas encore participé » goes to the people who have not taken part only -------


@pytest.mark.parametrize("audience", ["campaign-scope", "campaign-participants", "everyone"])
def test_the_nudge_to_another_audience_is_refused_at_the_audience_field(
    client, make, make_campaign, audience
):
    campaign = _nudge_setting(client, make, make_campaign)
    before = _sendings()
    response = client.post("/messaging/schedule", data=_nudge_form(client, campaign, audience))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="audience-error">(.*?)</p>', page, re.S)
    assert error is not None
    assert _words(error.group(1)) == (
        "“Not taken part yet” tells each reader they have not taken part in the campaign "
        "yet: it goes only to the audience “Staff in scope who have not taken part in a "
        "clean-up campaign”. Choose that audience, or another template."
    )
    assert "Send to" not in _words(page)  # no confirmation asked
    assert _sendings() == before


def test_the_nudge_refusal_is_in_french_for_a_french_organiser(client, make, make_campaign):
    campaign = _nudge_setting(client, make, make_campaign, locale="fr")
    response = client.post(
        "/messaging/schedule", data=_nudge_form(client, campaign, "campaign-scope")
    )
    assert response.status_code == 422
    assert (
        "«\u00a0Pas encore participé\u00a0» dit à chaque destinataire qu'il n'a pas encore "
        "participé à la campagne"
    ) in html.unescape(response.get_data(as_text=True))


def test_a_confirmation_answered_yes_to_the_whole_scope_schedules_nothing(
    client, make, make_campaign
):
    """The "yes" of a confirmation page (or a form sent by hand) is checked again."""
    campaign = _nudge_setting(client, make, make_campaign)
    before = _sendings()
    data = _nudge_form(client, campaign, "campaign-scope", confirm="yes", once="a" * 22)
    response = client.post("/messaging/schedule", data=data)
    assert response.status_code == 422
    assert "it goes only to the audience" in _words(response.get_data(as_text=True))
    assert _sendings() == before


# --- 2. a rejected entry says whom to ask when no address is given --------------------


def _rejected_without_contact(client, make, make_campaign, config, locale):
    """An entry rejected in a campaign whose creator has left, on a portal giving no
    contact: its notice delivered; its author."""
    config(MAIL_WORKING_HOURS="24/7", PRIVACY_CONTROLLER_CONTACT="", PRIVACY_CONTACT="")
    creator = make.user(roles=("organiser",))
    campaign = _running(make_campaign, creator)
    creator.active = False
    me = make.user(locale=locale, email_opt_in=True)
    entry = cleanup_services.log_action(me, campaign, "delete-mail", 15, utcnow())  # flagged
    reviewer = make.user(roles=("organiser",))
    db.session.commit()
    login(client, reviewer)
    client.post(
        f"/cleanup/actions/{entry.id}/review",
        data={"csrf_token": csrf_token(client), "decision": "reject", "reason": "Doublon"},
    )
    jobs.deliver_due()
    return me


def test_the_rejection_email_without_an_address_says_whom_to_ask(
    client, make, make_campaign, smtp, config
):
    me = _rejected_without_contact(client, make, make_campaign, config, "en")
    [message] = [
        m for to, m in smtp.messages if to == me.email and "does not count" in m["Subject"]
    ]
    body = " ".join(message.get_body(("plain",)).get_content().split())
    assert (
        "If you think this is a mistake, ask your IT help desk or your manager to pass it on "
        "to the campaign's organisers."
    ) in body
    assert "write to the campaign's organisers" not in body


def test_the_rejection_notice_without_an_address_says_whom_to_ask_in_french(
    client, make, make_campaign, smtp, config
):
    me = _rejected_without_contact(client, make, make_campaign, config, "fr")
    inbox = db.session.scalar(
        select(Delivery.body).where(
            Delivery.user_id == me.id,
            Delivery.channel == "inbox",
            Delivery.subject.startswith("Votre saisie ne compte pas"),
        )
    )
    assert (
        "Si vous pensez qu'il s'agit d'une erreur, demandez à votre support informatique ou "
        "à votre responsable de transmettre votre remarque aux organisateurs de la campagne."
    ) in inbox


# The ending shipped before, as a portal that never edited the template still holds it.
_OLD_ENDINGS = {
    "body_fr": (
        "Si vous pensez qu'il s'agit d'une erreur, écrivez aux organisateurs de la "
        "campagne{% if organisers_contact is defined and organisers_contact %}\u00a0: "
        "{{ organisers_contact }}{% endif %}."
    ),
    "body_en": (
        "If you think this is a mistake, write to the campaign's organisers"
        "{% if organisers_contact is defined and organisers_contact %}: "
        "{{ organisers_contact }}{% endif %}."
    ),
}


def test_an_unedited_rejection_template_takes_the_new_ending(app):
    ensure_builtin_templates()
    template = db.session.scalar(
        select(MessageTemplate).where(MessageTemplate.key == "entry-rejected")
    )
    shipped = BUILTIN_TEMPLATES["entry-rejected"]
    for field, old in _OLD_ENDINGS.items():
        start = shipped[field].index("\n\n" + old[:14])
        end = shipped[field].index("{% endif %}.", start) + len("{% endif %}.")
        setattr(template, field, shipped[field][:start] + "\n\n" + old + shipped[field][end:])
    db.session.commit()
    assert shipped_fingerprint(template) == SHIPPED_TEXTS["entry-rejected"][-2]

    assert "entry-rejected" in ensure_builtin_templates()
    db.session.commit()
    assert "support informatique" in template.body_fr
    assert "IT help desk" in template.body_en
    assert shipped_fingerprint(template) == SHIPPED_TEXTS["entry-rejected"][-1]
