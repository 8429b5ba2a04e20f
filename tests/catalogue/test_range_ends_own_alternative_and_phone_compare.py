"""The catalogue's figures and forms: a range's ends rounded as its figure, the method's
grid factor held to its unit, an item refused as its own alternative, every fault of an
import line listed at once, alternatives worded in the audit log, and three items compared
side by side on a phone."""

import html
import re

import pytest
from playwright.sync_api import expect

from app.catalogue import services
from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueItem
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW
from tests.conftest import browser_sign_in, login

NBSP = "\u00a0"


def _text(page: str) -> str:
    """A page's text as read: tags out, every kind of space an ordinary one."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_a_manufacture_ranges_ends_round_a_half_up_as_the_figure_does(client, make, make_item):
    """« 1 400,25 » was written « 1 400,2 » (Babel's rounding, half to even) beside a
    figure rounded half up."""
    login(client, make.user(locale="fr"))
    item = make_item(
        embodied_kgco2e=1250.5, embodied_min_kgco2e=1000.0, embodied_max_kgco2e=1400.25
    )
    page = _text(client.get(f"/catalogue/items/{item.id}").text)
    assert "1 250,5 kg CO₂e (entre 1 000,0 kg CO₂e et 1 400,3 kg CO₂e)" in page


def test_the_methods_grid_factor_is_held_to_its_unit_by_no_break_spaces(client, make):
    login(client, make.user(locale="fr"))
    page = html.unescape(client.get("/catalogue/method").text)
    assert f"Électricité{NBSP}: 0,052{NBSP}kg{NBSP}CO₂e par kWh" in page


def test_an_item_given_as_its_own_alternative_is_refused_at_that_field(
    client, auth, make, make_item
):
    """EQ-ACC-02 typed as its own alternative was dropped, and the save said « Article
    enregistré »."""
    item = make_item(code="EQ-ACC-02", name_fr="Disque dur externe")
    login(client, make.user(roles=("admin",), locale="fr"))
    form = {
        "code": "EQ-ACC-02",
        "kind": "equipment",
        "category": "laptop",
        "name_fr": "Disque dur externe renommé",
        "name_en": "External hard disk",
        "embodied_kgco2e": "200",
        "lifetime_years": "4",
        "use_kwh_per_year": "100",
        "source": "Test source v1",
        "alternatives": "eq-acc-02",
    }
    response = auth.post(f"/catalogue/admin/items/{item.id}/edit", form)
    error = re.search(r'<p class="error" id="alternatives-error">(.*?)</p>', response.text, re.S)
    assert response.status_code == 422 and error is not None
    assert html.unescape(error.group(1)).strip() == (
        f"Un article ne peut pas être sa propre alternative{NBSP}: retirez eq-acc-02."
    )
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).name_fr == "Disque dur externe"


def test_an_import_line_lists_a_bad_estimate_and_an_unknown_alternative_at_once(
    make, make_item, request_context
):
    """Only `estimate` was listed: the unknown code came out at the next try."""
    text = (
        "code,kind,category,name_fr,name_en,use_kgco2e_per_year,source,estimate,alternatives\n"
        "SV-TEST-1,service,email,Messagerie,E-mail,4,Study 2024,maybe,SV-NOWHERE\n"
    )
    result = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)
    assert [(p.line, p.column) for p in result.problems] == [
        (2, "estimate"),
        (2, "alternatives"),
    ]


def test_the_audit_log_words_alternatives_as_the_other_item_edits(client, make, make_item):
    """« EQ-LAP-02: EQ-ACC-01,EQ-ACC-NEW » was shown as stored."""
    item = make_item(code="EQ-LAP-02")
    make_item(code="EQ-ACC-01", embodied_kgco2e=100.0)  # lighter: an alternative
    make_item(code="EQ-ACC-NEW", embodied_kgco2e=100.0)
    admin = make.user(roles=("admin",), locale="fr")
    services.set_alternatives(item, ["EQ-ACC-01", "EQ-ACC-NEW"], admin, NOW)
    db.session.commit()
    login(client, admin)
    log = html.unescape(client.get("/admin/audit").text)
    assert f"<td>EQ-LAP-02{NBSP}: EQ-ACC-01, EQ-ACC-NEW</td>" in log


# The demo's longest names and sources, as the review compared them at 390 px (ids 1, 5, 3
# in English; services 100, 200, 300 in French).
LAPTOPS = [
    "13-inch ultraportable",
    "15-inch laptop (consumer range)",
    "16-inch workstation laptop",
]
SERVICES = [
    ("Archivage électronique – Direction de l'eau", "storage"),
    ("Wiki d'équipe – Direction de l'énergie et du climat", "collaboration"),
    ("Wiki d'équipe – Direction des archives", "collaboration"),
]
SOURCE = "Boavizta API 2.5.0 (boaviztapi, laptop-pro); ADEME Base Impacts / NegaOctet"


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "fr"])
def test_on_a_phone_three_demo_items_fit_side_by_side(page, make, make_item, language):
    """The table was 397 px wide in 358: the third column cut off, and a cue to scroll."""
    if language == "en":
        items = [
            make_item(name_fr=name, name_en=name, embodied_kgco2e=181.0, source=SOURCE)
            for name in LAPTOPS
        ]
    else:
        items = [
            make_item(kind="service", category=category, name_fr=name, name_en=name, user_count=859)
            for name, category in SERVICES
        ]
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, make.user(locale=language, email=f"three-{language}@example.org"))
    page.goto("/catalogue/compare?" + "&".join(f"ids={i.id}" for i in items), wait_until="load")
    region = page.locator(".compare-scroll")
    expect(page.get_by_role("columnheader")).to_have_count(4)
    overflow = region.evaluate("(box) => box.scrollWidth - box.clientWidth")
    assert overflow == 0, overflow
    expect(region.locator(".compare-hint")).to_be_hidden()
