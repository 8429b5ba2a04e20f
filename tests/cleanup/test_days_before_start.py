"""`days_left` before a campaign starts: the days it will run, as words (« 7 »), with no
countdown value, which messaging's calendar check (`campaign_timing_mismatch`) reads as
0, no campaign running yet. A special class (`_DaysFromStart`) claimed a value of 0
while printing 7; plain text says the same without it. Behaviour kept: a template prints
7 and `{% if days_left %}` holds; a running campaign's countdown keeps its value."""

import copy
from datetime import timedelta

from app.cleanup.integration import campaign_variables
from app.core.personalisation import WrittenNumber
from app.core.time import utcnow
from app.messaging.rendering import sandbox
from app.messaging.services import campaign_timing_mismatch
from tests.messaging.test_campaign_message_drafts_and_test_marking import _launch_template


def _days_left(make, campaign, when):
    reader = make.user(locale="fr")
    return campaign_variables([reader], when, {"campaign_id": campaign.id})[reader.id]["days_left"]


def test_before_the_start_the_days_are_words_with_no_countdown_value(make, make_campaign):
    starts = utcnow() + timedelta(days=10)
    campaign = make_campaign(starts_at=starts, ends_at=starts + timedelta(days=7))
    days_left = _days_left(make, campaign, utcnow())
    assert getattr(days_left, "value", None) is None  # what the calendar check takes for 0
    rendered = sandbox().from_string("{{ days_left }}{% if days_left %} ; compte{% endif %}")
    assert rendered.render(days_left=days_left) == "7 ; compte"
    for again in (copy.copy(days_left), copy.deepcopy(days_left)):
        assert again == "7" and bool(again)


def test_a_running_campaigns_countdown_keeps_its_value(make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=4))
    days_left = _days_left(make, campaign, now)
    assert isinstance(days_left, WrittenNumber) and days_left.value == 4


def test_a_launch_sent_before_the_start_is_still_flagged(make, make_campaign):
    """The calendar check finds no campaign running before the start, as it did."""
    starts = utcnow() + timedelta(days=10)
    campaign = make_campaign(starts_at=starts, ends_at=starts + timedelta(days=14))
    make.user(locale="fr")
    mismatch = campaign_timing_mismatch(
        _launch_template(), "campaign-scope", {"campaign_id": campaign.id},
        starts - timedelta(days=7), "fr",
    )  # fmt: skip
    assert mismatch is not None and mismatch.days_left == 0
