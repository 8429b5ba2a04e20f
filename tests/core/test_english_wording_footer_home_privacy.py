"""English that reads as English: the footer names the portal "the sustainable IT portal",
the home page says "every action counts", and the privacy notice speaks of the response
status, matching an account with the staff directory, the data controller and totals by
department."""

import html
import re

from tests.conftest import login


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.get_data(as_text=True)))


def test_the_footer_names_the_sustainable_it_portal(client):
    page = text(client.get("/privacy?lang=en"))
    assert "Empreinte, the sustainable IT portal for Bordeaux Métropole staff." in page
    assert "responsible digital practice" not in page


def test_the_home_page_says_every_action_counts(client, make):
    login(client, make.user(locale="en"))
    page = text(client.get("/"))
    assert "every action counts." in page and "gesture" not in page


def test_the_privacy_notice_reads_as_english(client):
    page = text(client.get("/privacy?lang=en"))
    assert "the time and the response status" in page
    assert "(used to match your account with the staff directory and the identity provider)" in (
        page
    )
    assert "The data controller is Bordeaux Métropole." in page
    assert "Totals by department, commune and campaign" in page
    for translated in ("answer's status", "find your account again", "this processing"):
        assert translated not in page


def test_the_french_privacy_notice_keeps_its_words(client):
    page = text(client.get("/privacy?lang=fr"))
    assert "l'heure et le statut de la réponse" in page
    assert "Le responsable du traitement est Bordeaux Métropole." in page
