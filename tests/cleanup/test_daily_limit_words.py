"""The same limit had three names: « Daily cap (GB a day) » on the campaign form, "Daily
limit" in the guides, "daily limit" in a log's refusal; in French « Plafond journalier »,
« Limite par jour » and « limite quotidienne ». It is now the daily limit everywhere in
English, « plafond journalier » (the most used) everywhere in French."""

import html
import re

from tests.cleanup.conftest import Participant
from tests.conftest import login


def _text(response) -> str:
    """The page as read: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_english_pages_say_daily_limit(client, make, participant):
    login(client, make.user(roles=("organiser",), locale="en"))
    form = _text(client.get("/cleanup/campaigns/new"))
    assert "Daily limit (GB a day)" in form
    guides = _text(client.get("/cleanup/guides"))
    assert "Daily limit" in guides
    edit = _text(client.get("/cleanup/guides/unsubscribe/edit"))
    assert "Default daily limit (items a day)" in edit
    refused = Participant(client, participant.campaign, make.user(locale="en"))
    assert "daily limit" in _text(refused.log("delete-mail", "1000"))
    for page in (form, guides, edit):
        assert "daily cap" not in page.lower()


def test_french_pages_say_plafond_journalier(client, make, participant):
    login(client, make.user(roles=("organiser",), locale="fr"))
    form = _text(client.get("/cleanup/campaigns/new"))
    assert "Plafond journalier (Go par jour)" in form
    guides = _text(client.get("/cleanup/guides"))
    assert "Plafond journalier" in guides and "plafonds journaliers" in guides
    refused = Participant(client, participant.campaign, make.user(locale="fr"))
    assert "plafond journalier" in _text(refused.log("delete-mail", "1000"))
    for page in (form, guides):
        assert "limite par jour" not in page.lower() and "limites par jour" not in page.lower()
