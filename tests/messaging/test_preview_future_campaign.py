"""A campaign not started yet, previewed or written about before its start: its countdown
reads as of the start, when the launch message goes, never « fin ; 0 jour. »; a running
campaign's countdown is still said from the moment of the message."""

import html
import re
from datetime import datetime, timedelta

from app.core.i18n import sentence_moment
from app.core.personalisation import variables_for
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import services
from tests.conftest import login
from tests.messaging.test_campaign_message_drafts_and_test_marking import _launch_template

HX = {"HX-Request": "true"}
TEXTS = {
    "subject_fr": "{{ campaign_name }}",
    "body_fr": "fin {{ ends_when }} ; {{ days_left_text }} ; {{ days_left }}"
    "{% if days_left %} ; compte{% endif %}",
    "subject_en": "{{ campaign_name }}",
    "body_en": "end {{ ends_when }} ; {{ days_left_text }} ; {{ days_left }}",
}


def _evening_in(days: int) -> datetime:
    """18:00 in Paris, `days` days from today."""
    day = (utcnow().astimezone(local_zone()) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, 18, tzinfo=local_zone())


def _preview(auth, campaign_id) -> str:
    data = {"key": "x", "name": "x", "recipient": "", "campaign_id": str(campaign_id)}
    response = auth.post("/messaging/templates/preview", data=data | TEXTS, headers=HX)
    words = html.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", words.replace("\u00a0", " ").replace("\u202f", " "))


def _spaced(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_a_draft_in_the_future_previews_its_countdown_as_of_its_start(
    auth, client, make, make_campaign
):
    starts = _evening_in(40)
    ends = starts + timedelta(days=7)
    draft = make_campaign(starts_at=starts, ends_at=ends, publish=False)
    login(client, make.user(roles=("organiser",), locale="fr"))
    preview = _preview(auth, draft.id)
    zone = local_zone()
    french = _spaced(sentence_moment(ends, "fr", zone))
    english = _spaced(sentence_moment(ends, "en", zone))
    assert f"fin dans 7 jours, le {french} ; 7 jours ; 7 ; compte" in preview
    assert f"end in 7 days, on {english} ; 7 days ; 7" in preview


def test_a_running_campaign_previews_its_countdown_from_now(auth, client, make, make_campaign):
    now = utcnow()
    ends = now + timedelta(days=5, hours=12)
    running = make_campaign(starts_at=now - timedelta(days=2), ends_at=ends)
    login(client, make.user(roles=("organiser",), locale="fr"))
    preview = _preview(auth, running.id)
    french = re.escape(_spaced(sentence_moment(ends, "fr", local_zone())))
    # Calendar days in Paris (5 or 6 by the hour), the same for `ends_when` and the days left.
    assert re.search(rf"fin dans ([56]) jours, le {french} ; \1 jours ; \1 ; compte", preview)


def test_a_message_sent_before_the_start_reads_the_countdown_of_the_start(make, make_campaign):
    starts = _evening_in(10)
    scheduled = make_campaign(starts_at=starts, ends_at=starts + timedelta(days=3))
    reader = make.user(locale="fr")
    values = variables_for([reader], utcnow(), {"campaign_id": scheduled.id})[reader.id]
    assert _spaced(values["days_left_text"]) == "3 jours"
    assert _spaced(values["ends_when"]).startswith("dans 3 jours, le ")


def test_a_launch_sent_before_the_start_is_still_flagged(make, make_campaign):
    """The countdown as of the start is for the words: the schedule form's calendar check
    still finds no campaign running a week before the start, and the launch at the start
    fitting."""
    starts = _evening_in(10)
    scheduled = make_campaign(starts_at=starts, ends_at=starts + timedelta(days=14))
    make.user(locale="fr")
    db.session.commit()
    launch, params = _launch_template(), {"campaign_id": scheduled.id}
    early = services.campaign_timing_mismatch(
        launch, "campaign-scope", params, starts - timedelta(days=7), "fr"
    )
    assert early is not None and not early.days_left and not early.running_before
    assert services.campaign_timing_mismatch(launch, "campaign-scope", params, starts, "fr") is None
