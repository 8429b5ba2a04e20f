"""An item's source with a web address is written once, as the link: « Fiche PCF Dell
Latitude 5450 (2024) — Fiche PCF Dell Latitude 5450 (2024) » named it again as the link's
text. A link whose name the sources do not write (the site's page) still follows them."""

import re

from tests.conftest import login

PCF = "Fiche PCF Dell Latitude 5450 (2024)"
URL = "https://www.dell.com/pcf"


def _sources(client, make, item) -> str:
    """The paragraph of the item page that cites its sources (the folded one, if any)."""
    login(client, make.user(locale="fr"))
    page = client.get(f"/catalogue/items/{item.id}").text
    return re.findall(r'<p class="source">(.*?)</p>', page, re.S)[-1]


def test_a_typed_source_is_written_once_as_its_link(client, make, make_item):
    item = make_item(source=PCF, source_url=URL)
    assert _sources(client, make, item) == f'<a href="{URL}" rel="noopener">{PCF}</a>'


def test_beside_the_reference_s_citation_the_typed_source_is_the_link(client, make, make_item):
    item = make_item(source=PCF, source_url=URL, use_kwh_per_year=None)  # Boavizta's kWh
    shown = _sources(client, make, item)
    assert shown.count(PCF) == 1
    assert shown.startswith(f'<a href="{URL}" rel="noopener">{PCF}</a>\u00a0; Boavizta API ')


def test_boavizta_s_address_links_its_name_in_the_citation(client, make, make_item):
    boavizta = "https://github.com/Boavizta/boaviztapi"
    item = make_item(source="", source_url=boavizta, embodied_kgco2e=None, use_kwh_per_year=None)
    shown = _sources(client, make, item)
    assert shown.startswith(f'<a href="{boavizta}" rel="noopener">Boavizta API</a> 2.5.0')
    assert " — " not in shown


def test_a_link_named_after_its_site_follows_the_sources(client, make, make_item):
    item = make_item(
        source="", source_url="https://www.example.org/lca", embodied_kgco2e=None,
        use_kwh_per_year=None,
    )  # fmt: skip
    shown = _sources(client, make, item)
    assert shown.endswith(
        ' — <a href="https://www.example.org/lca" rel="noopener">'
        "la page de la source sur example.org</a>"
    )
