"""The privacy notice opens with a short summary, each line leading to its section, and
its contents: what would surprise a reader is said there (first openings of inbox
messages recorded, a pseudonym on leaderboards by default and where to change it,
administrators seeing whether an account has a password)."""

import html
import re


def _summary(page: str) -> str:
    section = re.search(r'<section class="privacy-summary".*?</section>', page, re.S).group(0)
    words = html.unescape(re.sub(r"<[^>]+>", " ", section))
    return re.sub(r"\s+", " ", re.sub(r"[\u00a0\u202f]", " ", words))


def _ids(page: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', page))


def test_the_summary_says_what_would_surprise_a_reader(client):
    page = client.get("/privacy?lang=fr").get_data(as_text=True)
    summary = _summary(page)
    assert "l'heure à laquelle vous ouvrez chacun pour la première fois" in summary
    assert "vos collègues vous voient sous un pseudonyme choisi par le portail" in summary
    assert "y compris s'il a un mot de passe" in summary
    assert 'href="/auth/profile#prefs-title">votre profil' in page


def test_the_summary_fits_a_few_lines_each_leading_to_its_section(client):
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    section = re.search(r'<section class="privacy-summary".*?</section>', page, re.S).group(0)
    lines = re.findall(r"<li>(.*?)</li>", section, re.S)
    assert 5 <= len(lines) <= 7
    for line in lines:
        target = re.search(r'href="#([^"]+)"', line).group(1)
        assert target in _ids(page)


def test_the_contents_list_every_section_of_the_notice(client):
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    contents = re.search(r'<nav aria-labelledby="privacy-contents">.*?</nav>', page, re.S).group(0)
    listed = re.findall(r'href="#([^"]+)"', contents)
    sections = re.findall(r'<h2 id="([^"]+)"', page)
    assert listed == [s for s in sections if s not in ("summary", "privacy-contents")]
    assert len(listed) == 8
