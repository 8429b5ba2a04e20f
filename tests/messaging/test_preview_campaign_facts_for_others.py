"""A preview for someone else, about a chosen campaign, showed an example start (« 16 mars
2026 ») beside the campaign's real end: `starts_when` was not among the campaign's facts.
Every variable that is a fact of the campaign (the same for every reader) now reads as
the campaign gives it; only a person's own figures stay examples."""

import html
import re
from datetime import datetime, timedelta

import pytest

from app.cleanup.integration import VARIABLES as CAMPAIGN_VARIABLES
from app.core.i18n import sentence_moment
from app.core.personalisation import variables_for
from app.core.time import local_zone, utcnow
from app.messaging import services
from tests.conftest import login

# What is a reader's own in a campaign, and stays an example for someone else.
PERSONAL = {"points", "points_text", "rank", "badges", "team_name", "team_points",
            "team_points_text", "team_rank"}  # fmt: skip


def _campaign(make_campaign, state: str):
    now = utcnow()
    if state == "running":
        return make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=9))
    return make_campaign(starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=1))


@pytest.mark.parametrize("state", ["running", "closed"])
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_fact_of_the_chosen_campaign_is_its_own_in_a_preview_for_someone_else(
    make, make_campaign, state, locale
):
    campaign = _campaign(make_campaign, state)
    organiser = make.user(roles=("organiser",), locale=locale)
    now = utcnow()
    context = {"campaign_id": campaign.id}
    real = variables_for([organiser], now, context)[organiser.id]
    previewed = services.preview_variables(
        organiser, locale, now, examples=True, context={**context, "preview": True}
    )
    facts = {variable.name for variable in CAMPAIGN_VARIABLES} - PERSONAL
    given = facts & real.keys()
    assert "starts_when" in given and len(given) >= len(facts) - 1  # results: once closed
    assert {name: str(previewed[name]) for name in given} == {
        name: str(real[name]) for name in given
    }


def test_the_launch_previewed_for_a_colleague_says_the_campaigns_own_start(
    auth, client, make, make_campaign
):
    day = (utcnow() + timedelta(days=12)).astimezone(local_zone()).date()
    starts = datetime(day.year, day.month, day.day, 9, tzinfo=local_zone())  # 09:00 in Paris
    campaign = make_campaign(starts_at=starts, ends_at=starts + timedelta(days=14, hours=9))
    make.user(email="colleague@example.org")
    login(client, make.user(roles=("organiser",), locale="en"))
    body = "{{ campaign_name }} {{ starts_when }} and ends {{ ends_when }}."
    answer = auth.post(
        "/messaging/templates/preview",
        data={
            "key": "x",
            "name": "x",
            "recipient": "colleague@example.org",
            "campaign_id": str(campaign.id),
            "subject_fr": "x",
            "body_fr": body,
            "subject_en": "x",
            "body_en": body,
        },
        headers={"HX-Request": "true"},
    )
    words = html.unescape(re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True)))
    words = " ".join(words.replace("\u00a0", " ").replace("\u202f", " ").split())
    start = sentence_moment(starts, "en", local_zone()).replace("\u202f", " ")
    assert f"Clean-up starts on {start} and ends in 14 days" in words
    assert "16 March 2026" not in words
