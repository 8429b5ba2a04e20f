"""The privacy notice says who sees what (staff and processors), what the one cookie is,
that the audit log keeps one's own consent choices, and what an erasure leaves of a
device return."""

import html
import re

import pytest


def _text(client, language="en"):
    page = client.get("/privacy", headers={"Accept-Language": language}).get_data(as_text=True)
    return re.sub(r"[ \t\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_notice_names_who_sees_what(client):
    text = _text(client)
    assert "Who sees your data" in text
    assert "organisers see the clean-up entries they review" in text
    assert "under the name or the pseudonym each person chose" in text
    assert "agents of a collection point see the devices returned at their point" in text
    assert "administrators see each account: the name, e-mail address, staff number" in text
    assert "E-mails are sent through the e-mail service of Bordeaux Métropole" in text
    assert "hosted by the host chosen by Bordeaux Métropole" in text


def test_the_processors_are_named_by_the_settings(app, client):
    app.config.update(MAIL_PROCESSOR_NAME="Brevo", HOSTING_PROCESSOR_NAME="OVHcloud")
    try:
        text = _text(client)
    finally:
        del app.config["MAIL_PROCESSOR_NAME"], app.config["HOSTING_PROCESSOR_NAME"]
    assert "E-mails are sent through Brevo" in text
    assert "hosted by OVHcloud" in text


def test_the_notice_describes_the_only_cookie(client):
    text = _text(client)
    assert "a single cookie, the session cookie: it is strictly necessary" in text
    assert "(HttpOnly)" in text and "(SameSite=Lax)" in text and "8 hours at most" in text
    assert "no consent is asked" in text
    assert "keeps a random mark of that session until the cookie would have expired" in text


def test_the_log_says_it_keeps_ones_consent_choices_and_the_asset_tag_after_erasure(client):
    text = _text(client)
    assert "It also records your own consent choices" in text
    assert "which administrators see" in text
    assert "the asset tag of a device you returned no longer leads to you within the portal" in text
    assert "the authority's inventory, kept outside the portal, may still record" in text


@pytest.mark.parametrize(
    "words",
    [
        "Qui voit vos données",
        "un seul cookie, le cookie de session\u00a0:",
        "vos propres choix de consentement",
        "ne mène plus à vous dans le portail",
    ],
)
def test_the_new_sections_are_in_french(client, words):
    assert words in _text(client, "fr")
