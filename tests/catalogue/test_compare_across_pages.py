"""Found on a 360 px phone and with a screen reader: items ticked on two pages of the
listing compared together, a compare button in reach with how many are ticked, a
comparison's figures written as their pages write them, the filters readable, an item's sources in plain words."""

import html
import re

import pytest
from playwright.sync_api import expect

from app.catalogue.seed import FORMER_REFURBISHED_NOTE
from tests.conftest import browser_sign_in, login

HX = {"HX-Request": "true"}
BOAVIZTA = "Boavizta API 2.5.0 (boaviztapi, smartphone-default); ADEME Base Impacts / NegaOctet"


@pytest.fixture
def monitors(make_item):
    """30 monitors: 25 on the listing's first page, 5 on its second."""
    return [
        make_item(name_en=f"Monitor {n:02d}", name_fr=f"Écran {n:02d}", category="monitor")
        for n in range(30)
    ]


# 1. Ticks kept from page to page ---------------------------------------------------


def test_the_next_page_is_a_button_sending_the_boxes_ticked(client, make, monitors):
    """A link to page 2 forgot the box ticked on page 1 since the page was loaded."""
    login(client, make.user(locale="en"))
    page = client.get("/catalogue/?category=monitor").text
    assert (
        '<button type="submit" form="catalogue-search" name="page" value="2">Next</button>' in page
    )
    assert 'form="catalogue-search" aria-label="Compare Monitor 03"' in page


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_page_two_shows_the_item_ticked_on_page_one_as_kept(client, make, monitors, headers):
    login(client, make.user(locale="en"))
    asked = f"/catalogue/?category=monitor&ids={monitors[3].id}&page=2"
    page = client.get(asked, headers=headers).text
    kept = page.split('id="ticked"', 1)[1]
    assert "Also ticked to compare" in kept and "Monitor 03" in kept
    assert f'id="ticked-{monitors[3].id}" form="catalogue-search" checked' in kept


@pytest.mark.browser
@pytest.mark.parametrize("scripts", [True, False], ids=["htmx", "without-javascript"])
def test_items_ticked_on_two_pages_are_compared_together(
    browser, live_server, make, monitors, scripts
):
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=scripts)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.set_viewport_size({"width": 360, "height": 740})
        browser_sign_in(page, make.user(locale="fr", email=f"pages-{scripts}@example.org"))
        page.goto("/catalogue/?category=monitor", wait_until="load")
        page.get_by_role("checkbox", name="Comparer Écran 03").check()
        page.get_by_role("button", name="Suivante").click()
        expect(page.get_by_role("link", name="Écran 27")).to_be_visible()
        # The page-1 tick is kept, and said so.
        expect(page.get_by_role("checkbox", name="Écran 03", exact=True)).to_be_checked()
        page.get_by_role("checkbox", name="Comparer Écran 27").check()
        page.get_by_role("button", name="Comparer les articles cochés (2 à 4)").click()
        expect(page).to_have_url(re.compile(r"/catalogue/compare\?"))
        compared = page.locator(".compare-table thead")
        expect(compared).to_contain_text("Écran 03")
        expect(compared).to_contain_text("Écran 27")
    finally:
        context.close()


# 2. The compare button in reach, with how many are ticked ---------------------------


def test_the_compare_button_comes_before_the_results_with_the_count(client, make, monitors):
    login(client, make.user(locale="en"))
    ticked = f"ids={monitors[3].id}&ids={monitors[27].id}"
    page = client.get(f"/catalogue/?category=monitor&{ticked}").text
    bar = page.index('id="compare-bar"')
    assert bar < page.index('id="results"') < page.index("Monitor 00")
    assert page.count("Compare the ticked items (2 to 4)") == 1
    assert 'data-ticked="2"' in page[bar : bar + 200]
    assert "Ticked to compare: <span data-ticked-count>2</span>" in page


def test_a_live_search_brings_the_compare_bar_with_its_count(client, make, monitors):
    login(client, make.user(locale="en"))
    fragment = client.get(f"/catalogue/?q=monitor&ids={monitors[3].id}", headers=HX).text
    bar = fragment.split('id="compare-bar"', 1)[1]
    assert 'data-ticked="1" hx-swap-oob="true"' in bar
    assert "Compare the ticked items (2 to 4)" in bar


@pytest.mark.browser
def test_on_a_phone_ticking_shows_the_count_and_keeps_compare_in_view(page, make, monitors):
    page.set_viewport_size({"width": 360, "height": 740})
    browser_sign_in(page, make.user(locale="fr", email="bar@example.org"))
    page.goto("/catalogue/?category=monitor", wait_until="load")
    compare = page.get_by_role("button", name="Comparer les articles cochés (2 à 4)")
    page.get_by_role("checkbox", name="Comparer Écran 22").check()
    page.get_by_role("checkbox", name="Comparer Écran 23").check()
    expect(page.locator(".compare-count")).to_have_text("Cochés pour comparer\u00a0: 2")
    # Said politely, without moving the focus from the box.
    expect(page.locator("#announcer")).to_have_text("Cochés pour comparer\u00a0: 2")
    expect(page.get_by_role("checkbox", name="Comparer Écran 23")).to_be_focused()
    # Far down the list, the button is still on the screen.
    page.get_by_role("button", name="Suivante").scroll_into_view_if_needed()
    expect(compare).to_be_in_viewport()
    # An item ticked twice (listed, and kept apart) counts once; none ticked, no count.
    page.get_by_role("checkbox", name="Comparer Écran 22").uncheck()
    page.get_by_role("checkbox", name="Comparer Écran 23").uncheck()
    expect(page.locator(".compare-count")).to_be_hidden()


# 3. and 4. The comparison's rows ------------------------------------------------------


def _row(page: str, heading: str) -> list[str]:
    row = re.search(rf'<th scope="row">{re.escape(heading)}</th>(.*?)</tr>', page, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def test_each_manufacturing_figure_reads_as_on_its_item_page(client, make, make_item):
    """« 84 kg CO₂e » as its page writes it, beside « 21,0 kg CO₂e » (whose range needs
    the tenth on its page too)."""
    heavy = make_item(embodied_kgco2e=84.0)
    light = make_item(embodied_kgco2e=21.0, embodied_min_kgco2e=20.5, embodied_max_kgco2e=30.0)
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/compare?ids={heavy.id}&ids={light.id}").text
    assert _row(page, "Fabrication (total)") == ["84 kg\u00a0CO₂e", "21,0 kg\u00a0CO₂e"]


def test_a_row_of_whole_figures_stays_whole(client, make, make_item):
    one, other = make_item(embodied_kgco2e=84.0), make_item(embodied_kgco2e=120.0)
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/compare?ids={one.id}&ids={other.id}").text
    assert _row(page, "Fabrication (total)") == ["84 kg\u00a0CO₂e", "120 kg\u00a0CO₂e"]


def test_the_label_row_says_each_letter_once(client, make, make_item):
    """The row heading "Label" was said again in each cell, « Étiquette B »."""
    one, other = make_item(), make_item(embodied_kgco2e=20.0)
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/compare?ids={one.id}&ids={other.id}").text
    assert _row(page, "Étiquette") == [one.grade, other.grade]


# 5. The filters readable on a phone ---------------------------------------------------

CUT = """() => [...document.querySelectorAll('#catalogue-search select')].map((select) => {
  const text = document.createElement('span');
  text.style.font = getComputedStyle(select).font;
  text.style.whiteSpace = 'nowrap';
  text.style.position = 'absolute';
  text.textContent = select.selectedOptions[0].textContent;
  document.body.append(text);
  const needed = text.getBoundingClientRect().width;
  text.remove();
  // The room for the text: the box less its padding and the arrow (about 1.5em).
  const style = getComputedStyle(select);
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
    - 1.5 * parseFloat(style.fontSize);
  return {name: select.name, needed, room};
})"""


@pytest.mark.browser
def test_on_a_phone_each_filter_shows_its_choice_whole(page, make, monitors):
    """Two by two at 360 px: « Toutes les caté… », « Toutes les étiq… »."""
    page.set_viewport_size({"width": 360, "height": 740})
    browser_sign_in(page, make.user(locale="fr", email="filters@example.org"))
    page.goto("/catalogue/", wait_until="load")
    filters = page.evaluate(CUT)
    cut = [f for f in filters if f["needed"] > f["room"]]
    assert len(filters) == 5 and cut == [], cut


# 6. An item's sources in plain words --------------------------------------------------


@pytest.fixture
def refurbished_phone(make_item):
    return make_item(
        category="smartphone",
        name_en="Refurbished smartphone",
        source=BOAVIZTA,
        source_url="https://github.com/Boavizta/boaviztapi",
        # The note's 25 % of the new smartphone's 84 kg (a figure it would contradict is
        # refused beside it).
        embodied_kgco2e=21.0,
        embodied_min_kgco2e=6.0,
        embodied_max_kgco2e=25.0,
        use_kwh_per_year=4.0,
        use_kwh_min=2.0,
        use_kwh_max=6.0,
        description_fr=FORMER_REFURBISHED_NOTE["fr"],
        description_en=FORMER_REFURBISHED_NOTE["en"],
    )


def _in_view(page: str) -> str:
    """The item page's words as read before opening the folded technical reference."""
    page = re.sub(r"<details.*?</details>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(
    ("locale", "plain", "jargon"),
    [
        (
            "fr",
            [
                # A refurbished model's figure, a share of the new one's, said so.
                "25\u00a0% d'un smartphone standard neuf, Boavizta, les données ouvertes de "
                "référence sur l'empreinte du numérique (version 2.5.0)",
                "la source de référence (Boavizta) ne compte pas le reconditionnement",
                "selon la puissance qu'il consomme",
            ],
            ["boaviztapi", "puissance appelée", "smartphone-default"],
        ),
        (
            "en",
            [
                "25% of a new standard smartphone, Boavizta, the open reference data for "
                "IT footprints (version 2.5.0)",
                "refurbishing is not counted by the reference source (Boavizta)",
                "depending on how much power it draws",
            ],
            ["boaviztapi", "power drawn", "smartphone-default"],
        ),
    ],
)
def test_an_item_page_says_its_sources_in_plain_words(
    client, make, refurbished_phone, locale, plain, jargon
):
    login(client, make.user(locale=locale))
    page = client.get(f"/catalogue/items/{refurbished_phone.id}").text
    seen = _in_view(page)
    assert [words for words in plain if words not in seen] == []
    assert [word for word in jargon if word in seen] == []
    # The citation is still there for experts, folded under the plain words.
    folded = page.split("<details", 1)[1].split("</details>", 1)[0]
    assert "Boavizta API 2.5.0 (boaviztapi, smartphone-default)" in re.sub(r"<[^>]+>", "", folded)
    assert (
        '<a href="https://github.com/Boavizta/boaviztapi" rel="noopener">Boavizta API</a>' in folded
    )


def test_a_source_typed_by_an_admin_is_shown_as_typed_without_a_fold(client, make, make_item):
    item = make_item(source="Fiche constructeur 2025")
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/items/{item.id}").text
    assert '<p class="source">Fiche constructeur 2025</p>' in page and "<details" not in page


def test_a_yearly_figure_reads_as_beside_its_grade_on_its_page(client, make, make_item):
    """« 50 » beside « 55,2 », as each item's page writes them: a shared tenth wrote
    « 50,0 », which no page writes
    (tests/catalogue/test_compare_writes_figures_as_item_pages.py)."""
    one = make_item(embodied_kgco2e=200.0, use_kwh_per_year=0.0)
    other = make_item(embodied_kgco2e=200.0, use_kwh_per_year=100.0)
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/compare?ids={one.id}&ids={other.id}").text
    assert _row(page, "Empreinte annuelle") == ["50 kg\u00a0CO₂e", "55,2 kg\u00a0CO₂e"]
