"""The individual leaderboard says why ranks are missing before its table, tied to it,
and only when some people counted in the ranks are not listed."""

import re
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

HX = {"HX-Request": "true"}
NOTE_EN = "People who chose to be hidden count in the ranks but are not listed."
NOTE_FR = (
    "Les personnes qui ont choisi d'être masquées comptent dans les rangs mais ne sont pas "
    "affichées."
)


def _board(client, make, make_campaign, locale, hidden=True):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    if hidden:
        top = make.user(leaderboard_visibility="hidden")
        services.log_action(top, campaign, "delete-mail", 3, now)
    shown = make.user(leaderboard_visibility="name", display_name="Ada Lovelace")
    services.log_action(shown, campaign, "delete-mail", 1, now)
    db.session.commit()
    login(client, make.user(locale=locale))
    return f"/cleanup/campaigns/{campaign.id}/leaderboard"


def _note_then_table(text, note):
    """The note's id when it comes before the table and the table points at it."""
    text = text.replace("&#39;", "'")
    found = re.search(r'<p class="hint" id="([^"]+)">' + re.escape(note), text)
    assert found, "the note is missing"
    table = re.search(r"<table [^>]*>", text)
    assert found.start() < table.start(), "the note comes after the table"
    assert f'aria-describedby="{found.group(1)}"' in table.group(0)
    return found.group(1)


def test_the_note_on_missing_ranks_comes_before_the_table_it_describes(client, make, make_campaign):
    url = _board(client, make, make_campaign, "en")
    for headers in ({}, HX):
        text = client.get(url, headers=headers).get_data(as_text=True)
        _note_then_table(text, NOTE_EN)
        assert text.count(NOTE_EN) == 1


def test_the_french_note_comes_before_the_table_too(client, make, make_campaign):
    url = _board(client, make, make_campaign, "fr")
    for headers in ({}, HX):
        _note_then_table(client.get(url, headers=headers).get_data(as_text=True), NOTE_FR)


def test_no_note_when_no_rank_is_missing(client, make, make_campaign):
    url = _board(client, make, make_campaign, "en", hidden=False)
    for headers in ({}, HX):
        text = client.get(url, headers=headers).get_data(as_text=True)
        assert "Ada Lovelace" in text
        assert NOTE_EN not in text and "aria-describedby" not in re.search(
            r"<table [^>]*>", text
        ).group(0)
