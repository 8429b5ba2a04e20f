"""A misspelt search that finds nothing offers the search spelt as the catalogue spells it
(« Vouliez-vous dire : ordinateur portable ? »), as a link that finds the items, in the
full page and in the live search's fragment, read out with the count; never for a search
that finds items or has no close word, and never more than a moment's work."""

import html
import re
import time

import pytest
from playwright.sync_api import expect

from tests.catalogue.test_item_codes import FORM as ITEM_FORM
from tests.conftest import browser_sign_in, login

HX = {"HX-Request": "true"}
NAMES = re.compile(r'href="/catalogue/items/\d+">([^<]+)</a>')
SUGGESTION = re.compile(
    r'<p data-announce>([^<]*)<a href="([^"]+)">(?:<span lang="(\w+)">)?([^<]+)(?:</span>)?</a>([^<]*)</p>'
)


@pytest.fixture
def catalogue(make_item):
    make_item(name_fr="Ordinateur portable standard", name_en="Standard laptop")
    make_item(name_fr="Écran 24 pouces", name_en="24-inch monitor", category="monitor")
    make_item(name_fr="Imprimante laser", name_en="Laser printer", category="printer")


def _page(client, q: str, headers=None, **filters) -> str:
    answer = client.get("/catalogue/", query_string={"q": q, **filters}, headers=headers)
    assert answer.status_code == 200
    return html.unescape(answer.text)


def _suggestion(page: str) -> tuple[str | None, str | None]:
    """The suggestion's sentence as read, and the address its link runs (None, None
    when there is none)."""
    found = SUGGESTION.search(page)
    if found is None:
        return None, None
    before, url, _language, words, after = found.groups()
    return f"{before}{words}{after}", url


def _names(client, url: str) -> list[str]:
    return sorted(html.unescape(name) for name in NAMES.findall(client.get(url).text))


@pytest.mark.parametrize(
    ("locale", "q", "sentence", "found"),
    [
        pytest.param("fr", "ordinatuer portabel",
                     "Vouliez-vous dire\u00a0: ordinateur portable\u00a0?",
                     "Ordinateur portable standard", id="french"),
        # Written with the names' accents.
        pytest.param("fr", "ecarn", "Vouliez-vous dire\u00a0: écran\u00a0?", "Écran 24 pouces",
                     id="french-accents"),
        pytest.param("en", "labtop", "Did you mean: laptop?", "Standard laptop", id="english"),
        # Never spelt from the other language's names: see
        # test_search_ranks_the_named_equipment_first.py.
    ],
)  # fmt: skip
def test_a_misspelt_search_suggests_the_search_that_finds_the_items(
    client, make, catalogue, locale, q, sentence, found
):
    login(client, make.user(locale=locale))
    said, url = _suggestion(_page(client, q))
    assert said == sentence
    assert _names(client, url) == [found]


def test_a_correctly_spelt_search_suggests_nothing(client, make, catalogue):
    login(client, make.user(locale="fr"))
    page = _page(client, "ordinateur portable")
    assert "Ordinateur portable standard" in page
    assert "Vouliez-vous dire" not in page


def test_a_search_with_no_close_word_says_nothing_matches(client, make, catalogue):
    login(client, make.user(locale="fr"))
    page = _page(client, "zqxwvk")
    assert "Aucun article ne correspond" in page
    assert "Vouliez-vous dire" not in page


def test_the_live_search_fragment_announces_the_suggestion(client, make, catalogue):
    login(client, make.user(locale="en"))
    fragment = _page(client, "labtop", headers=HX)
    assert "<html" not in fragment
    sentence, url = _suggestion(fragment)
    assert sentence == "Did you mean: laptop?"
    assert _names(client, url) == ["Standard laptop"]


def test_a_suggestion_keeps_the_filters_and_finds_items_with_them(client, make, catalogue):
    login(client, make.user(locale="en"))
    _sentence, url = _suggestion(_page(client, "labtop", kind="equipment", sort="footprint"))
    assert "kind=equipment" in url and "sort=footprint" in url
    # Among the printers no laptop is found: "laptop" is no suggestion there.
    page = _page(client, "labtop", category="printer")
    assert "No item matches" in page
    assert "Did you mean" not in page


def test_a_new_item_s_name_is_suggested_once_it_is_created(client, auth, make, catalogue):
    login(client, make.user(roles=("admin",), locale="fr"))
    for _asked in range(2):  # the answer and the words it was spelt against both kept
        assert _suggestion(_page(client, "videoprojetceur")) == (None, None)
    form = ITEM_FORM | {"code": "VP-1", "category": "accessory",
                        "name_fr": "Vidéoprojecteur de salle", "name_en": "Room projector"}  # fmt: skip
    assert auth.post("/catalogue/admin/items/new", form).status_code == 302
    sentence, url = _suggestion(_page(client, "videoprojetceur"))
    assert sentence == "Vouliez-vous dire\u00a0: vidéoprojecteur\u00a0?"
    assert _names(client, url) == ["Vidéoprojecteur de salle"]


@pytest.mark.parametrize(
    "q",
    [
        "%&*!?;:/\\<>«»—",
        "ordinatuer " * 9,
        " ".join(["abc"] * 25),  # 99 characters: as many words as the field takes
        "x" * 100,
        "l'ordinatuer-portabel",
        "ordinatuerportabelordinatuerportabel",
    ],
)
def test_odd_searches_answer_at_once(client, make, catalogue, q):
    login(client, make.user(locale="fr"))
    start = time.perf_counter()
    for headers in (None, HX):
        answer = client.get("/catalogue/", query_string={"q": q[:100]}, headers=headers)
        assert answer.status_code == 200
    assert time.perf_counter() - start < 2


def test_a_search_too_long_is_refused_without_a_suggestion(client, make, catalogue):
    login(client, make.user(locale="en"))
    answer = client.get("/catalogue/", query_string={"q": "labtop " * 500})
    assert answer.status_code == 400
    assert "The search is too long" in answer.text
    assert "Did you mean" not in answer.text


@pytest.mark.browser
def test_the_live_search_reads_out_the_suggestion_and_the_keyboard_follows_it(
    page, make, catalogue
):
    """Read out with the count after the swap, the link next along from the search
    button; followed, it fills the search box with the words it found."""
    employee = make.user(locale="fr", email="misspells@example.org")
    browser_sign_in(page, employee.email)
    page.goto("/catalogue/", wait_until="load")
    box = page.get_by_role("searchbox")
    box.fill("ordinatuer portabel")
    expect(page.locator("#announcer")).to_contain_text(
        "Vouliez-vous dire\u00a0: ordinateur portable\u00a0?"
    )
    page.get_by_role("button", name="Rechercher").focus()
    page.keyboard.press("Tab")
    link = page.get_by_role("link", name="ordinateur portable")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("searchbox")).to_have_value("ordinateur portable")
    expect(page.get_by_role("link", name="Ordinateur portable standard")).to_be_visible()
