"""A collective goal reads the same everywhere, its numbers held to their units: home and
the campaign page wrote « 46 000 Go », « 310 appareils » and « 20 % » with a plain space
(a line could end between them), and the reminder said « 9 To sur 46 To (20 %) » of the
goal the page wrote « 9 039,2 / 46 000 Go »."""

import html
import re
from datetime import timedelta

from flask import render_template_string
from flask_babel import force_locale

from app.cleanup import services
from app.cleanup.integration import goal_text
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

NBSP = "\u00a0"
# The one goal of the review, as the campaign page and the reminder gave it.
REVIEWED = {"achieved": 9039.2, "target": 46000, "unit": "GB"}


def _goal_lines(page: str) -> list[str]:
    """Each goal's text as read (entities read, the group separator as a no-break space)."""
    goals = page.split('<ul class="cleanup-goals">', 1)[1].split("</ul>", 1)[0]
    text = html.unescape(re.sub(r"<[^>]+>", "|", goals)).replace("\u202f", NBSP)
    return [re.sub(r"[ \t\n]+", " ", line).strip() for line in text.split("<li>")]


def _page_line(goal: dict) -> str:
    """The goal as the campaign page's goal list writes it, in French."""
    with force_locale("fr"):
        page = render_template_string(
            '{% from "cleanup/_macros.html" import goal_list %}{{ goal_list([goal]) }}', goal=goal
        )
    return " ".join(_goal_lines(page))


def test_goal_figures_keep_their_units_and_percent_on_home_and_the_campaign_page(
    client, make, make_campaign
):
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=3),
        goals={"GB": 46000, "devices": 310},
    )
    services.log_action(make.user(), campaign, "delete-mail", 9.2, now - timedelta(days=1))
    db.session.commit()
    login(client, make.user(locale="fr"))
    for url in (f"/cleanup/campaigns/{campaign.id}", "/"):
        text = " ".join(_goal_lines(client.get(url).text))
        assert f"9,2 / 46{NBSP}000{NBSP}Go" in text, url
        assert f"0 / 310{NBSP}appareils" in text, url
        # The bar's own words, where a browser does not draw it.
        assert re.search(r"<progress[^>]*>0\u00a0%</progress>", client.get(url).text), url
        assert not re.search(r"\d (Go|appareils|%)", text), (url, text)


def test_the_messages_goal_line_writes_the_figures_and_unit_of_the_page(app):
    with app.test_request_context():
        page = _page_line(REVIEWED)
    assert f"9{NBSP}039,2 / 46{NBSP}000{NBSP}Go" in page
    message = goal_text(REVIEWED, "fr").replace("\u202f", NBSP)
    assert message == f"9{NBSP}039,2{NBSP}Go sur 46{NBSP}000{NBSP}Go (20{NBSP}%)"


def test_the_english_goal_line_keeps_gigabytes_too(app):
    assert goal_text(REVIEWED, "en") == f"9,039.2{NBSP}GB of 46,000{NBSP}GB (20%)"
