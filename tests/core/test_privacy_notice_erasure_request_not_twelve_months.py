"""The privacy notice's retention of departed accounts no longer reads as if an erasure
request waited as long. (The audit CSV's English words: test_audit_csv_language_and_bad_filters.)"""

import html
import re


def _notice(client, language: str) -> str:
    page = client.get("/privacy", headers={"Accept-Language": language})
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
    return " ".join(text.replace("\u00a0", " ").split())


def test_the_notice_says_an_erasure_request_does_not_wait_the_departed_accounts_period(client):
    text = _notice(client, "en")
    assert "as an erasure request is" not in text
    assert (
        "An account deactivated by an administrator or by the staff directory (when you "
        "leave) is erased 12 months after its deactivation, unless it was reactivated in "
        "the meantime."
    ) in text
    assert (
        "This 12-month period is only for deactivated accounts: an erasure you ask for is "
        "carried out 30 days after your request."
    ) in text


def test_the_french_notice_says_it_too(client):
    text = _notice(client, "fr")
    assert "comme l'est une demande d'effacement" not in text
    assert (
        "Ce délai de 12 mois ne vaut que pour les comptes désactivés : une demande "
        "d'effacement que vous faites est exécutée 30 jours après votre demande."
    ) in text
