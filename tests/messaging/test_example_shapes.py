"""A preview for someone else shows each variable's example (for privacy): each example
reads in the form a real person's value takes, in each language. The hours' example read
« Lundi au vendredi : 8 h 30–12 h, 13 h 30–17 h » where every real value goes on
« ; samedi et dimanche : fermé ; jours fériés : fermé »."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.cleanup import services as cleanup_services
from app.core.personalisation import known_variables
from app.core.time import utcnow
from tests.conftest import login
from tests.recycling.conftest import rec  # noqa: F401 - collection points

HX = {"HX-Request": "true"}
PARIS = ZoneInfo("Europe/Paris")
# The hours every example describes: the usual week of a town hall.
HOURS = "Mo-Fr 08:30-12:00,13:30-17:00; PH off"
# Secret (a placeholder in every preview), or given only once the campaign has ended (the
# reason for ending early is free text); every goal only when there are several.
NOT_COMPARED = {"unsubscribe_url", "results_url", "ended_early", "ended_early_reason",
                "goals_progress"}  # fmt: skip
# Names, free text: only their separators tell their form ("Name – Address, Town").
FREE_TEXT = {"first_name", "display_name", "badges", "campaign_name", "team_name",
             "nearest_collection_point"}  # fmt: skip
COMPARED = [
    "badges", "campaign_ends", "campaign_name", "campaign_starts", "campaign_url", "days_left",
    "days_left_text", "display_name", "ends_when", "first_name", "goal_progress", "guides_url",
    "inbox_url", "nearest_collection_point", "nearest_collection_point_hours", "points",
    "points_text", "portal_url", "rank", "starts_when", "team_name", "team_points",
    "team_points_text", "team_rank",
]  # fmt: skip


def shape(name: str, text: str) -> str:
    """What a value looks like, whatever it says: a link's host as `//host`, numbers (with
    their separators) as `9`, words as one `A` or `a` after the case of the first
    (a name, digits and all, as `A`); punctuation and its spaces as they are."""
    text = re.sub(r"https?://[^/\s]+", "//host", text)
    if name in FREE_TEXT:
        return re.sub(r"\w+(?:[ '’-]\w+)*", "A", text)
    text = re.sub(r"\d+(?:[\u202f\u00a0 ,.]\d{3})*(?:[,.]\d+)?", "9", text)
    return re.sub(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)*", lambda m: "Aa"[m[0][0].islower()], text)


def _values(auth, recipient: str) -> dict[str, dict[str, str]]:
    """Each variable's value in the preview for `recipient`, by language."""
    body = " ||| ".join(f"{name}=[{{{{ {name} }}}}]" for name in COMPARED)
    data = {"key": "x", "name": "x", "subject_fr": "x", "subject_en": "x",
            "body_fr": body, "body_en": body, "recipient": recipient}  # fmt: skip
    page = auth.post("/messaging/templates/preview", data=data, headers=HX).get_data(as_text=True)
    values = {}
    for locale, shown in re.findall(
        r'<div class="message-body" lang="(..)">(.*?)</div>', page, re.S
    ):
        shown = html.unescape(re.sub(r"<[^>]+>", "", shown)).strip()
        values[locale] = dict(re.findall(r"(\w+)=\[(.*?)\](?= \|\|\||$)", shown))
    return values


@pytest.fixture
def real_and_examples(auth, client, make, rec, make_campaign, config):  # noqa: F811
    """A real person's values (their own preview) and the examples (a preview for a
    colleague), by language: someone with points, a badge, a team and a point nearby."""
    config(LEADERBOARD_MIN_TEAM=1)
    # Whole hours as the examples; noon, as a midnight end reads "23 h 59" (run near 0 h).
    hour = datetime.now(PARIS).replace(hour=12, minute=0, second=0, microsecond=0)
    campaign = make_campaign(
        starts_at=hour - timedelta(days=2), ends_at=hour + timedelta(days=19),
        goals={"GB": 50000, "devices": 5},
    )  # fmt: skip
    commune = make.commune()
    rec.point(commune=commune, name="Mairie de Mérignac", opening_hours=HOURS,
              address="Place Charles-de-Gaulle, 33700 Mérignac")  # fmt: skip
    me = make.user(
        roles=("organiser",),
        display_name="Camille Martin",
        commune=commune,
        department=make.department(name_fr="Direction des finances", name_en="Finance"),
    )
    cleanup_services.log_action(me, campaign, "delete-mail", 2, utcnow())
    make.user(email="paule@example.org")
    login(client, me)
    return _values(auth, me.email), _values(auth, "paule@example.org")


def test_every_variable_every_message_may_use_is_compared(app):
    every = {name for name, v in known_variables().items() if v.only_in is None}
    assert every - NOT_COMPARED == set(COMPARED)


@pytest.mark.parametrize("name", COMPARED)
def test_a_preview_for_someone_else_gives_an_example_in_the_form_of_a_real_value(
    real_and_examples, name
):
    real, examples = real_and_examples
    for locale in ("fr", "en"):
        example, value = examples[locale][name], real[locale][name]
        assert shape(name, example) == shape(name, value), (locale, example, value)
