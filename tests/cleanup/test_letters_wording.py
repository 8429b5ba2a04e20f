"""The clean-up's French says « lettres d'information » everywhere, the action type's
name as its goal's label, never « newsletters »."""

import html
import re

from tests.conftest import login


def test_french_readers_unsubscribe_from_lettres_d_information(client, make, running):
    campaign = running
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True))
    assert ">Se désabonner des lettres d'information (éléments)</option>" in page
    assert "newsletter" not in page.lower()


def test_the_goal_label_says_the_same_words(client, make):
    login(client, make.user(roles=("organiser",), locale="fr"))
    page = html.unescape(client.get("/cleanup/campaigns/new").get_data(as_text=True))
    assert "lettres d'information" in page
    assert not re.search(r"newsletters", page, re.I)
