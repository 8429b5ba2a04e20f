"""The page a sign-in link opens speaks the language the e-mail was written in, in
whichever browser opens it: the link carries ?lang=. Nothing else about the link changes
(one use, its expiry)."""

import re
from urllib.parse import parse_qs, urlsplit

from tests.conftest import csrf_token

LINK_RE = re.compile(r"https?://\S+/auth/sign-in/link/\S+")


def link_asked(client, email, lang):
    client.post(
        f"/auth/sign-in/link?lang={lang}",
        data={"link-email": email, "csrf_token": csrf_token(client)},
        buffered=True,
    )


def link_of(message) -> str:
    found = LINK_RE.search(message.get_body(("plain",)).get_content())
    assert found, "no sign-in link in the e-mail"
    parts = urlsplit(found.group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_link_asked_in_english_opens_in_english_in_a_french_browser(app, client, make, smtp):
    make.user(email="emma@example.org", locale=None)
    link_asked(client, "emma@example.org", "en")
    [(_to, message)] = smtp.messages
    assert message["Subject"] == "Your sign-in link to Empreinte"
    link = link_of(message)

    fresh = app.test_client()  # another browser, set to French
    page = fresh.get(link, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sign in with your link" in text
    assert "Se connecter avec votre lien" not in text


def test_the_link_follows_the_persons_own_language_over_the_page_asked_from(
    app, client, make, smtp
):
    make.user(email="louis@example.org", locale="fr")
    link_asked(client, "louis@example.org", "en")
    [(_to, message)] = smtp.messages
    assert message["Subject"] == "Votre lien de connexion à Empreinte"
    link = link_of(message)
    assert parse_qs(urlsplit(link).query)["lang"] == ["fr"]
    page = app.test_client().get(link, headers={"Accept-Language": "en"})
    assert "Se connecter avec votre lien" in page.get_data(as_text=True)


def test_the_link_still_signs_in_once(app, client, make, smtp):
    make.user(email="zoe@example.org", locale=None)
    link_asked(client, "zoe@example.org", "en")
    [(_to, message)] = smtp.messages
    link = link_of(message)
    browser = app.test_client()
    browser.get(link)
    first = browser.post(link, data={"csrf_token": csrf_token(browser)})
    assert first.status_code == 302
    other = app.test_client()
    other.get(link, headers={"Accept-Language": "fr"})
    second = other.post(link, data={"csrf_token": csrf_token(other)})
    assert "Sign in with your link" not in second.get_data(as_text=True)
    assert other.get("/").status_code == 302  # not signed in
