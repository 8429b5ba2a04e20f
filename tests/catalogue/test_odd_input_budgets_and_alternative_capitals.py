"""The catalogue's forms and figures: odd input that ended on an error page, a
refused budget that lost what was typed, alternatives refused for their capitals, and
« 8,0 kg » where every other figure drops its ",0"."""

import html
import io
import re

from sqlalchemy import select

from app.catalogue.csv_io import import_catalogue_csv
from app.catalogue.models import CatalogueBudget, CatalogueItem, CatalogueRequest
from app.extensions import db
from tests.catalogue.conftest import GRID, NOW
from tests.conftest import Auth, login

NBSP = "\u00a0"


def _error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


# 1. An address typed by hand -------------------------------------------------------------


def test_the_queue_with_a_decided_id_no_database_holds_is_the_queue(client, make):
    """?decided=99999999999999999999 overflowed SQLite's integer: an error page."""
    login(client, make.user(roles=("admin",), locale="en"))
    response = client.get("/catalogue/admin/requests?decided=99999999999999999999")
    assert response.status_code == 200 and "Requests to decide" in response.text


# 2. "Add these items to a new request" beside a full line -----------------------------


def test_items_again_that_would_pass_fifty_are_left_out_and_named(client, auth, make, make_item):
    """The request's 30 mice back in a basket already holding 30: an error page."""
    login(client, make.user(locale="en"))
    mouse = make_item(name_en="Wired mouse", category="accessory", embodied_kgco2e=3.0)
    dock = make_item(name_en="Docking station", category="accessory", embodied_kgco2e=10.0)
    auth.post(f"/catalogue/items/{mouse.id}/request", {"quantity": "30"})
    auth.post(f"/catalogue/items/{dock.id}/request", {"quantity": "1"})
    auth.post("/catalogue/requests/submit", {})
    request_id = db.session.scalar(select(CatalogueRequest.id))
    auth.post(f"/catalogue/requests/{request_id}/withdraw", {})
    auth.post(f"/catalogue/items/{mouse.id}/request", {"quantity": "30"})

    response = auth.post(f"/catalogue/requests/{request_id}/again", {})
    page = html.unescape(client.get(response.location).text)
    assert "Left out, as your request would hold more than 50 of it: Wired mouse." in page
    basket = db.session.scalar(select(CatalogueRequest).where(CatalogueRequest.status == "draft"))
    assert sorted((line.item_id, line.quantity) for line in basket.lines) == [
        (mouse.id, 30),
        (dock.id, 1),
    ]


# 3. A refused budget --------------------------------------------------------------------


def test_a_refused_budget_comes_back_as_typed_at_its_field_without_javascript(client, auth, make):
    """The message was flashed above a page reloaded empty, the focus nowhere near."""
    admin = make.user(roles=("admin",), locale="fr")
    login(client, admin)
    response = auth.post(
        "/catalogue/admin/budgets",
        {"department_id": str(admin.department_id), "year": "2026", "budget_kgco2e": "-12,5"},
    )
    field = re.search(r'<input[^>]*name="budget_kgco2e"[^>]*>', response.text).group(0)
    assert response.status_code == 400 and 'value="-12,5"' in field and "autofocus" in field
    assert _error(response.text, "budget_kgco2e").startswith("Saisissez un budget de 0")
    assert db.session.scalar(select(CatalogueBudget.id)) is None


# 4. Alternatives, capitals aside --------------------------------------------------------


def test_the_form_takes_an_alternative_code_in_other_capitals(client, auth, make, make_item):
    """Codes are one whatever their capitals, but `eq-light-1` was an unknown alternative."""
    light = make_item(code="EQ-LIGHT-1", embodied_kgco2e=50.0)
    item = make_item(code="EQ-HEAVY-1")
    login(client, make.user(roles=("admin",), locale="en"))
    response = auth.post(
        f"/catalogue/admin/items/{item.id}/edit",
        {
            "code": "EQ-HEAVY-1",
            "kind": "equipment",
            "category": "laptop",
            "name_fr": "Lourd",
            "name_en": "Heavy",
            "embodied_kgco2e": "200",
            "lifetime_years": "4",
            "use_kwh_per_year": "100",
            "source": "Test source v1",
            "alternatives": "eq-light-1",
        },
    )
    assert response.status_code == 302, _error(response.text, "alternatives")
    db.session.expire_all()
    assert [a.id for a in db.session.get(CatalogueItem, item.id).alternatives] == [light.id]


def test_an_import_takes_an_alternative_code_in_other_capitals(make, make_item, request_context):
    light = make_item(code="EQ-LIGHT-1", embodied_kgco2e=50.0)
    text = (
        "code,kind,category,name_fr,name_en,embodied_kgco2e,source,alternatives\n"
        "EQ-NEW-1,equipment,laptop,Nouveau,New,200,Study 2024,eq-light-1\n"
    )
    result = import_catalogue_csv(text, make.user(roles=("admin",)), NOW, GRID)
    assert result.problems == []
    new = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "EQ-NEW-1"))
    assert [a.id for a in new.alternatives] == [light.id]


# 5. A source longer than its column ---------------------------------------------------


def test_an_import_refuses_a_source_longer_than_the_item_form_takes(client, make):
    """Previewed as fine, it was refused by PostgreSQL at the confirmation: an error page
    (and on SQLite stored, then refused by the item form at every later edit)."""
    login(client, make.user(roles=("admin",), locale="en"))
    text = (
        "code,kind,category,name_fr,name_en,embodied_kgco2e,source,source_url\n"
        f"EQ-LONG-1,equipment,laptop,Long,Long,200,{'S' * 401},https://{'a' * 400}.example\n"
    )
    response = Auth(client).post(
        "/catalogue/admin/import",
        {"file": (io.BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )
    rows = re.findall(
        r"<td>(\d+)</td>\s*<td>EQ-LONG-1</td>\s*<td>(\w+)</td>\s*<td>([^<]*)</td>", response.text
    )
    assert response.status_code == 422
    assert rows == [
        ("2", "source", "At most 400 characters."),
        ("2", "source_url", "At most 400 characters."),
    ]


# 6. One way of writing a figure -------------------------------------------------------


def test_a_figure_on_a_half_tenth_never_reads_with_a_trailing_zero(client, make, make_item):
    """8.05 kg: Python's round() saw a tenth (8.1), Babel wrote it half to even, « 8,0 »;
    it reads « 8,1 », a half rounded up as people round."""
    login(client, make.user(locale="fr"))
    make_item(kind="service", name_fr="Agenda partagé", use_kgco2e_per_year=8.05)
    listing = client.get("/catalogue/?q=agenda").text
    assert f">8,1{NBSP}kg{NBSP}CO₂e <span" in listing and "8,0" not in listing


def test_a_small_figure_keeps_two_significant_digits_and_halves_go_up(client, make, make_item):
    """« = 0 kg CO₂e par an » for 0.00676 kg, « entre 0 kWh et 0,3 kWh » for 0.05–0.28,
    « 6,2 » for 6.25: the item page now says what is stored, as people round it."""
    login(client, make.user(locale="fr"))
    item = make_item(
        kind="equipment",
        name_fr="Clé USB",
        embodied_kgco2e=6.25,
        use_kwh_per_year=0.13,
        use_kwh_min=0.05,
        use_kwh_max=0.28,
        use_kgco2e_per_year=0.00676,
    )
    page = client.get(f"/catalogue/items/{item.id}").text
    assert f"6,3{NBSP}kg{NBSP}CO₂e" in page and f"6,2{NBSP}kg" not in page
    assert f"= 0,0068{NBSP}kg{NBSP}CO₂e" in page
    assert f"entre 0,05{NBSP}kWh et 0,28{NBSP}kWh" in page
