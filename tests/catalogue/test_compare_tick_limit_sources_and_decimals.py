"""Comparing items: ticks past twelve said rather than silently
dropped, Compare's sources in plain words, the plain-word sources joined as one sentence,
and each figure of Compare written as its item's page writes it."""

import html
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login

HX = {"HX-Request": "true"}
BOAVIZTA = "Boavizta API 2.5.0 (boaviztapi, smartphone-default); ADEME Base Impacts / NegaOctet"
KEPT_EN = "Only the first 12 ticked items are kept: untick some to add others."
KEPT_FR = (
    "Seuls les 12 premiers articles cochés sont conservés\u00a0: "
    "décochez-en pour en ajouter d'autres."
)


@pytest.fixture
def monitors(make_item):
    """40 monitors: 25 on the listing's first page, 15 on its second."""
    return [
        make_item(name_en=f"Monitor {n:02d}", name_fr=f"Écran {n:02d}", category="monitor")
        for n in range(40)
    ]


def _ticked_block(page: str) -> str:
    return html.unescape(page.split('id="ticked"', 1)[1].split("</div>", 1)[0])


# 1. Ticks past twelve are said ----------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["without-javascript", "htmx"])
def test_ticks_past_twelve_are_said_where_the_ticked_items_are(client, make, monitors, headers):
    """8 ticked on page 1, 6 on page 2: the count and list showed 12 and said nothing."""
    login(client, make.user(locale="en"))
    ticked = "&".join(f"ids={m.id}" for m in monitors[:8] + monitors[25:31])
    page = client.get(f"/catalogue/?category=monitor&{ticked}&page=1", headers=headers).text
    assert 'data-ticked="12"' in page
    assert KEPT_EN in _ticked_block(page)


def test_ticks_past_twelve_are_said_in_french(client, make, monitors):
    login(client, make.user(locale="fr"))
    ticked = "&".join(f"ids={m.id}" for m in monitors[:13])
    page = client.get(f"/catalogue/?category=monitor&{ticked}&page=2").text
    assert KEPT_FR in _ticked_block(page)


def test_twelve_ticks_are_kept_without_a_word(client, make, monitors):
    login(client, make.user(locale="en"))
    ticked = "&".join(f"ids={m.id}" for m in monitors[:12])
    page = client.get(f"/catalogue/?category=monitor&{ticked}&page=2").text
    assert 'data-ticked="12"' in page and "Only the first" not in page.split('id="ticked"')[1]


@pytest.mark.browser
@pytest.mark.parametrize("scripts", [True, False], ids=["htmx", "without-javascript"])
def test_a_fourteenth_tick_is_not_forgotten_silently(browser, live_server, make, monitors, scripts):
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=scripts)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        browser_sign_in(page, make.user(locale="fr", email=f"twelve-{scripts}@example.org"))
        page.goto("/catalogue/?category=monitor", wait_until="load")
        for n in range(8):
            page.get_by_role("checkbox", name=f"Comparer Écran {n:02d}").check()
        page.get_by_role("button", name="Suivante").click()
        expect(page.get_by_role("link", name="Écran 30")).to_be_visible()
        for n in range(25, 31):
            page.get_by_role("checkbox", name=f"Comparer Écran {n}").check()
        page.get_by_role("button", name="Précédente").click()
        expect(page.get_by_role("link", name="Écran 00")).to_be_visible()
        expect(page.locator("#ticked")).to_contain_text(KEPT_FR)
        if scripts:
            # Read out: the page button the swap took away left its focus to the words.
            notice = page.locator("#ticked [data-announce]")
            expect(notice).to_be_focused()
            expect(notice).to_have_text(KEPT_FR)
    finally:
        context.close()


# 2. and 3. Sources in plain words, joined as one sentence --------------------------------


def _row(page: str, heading: str) -> list[str]:
    row = re.search(rf'<th scope="row">{re.escape(heading)}</th>(.*?)</tr>', page, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


@pytest.mark.parametrize(
    ("locale", "heading", "plain"),
    [
        (
            "fr",
            "Source",
            "Boavizta, les données ouvertes de référence sur l'empreinte du numérique "
            "(version 2.5.0, modèle\u00a0: smartphone standard)\u00a0; facteurs d'émission "
            "de l'ADEME, l'Agence de la transition écologique",
        ),
        (
            "en",
            "Source",
            "Boavizta, the open reference data for IT footprints (version 2.5.0, model: "
            "standard smartphone); emission factors of ADEME, the French agency for "
            "ecological transition",
        ),
    ],
)
def test_compare_says_its_sources_in_plain_words(client, make, make_item, locale, heading, plain):
    phone = make_item(category="smartphone", name_en="Phone", name_fr="Téléphone", source=BOAVIZTA)
    typed = make_item(source="Fiche constructeur 2025")
    login(client, make.user(locale=locale))
    page = client.get(f"/catalogue/compare?ids={phone.id}&ids={typed.id}").text
    assert _row(page, heading) == [plain, "Fiche constructeur 2025"]
    # The citation stays for experts, folded under the table.
    folded = html.unescape(page.split("<details", 1)[1].split("</details>", 1)[0])
    assert "Boavizta API 2.5.0 (boaviztapi, smartphone-default)" in folded
    assert "Fiche constructeur" not in folded


def test_compare_of_typed_sources_has_no_fold(client, make, make_item):
    one, other = make_item(source="Fiche constructeur 2025"), make_item()
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/compare?ids={one.id}&ids={other.id}").text
    assert "<details" not in page


@pytest.mark.parametrize(
    ("locale", "joined"),
    [
        ("fr", "smartphone standard)\u00a0; facteurs d'émission de l'ADEME"),
        ("en", "standard smartphone); emission factors of ADEME"),
    ],
)
def test_the_item_page_joins_its_sources_as_one_sentence(client, make, make_item, locale, joined):
    phone = make_item(category="smartphone", source=BOAVIZTA)
    login(client, make.user(locale=locale))
    page = html.unescape(client.get(f"/catalogue/items/{phone.id}").text)
    assert joined in page


def test_a_source_said_first_keeps_its_capital(client, make, make_item):
    item = make_item(source="ADEME Base Impacts / NegaOctet; Fiche constructeur")
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    assert (
        "<p>Facteurs d'émission de l'ADEME, l'Agence de la transition écologique\u00a0; Fiche constructeur</p>"
        in page
    )


# 4. Each row of Compare with the same decimals ------------------------------------------


def test_each_yearly_figure_has_the_decimals_of_its_page(client, make, make_item):
    """« 11,8 kg | 26 kg | 2,8 kg », as each page writes them (« 26,0 » is on no page)."""
    items = [make_item(embodied_kgco2e=kg, use_kwh_per_year=0.0) for kg in (47.2, 104.0, 11.2)]
    login(client, make.user(locale="fr"))
    page = client.get("/catalogue/compare?" + "&".join(f"ids={i.id}" for i in items)).text
    assert _row(page, "Empreinte annuelle") == [
        "11,8 kg\u00a0CO₂e",
        "26 kg\u00a0CO₂e",
        "2,8 kg\u00a0CO₂e",
    ]


def test_a_small_figure_keeps_its_two_digits_beside_a_tenth(client, make, make_item):
    """« 4,6 | 0,68 »: each as its page writes it."""
    laptop = make_item(embodied_kgco2e=18.4, use_kwh_per_year=0.0)
    mail = make_item(kind="service", category="email", use_kgco2e_per_year=0.68)
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/compare?ids={laptop.id}&ids={mail.id}").text
    yearly = _row(page, "Empreinte annuelle")
    assert yearly[0] == "4,6 kg\u00a0CO₂e"
    assert yearly[1].startswith("0,68 kg\u00a0CO₂e")


def test_a_tiny_figure_keeps_its_digits_beside_a_large_one(client, make, make_item):
    laptop = make_item(embodied_kgco2e=200.0, use_kwh_per_year=100.0)
    mail = make_item(kind="service", category="email", use_kgco2e_per_year=0.012)
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/compare?ids={laptop.id}&ids={mail.id}").text
    yearly = _row(page, "Empreinte annuelle")
    assert yearly[0] == "55,2 kg\u00a0CO₂e"
    assert yearly[1].startswith("0,012 kg\u00a0CO₂e")


def test_the_lifetime_row_gives_every_figure_the_tenth_one_needs(client, make, make_item):
    """« 6 ans | 6,6 ans »."""
    one, other = make_item(lifetime_years=6.0), make_item(lifetime_years=6.6)
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/compare?ids={one.id}&ids={other.id}").text
    assert _row(page, "Durée de vie prévue") == ["6,0 ans", "6,6 ans"]


@pytest.mark.browser
def test_the_bar_says_at_once_when_a_tick_goes_past_twelve(page, make, monitors):
    """Not only at the next search or page: the thirteenth tick is said as it is ticked."""
    browser_sign_in(page, make.user(locale="fr", email="thirteen@example.org"))
    page.goto("/catalogue/?category=monitor", wait_until="load")
    over = page.locator("#compare-bar [data-ticked-over]")
    for n in range(12):
        page.get_by_role("checkbox", name=f"Comparer Écran {n:02d}").check()
    expect(over).to_be_hidden()
    page.get_by_role("checkbox", name="Comparer Écran 12").check()
    expect(over).to_be_visible()
    expect(over).to_have_text(KEPT_FR)
    expect(page.locator("#announcer")).to_have_text(KEPT_FR)
    page.get_by_role("checkbox", name="Comparer Écran 12").uncheck()
    expect(over).to_be_hidden()
