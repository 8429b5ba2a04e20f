"""After publishing, the page said only « Campagne publiée. »: it now lists the messages
that will go out and when, each linked to its dispatch. The question before named
« rappels » for a campaign given one reminder: it names exactly those it schedules. A
scheduled campaign offered an extension beside its correction: before its start it is
corrected only."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Dispatch
from tests.conftest import csrf_token, login


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def _draft(make, make_campaign, days: int, locale="fr"):
    organiser = make.user(roles=("organiser",), locale=locale)
    now = utcnow()
    draft = make_campaign(
        organiser=organiser,
        publish=False,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2 + days),
    )
    return draft, organiser


def _publish_question(page: str) -> str:
    return re.search(r'action="[^"]*/publish"\s+data-confirm="([^"]*)"', page).group(1)


def test_after_publishing_the_messages_to_go_out_are_listed_with_their_dispatches(
    client, make, make_campaign
):
    draft, organiser = _draft(make, make_campaign, 20, locale="en")
    login(client, organiser)
    response = client.post(
        f"/cleanup/campaigns/{draft.id}/publish",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    page = _text(response)
    assert "Campaign published." in page
    note = re.search(
        r"<p class=\"flash flash-info\">Its messages will go out:(.*?)</p>", page, re.S
    )
    assert note, "no list of the messages scheduled"
    dispatches = db.session.scalars(
        select(Dispatch).where(Dispatch.dedupe_key.like(f"campaign:{draft.id}:%"))
    ).all()
    assert len(dispatches) == 3  # launch, a week left, the last 48 hours
    for dispatch in dispatches:
        assert f'href="/messaging/dispatches/{dispatch.id}"' in note.group(1)
    assert note.group(1).endswith("; then its results, once it ends.")


def test_a_short_campaigns_question_names_its_single_reminder(client, make, make_campaign):
    draft, organiser = _draft(make, make_campaign, 5)
    login(client, organiser)
    question = _publish_question(_text(client.get(f"/cleanup/campaigns/{draft.id}")))
    assert "(lancement, un rappel 48 heures avant la fin, puis les résultats à la fin)" in question
    assert "rappels" not in question


def test_a_long_campaigns_question_names_both_reminders(client, make, make_campaign):
    draft, organiser = _draft(make, make_campaign, 20)
    login(client, organiser)
    question = _publish_question(_text(client.get(f"/cleanup/campaigns/{draft.id}")))
    assert (
        "(lancement, un rappel une semaine avant la fin, un autre 48 heures avant, "
        "puis les résultats à la fin)" in question
    )


def test_a_scheduled_campaign_is_corrected_not_extended(client, make, make_campaign):
    now = utcnow()
    organiser = make.user(roles=("organiser",), locale="fr")
    scheduled = make_campaign(
        organiser=organiser, starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=20)
    )
    login(client, organiser)
    page = _text(client.get(f"/cleanup/campaigns/{scheduled.id}"))
    assert "Corriger la campagne (jusqu'à son début)" in page
    assert f"/cleanup/campaigns/{scheduled.id}/extend" not in page
    assert "Prolonger" not in page
