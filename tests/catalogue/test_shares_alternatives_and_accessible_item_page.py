"""Budget shares rounded half up; alternatives refused when withdrawn or not lighter;
the item page's zero, its source link and its title after a refused quantity; a number
written the wrong way told so; budget and usefulness tables named by their heading."""

import html
import re

import pytest

from app.catalogue import queries
from app.catalogue.models import CatalogueItem
from app.catalogue.reference import BOAVIZTA_URL
from app.extensions import db
from tests.catalogue.conftest import item_edit_form
from tests.conftest import Auth, csrf_token, login

HX = {"HX-Request": "true"}


@pytest.mark.parametrize(("used", "budget", "share"), [(253.5, 300, 0.85), (12.5, 100, 0.13)])
def test_a_budget_share_rounds_a_half_up(app, used, budget, share):
    assert queries.shown_share(used, budget) == share


def _edit(client, make, item, locale="en", **changes):
    login(client, make.user(roles=("admin",), locale=locale))
    form = item_edit_form(item, **changes)
    return Auth(client).post(f"/catalogue/admin/items/{item.id}/edit", form)


def test_a_discontinued_alternative_is_refused_by_its_code(client, make, make_item):
    item = make_item()
    gone = make_item(embodied_kgco2e=50.0, status="discontinued")
    answer = _edit(client, make, item, alternatives=gone.code)
    assert answer.status_code == 422
    assert f"{gone.code} is withdrawn from the catalogue" in html.unescape(answer.text)
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).alternatives == []


def test_a_heavier_alternative_is_refused_by_its_code(client, make, make_item):
    item = make_item(embodied_kgco2e=100.0)
    heavier = make_item(embodied_kgco2e=400.0)
    answer = _edit(client, make, item, alternatives=heavier.code)
    assert answer.status_code == 422
    assert f"{heavier.code} is not lighter than this item" in html.unescape(answer.text)
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).alternatives == []


def test_an_alternative_of_another_category_is_refused(client, make, make_item):
    item = make_item()
    phone = make_item(category="smartphone", embodied_kgco2e=20.0)
    answer = _edit(client, make, item, alternatives=phone.code)
    assert answer.status_code == 422
    assert f"{phone.code} is in another category" in html.unescape(answer.text)


def test_a_lighter_alternative_of_the_category_is_kept(client, make, make_item):
    item = make_item()
    lighter = make_item(embodied_kgco2e=50.0)
    assert _edit(client, make, item, alternatives=lighter.code).status_code == 302
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).alternatives == [lighter]


def test_no_electricity_figure_is_counted_as_a_bare_zero(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(category="printer", embodied_kgco2e=202.0, use_kwh_per_year=None)
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    assert "comptée pour 0\u00a0kg\u00a0CO₂e par an" in page


def test_a_number_written_the_wrong_way_is_told_its_format(client, make, make_item):
    item = make_item()
    answer = _edit(client, make, item, locale="fr", use_kwh_per_year="1.234,5")
    assert answer.status_code == 422
    error = re.search(r'id="use_kwh_per_year-error">([^<]*)<', answer.text)[1]
    assert "1\u00a0234,5" in html.unescape(error) or "1\u202f234,5" in html.unescape(error)
    assert "de 0 à" not in html.unescape(error)


def test_an_htmx_refused_quantity_puts_error_in_the_title(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(name_fr="Portable léger")
    answer = client.post(
        f"/catalogue/items/{item.id}/request",
        data={"quantity": "abc", "csrf_token": csrf_token(client)},
        headers=HX,
    )
    assert answer.status_code == 422
    assert re.search(r"<title>Erreur\u00a0?: Portable léger · Empreinte</title>", answer.text)


def test_the_source_link_is_named_not_its_address(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(source="", embodied_kgco2e=None, use_kwh_per_year=None)
    assert item.source_url == BOAVIZTA_URL
    page = client.get(f"/catalogue/items/{item.id}").text
    link = re.search(rf'<a href="{re.escape(BOAVIZTA_URL)}"[^>]*>([^<]*)</a>', page)[1]
    assert link and link != BOAVIZTA_URL and "http" not in link


def test_the_budget_table_is_named_by_its_heading(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/catalogue/budgets?year=2026").text
    assert re.search(r'<h1 id="([\w-]+)">', page)
    heading_id = re.search(r'<h1 id="([\w-]+)">', page)[1]
    assert re.search(rf'<table [^>]*aria-labelledby="{heading_id}"', page)


def test_the_usefulness_table_is_named_by_its_heading(client, make, make_item):
    login(client, make.user(roles=("admin",), locale="en"))
    make_item(kind="service")
    for url in ("/catalogue/admin/usefulness", "/catalogue/admin/usefulness?review=1"):
        page = client.get(url).text
        heading_id = re.search(r'<h1 id="([\w-]+)">', page)[1]
        assert re.search(rf'<table [^>]*aria-labelledby="{heading_id}"', page)
