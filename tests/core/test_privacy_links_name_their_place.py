"""Each link of the privacy notice's summary, and of the home page's welcome, names the
place it leads to: a screen reader's list of links reads it out of its sentence."""

import html
import re

from tests.conftest import login


def _summary(page: str) -> str:
    return re.search(r'<section class="privacy-summary".*?</section>', page, re.S).group(0)


def _words(fragment: str) -> str:
    words = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return re.sub(r"\s+", " ", re.sub(r"[\u00a0\u202f]", " ", words)).strip()


def _headings(page: str) -> dict[str, str]:
    return {
        heading_id: _words(text)
        for heading_id, text in re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', page, re.S)
    }


def _links(fragment: str) -> list[tuple[str, str]]:
    return [
        (target, _words(text))
        for target, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', fragment, re.S)
    ]


def test_each_summary_link_says_the_section_it_leads_to(client):
    for language in ("fr", "en"):
        page = client.get(f"/privacy?lang={language}").get_data(as_text=True)
        headings = _headings(page)
        in_page = [(t, text) for t, text in _links(_summary(page)) if t.startswith("#")]
        assert len(in_page) >= 5
        for target, text in in_page:
            assert text == headings[target[1:]], (language, target, text)


def test_no_two_summary_lines_lead_to_the_same_section(client):
    page = client.get("/privacy?lang=fr").get_data(as_text=True)
    targets = [t for t, _ in _links(_summary(page)) if t.startswith("#")]
    assert len(set(targets)) == len(targets)


def test_the_summary_link_to_the_profile_names_its_section(client):
    page = client.get("/privacy?lang=fr").get_data(as_text=True)
    assert ("/auth/profile#prefs-title", "votre profil : Préférences et consentement") in _links(
        _summary(page)
    )


def test_the_welcome_link_to_the_profile_names_its_section(client, make):
    login(client, make.user())
    page = client.get("/?lang=fr").get_data(as_text=True)
    welcome = re.search(r'<section class="welcome".*?</section>', page, re.S).group(0)
    assert ("/auth/profile#prefs-title", "votre profil : Préférences et consentement") in _links(
        welcome
    )
