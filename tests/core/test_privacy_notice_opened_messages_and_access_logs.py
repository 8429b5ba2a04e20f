"""The privacy notice names two things the portal processes that it left out: when each
person opened a message in the portal (and the opened counts organisers see), and the
server's access logs; in English and in French."""

import html

import pytest


@pytest.fixture
def client(make_app):
    """The portal as deployed: no opened count for an audience under 3 people."""
    return make_app(LEADERBOARD_MIN_TEAM=3).test_client()


def _notice(client, language: str) -> str:
    return html.unescape(client.get(f"/privacy?lang={language}").get_data(as_text=True))


def test_the_notice_says_when_a_message_was_opened_is_kept_in_english(client):
    page = _notice(client, "en")
    assert "When you first open each message in your portal inbox" in page
    assert "see how many of its recipients opened it in the portal, never who" in page
    assert "only when it went to 3 people or more" in page


def test_the_notice_says_when_a_message_was_opened_is_kept_in_french(client):
    page = _notice(client, "fr")
    assert "Le moment où vous ouvrez pour la première fois chaque message" in page
    assert "combien de ses destinataires l'ont ouvert dans le portail, jamais lesquels" in page
    assert "seulement s'il a été envoyé à 3\u00a0personnes ou plus" in page


def test_the_notice_names_the_servers_access_logs_in_english(client):
    page = _notice(client, "en")
    assert "The server's access logs: for each page you visit, your IP address" in page
    assert "The server's access logs (IP addresses and pages visited) are seen only" in page


def test_the_notice_names_the_servers_access_logs_in_french(client):
    page = _notice(client, "fr")
    assert "Les journaux d'accès du serveur\u00a0: pour chaque page" in page
    assert "votre adresse IP" in page


def test_the_notice_does_not_promise_anonymous_counts_a_single_recipient_would_lose(make_app):
    page = _notice(make_app(LEADERBOARD_MIN_TEAM=1).test_client(), "en")
    assert "see how many of its recipients opened it in the portal." in page
    assert "never who" not in page
