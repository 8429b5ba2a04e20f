"""A French employee looking for a phone: « téléphone », « portable », « mobile » or
« iphone » list the smartphones first, before the call centres of every department; the
listing without words opens on the equipment, not on 28 copies of a shared calendar; a
misspelt word is never « corrected » into a word of the other language."""

import html
import re

import pytest

from tests.conftest import login

HX = {"HX-Request": "true"}
NAMES = re.compile(r'href="/catalogue/items/\d+">([^<]+)</a>')


@pytest.fixture
def catalogue(make_item):
    """Smartphones and laptops among services named per department, as the demo's."""
    for department in ("Direction de l'eau", "Direction de la culture", "Direction des achats"):
        make_item(
            kind="service",
            category="telephony",
            name_fr=f"Centre d'appels – {department}",
            name_en=f"Call centre – {department}",
        )
        make_item(
            kind="service",
            category="collaboration",
            name_fr=f"Agenda partagé – {department}",
            name_en=f"Shared calendar – {department}",
        )
    # A service whose own name holds the word: listed after the equipment all the same.
    make_item(
        kind="service",
        category="telephony",
        name_fr="Forfait portable – Direction des achats",
        name_en="Mobile plan – Purchasing",
    )
    make_item(category="smartphone", name_fr="Smartphone standard", name_en="Standard smartphone")
    make_item(
        category="smartphone", name_fr="Smartphone reconditionné", name_en="Refurbished smartphone"
    )
    make_item(
        category="laptop", name_fr="Portable standard 14 pouces", name_en="Standard 14-inch laptop"
    )
    make_item(category="monitor", name_fr="Écran 24 pouces", name_en="24-inch monitor")  # fmt: skip


def _listed(client, q: str = "", **filters) -> list[str]:
    """The names the live search lists, in their order."""
    answer = client.get("/catalogue/", query_string={"q": q, **filters}, headers=HX)
    assert answer.status_code == 200
    return [html.unescape(name) for name in NAMES.findall(answer.text)]


PHONES = ["Smartphone reconditionné", "Smartphone standard"]


@pytest.mark.parametrize("q", ["téléphone", "telephone", "mobile", "iphone", "iPhone"])
def test_a_word_for_a_phone_lists_the_smartphones_first(client, make, catalogue, q):
    login(client, make.user(locale="fr"))
    assert _listed(client, q)[:2] == PHONES


def test_the_call_centres_come_after_the_smartphones(client, make, catalogue):
    login(client, make.user(locale="fr"))
    listed = _listed(client, "téléphone")
    assert listed[:2] == PHONES
    departments = ("Direction de l'eau", "Direction de la culture", "Direction des achats")
    services = {f"Centre d'appels – {d}" for d in departments}
    assert set(listed[2:]) == {*services, "Forfait portable – Direction des achats"}


def test_portable_lists_the_laptops_and_the_smartphones_before_a_service_named_so(
    client, make, catalogue
):
    login(client, make.user(locale="fr"))
    listed = _listed(client, "portable")
    assert sorted(listed[:3]) == sorted(["Portable standard 14 pouces", *PHONES])
    assert listed[3:] == ["Forfait portable – Direction des achats"]


def test_the_english_pages_rank_alike(client, make, catalogue):
    login(client, make.user(locale="en"))
    assert _listed(client, "phone")[:2] == ["Refurbished smartphone", "Standard smartphone"]


def test_without_words_the_listing_opens_on_the_equipment(client, make, catalogue):
    login(client, make.user(locale="fr"))
    listed = _listed(client)
    assert listed[:4] == [
        "Écran 24 pouces",
        "Portable standard 14 pouces",
        "Smartphone reconditionné",
        "Smartphone standard",
    ]
    assert listed[4].startswith("Agenda partagé")


def test_the_default_order_is_named_for_what_it_does(client, make, catalogue):
    login(client, make.user(locale="fr"))
    page = client.get("/catalogue/").text
    assert '<option selected value="name">Pertinence</option>' in page


def test_a_french_page_never_suggests_an_english_word(client, make, catalogue):
    """« labtop » is one slip from the English "laptop", an interface word the French
    pages never show: no suggestion there, « Aucun article » and the way out instead."""
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get("/catalogue/", query_string={"q": "labtop"}).text)
    assert "Vouliez-vous dire" not in page
    assert "Aucun article ne correspond" in page
