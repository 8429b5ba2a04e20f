"""The catalogue's French words: « 1 ans » and « 1 personnes »
(plurals of one), one unknown alternative code worded for two, a kind error naming
French values that the import refuses, « Budgets empreinte », ordinary spaces before « % »
and in « 10 000 000 », and items called « élément » here and « article » there."""

import html
import io
import re

import pytest

from app.extensions import db
from tests.catalogue.test_item_checks import SERVICE
from tests.conftest import Auth, login

NBSP = "\u00a0"
NNBSP = "\u202f"
HX = {"HX-Request": "true"}


def _text(fragment: str) -> str:
    """What a reader sees of some HTML (its tags left out), spaces collapsed (not NBSPs)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _rows(page: str) -> list[tuple[str, str, str]]:
    """The table of a refused file's faults: line, column, problem."""
    # The line's code, between its number and its column, is left out here.
    cells = re.findall(
        r"<tr><td>([^<]*)</td>(?:<td>[^<]*</td>)?<td>([^<]*)</td><td>([^<]*)</td></tr>", page
    )
    return [tuple(html.unescape(cell) for cell in row) for row in cells]


def _upload(client, text: str):
    return Auth(client).post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )


# 1. A lifetime of one year -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "fr",
            [
                "répartie sur 1 an d'utilisation prévue",
                "par an sur 1 an",
                f"Gardé 1 an, sa durée de vie prévue{NBSP}:",
            ],
        ),
        (
            "en",
            [
                "spread over its 1 year of expected use",
                "a year over 1 year",
                "Kept 1 year, its expected lifetime:",
            ],
        ),
    ],
)
def test_a_lifetime_of_one_year_is_singular(client, make, make_item, locale, words):
    login(client, make.user(locale=locale))
    item = make_item(lifetime_years=1.0)
    page = client.get(f"/catalogue/items/{item.id}").text
    text = _text(page)
    for said in words:
        assert said in text, said
    assert "1 ans" not in text and "1 years" not in text
    said = "1 an" if locale == "fr" else "1 year"
    assert f"</dt><dd>{said}</dd>" in page
    assert f'<option selected value="1">{said}</option>' in page


def test_a_fractional_or_longer_lifetime_stays_plural(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(lifetime_years=2.5)
    page = client.get(f"/catalogue/items/{item.id}").text
    text = _text(page)
    assert "répartie sur ses 2,5 ans d'utilisation prévue" in text
    assert "Durée de vie prévue</dt><dd>2,5 ans</dd>" in html.unescape(page)
    assert f"Gardé 2,5 ans, sa durée de vie prévue{NBSP}:" in text
    fragment = _text(client.get(f"/catalogue/items/{item.id}/lifetime?years=4", headers=HX).text)
    assert f"Gardé 4 ans{NBSP}:" in fragment


@pytest.mark.parametrize(("locale", "said"), [("fr", "Gardé 1,5 an"), ("en", "Kept 1.5 years")])
def test_a_year_and_a_half_follows_the_language_s_rule(client, make, make_item, locale, said):
    """French says « 1,5 an » (below 2, the singular), English "1.5 years"."""
    login(client, make.user(locale=locale))
    item = make_item(lifetime_years=1)
    fragment = _text(client.get(f"/catalogue/items/{item.id}/lifetime?years=1.5", headers=HX).text)
    assert said in fragment


def test_the_comparison_writes_one_year_singular(client, make, make_item):
    login(client, make.user(locale="fr"))
    one, four = make_item(lifetime_years=1.0), make_item(lifetime_years=4.0)
    page = client.get(f"/catalogue/compare?ids={one.id}&ids={four.id}").text
    row = re.search(r'<th scope="row">Durée de vie prévue</th>(.*?)</tr>', page, re.S).group(1)
    assert [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] == ["1 an", "4 ans"]


# 2. One person uses it -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "users", "said"),
    [
        ("fr", 1, f"Environ 1 personne l'utilise{NBSP}:"),
        ("fr", 3, f"Environ 3 personnes l'utilisent{NBSP}:"),
        ("en", 1, "About 1 person uses it:"),
        ("en", 3, "About 3 people use it:"),
    ],
)
def test_a_service_used_by_one_person_says_person(client, make, make_item, locale, users, said):
    login(client, make.user(locale=locale))
    item = make_item(kind="service", user_count=users)
    assert said in _text(client.get(f"/catalogue/items/{item.id}").text)


# 3. Unknown alternative codes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "codes", "said"),
    [
        ("fr", "inconnu-1", f"Code d'alternative inconnu{NBSP}: inconnu-1"),
        ("fr", "inconnu-1, inconnu-2", f"Codes d'alternative inconnus{NBSP}: inconnu-1, inconnu-2"),
        ("en", "inconnu-1, inconnu-2", "Unknown alternative codes: inconnu-1, inconnu-2"),
    ],
)
def test_an_import_words_its_unknown_alternatives_by_their_number(
    client, make, locale, codes, said
):
    login(client, make.user(roles=("admin",), locale=locale))
    text = (
        "code,kind,category,name_fr,name_en,embodied_kgco2e,source,alternatives\n"
        f'EQ-1,equipment,laptop,Portable,Laptop,200,Study,"{codes}"\n'
    )
    assert _rows(_upload(client, text).text) == [("2", "alternatives", said)]


def test_the_item_form_words_two_unknown_alternatives_in_the_plural(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    form = {**SERVICE, "source": "Study", "alternatives": "NOPE; NADA"}
    response = auth.post("/catalogue/admin/items/new", form)
    assert response.status_code == 422
    assert f"Codes d'alternative inconnus{NBSP}: NADA, NOPE" in html.unescape(response.text)


# 4. An unknown kind says what to write ---------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("fr", f"Type inconnu{NBSP}: écrivez equipment (équipement) ou service."),
        ("en", "Unknown kind: write equipment or service."),
    ],
)
def test_an_unknown_kind_in_an_import_gives_the_values_to_write(client, make, locale, said):
    login(client, make.user(roles=("admin",), locale=locale))
    text = (
        "code,kind,category,name_fr,name_en,embodied_kgco2e,source\n"
        "EQ-1,équipement,laptop,Portable,Laptop,200,Study\n"
    )
    assert ("2", "kind", said) in _rows(_upload(client, text).text)


# 5 and 6. The budgets page's heading and percentages; a number's bound -------------------------


def test_the_budgets_page_reads_budgets_d_empreinte_with_non_breaking_percent(client, make):
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get("/catalogue/budgets?year=2026").text)
    assert '<h1 id="budgets-h">Budgets d\'empreinte des directions, 2026</h1>' in page
    assert f"vert jusqu'à 80{NBSP}%, orange jusqu'à 100{NBSP}%, rouge au-delà" in page


def test_a_figure_out_of_range_writes_its_bound_grouped_as_french_does(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    text = (
        "code;kind;category;name_fr;name_en;embodied_kgco2e;source;user_count\n"
        "EQ-1;equipment;laptop;Portable;Laptop;-5;Study;\n"
        "SV-1;service;video;Visio;Video;;Study;-2\n"
    )
    problems = [row[2] for row in _rows(_upload(client, text).text)]
    assert f"Saisissez un nombre entre 0 et 10{NNBSP}000{NNBSP}000." in problems[0]
    assert f"Saisissez un nombre entier entre 0 et 10{NNBSP}000{NNBSP}000." in problems[1]


# 7. « article », never « élément » --------------------------------------------------------------


def test_the_catalogue_calls_its_items_articles(client, auth, make, make_item):
    login(client, make.user(roles=("admin",), locale="fr"))
    item = make_item(kind="service")
    listing = _text(client.get("/catalogue/").text)
    assert "Nouvel article" in listing and "1 article trouvé" in listing
    make_item(kind="service")
    assert "2 articles trouvés" in _text(client.get("/catalogue/").text)
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "1"})
    basket = client.get("/catalogue/requests").text
    assert re.search(r'<th scope="col" role="columnheader">Article</th>', basket)
    db.session.commit()
    for page in (listing, _text(basket), _text(client.get("/catalogue/admin/items/new").text)):
        assert "élément" not in page.lower()
