"""The catalogue API contract."""

from app.extensions import db
from tests.conftest import login


def test_items_list_has_the_contract_fields_and_filters(client, make, make_item):
    login(client, make.user(locale="en"))
    make_item(name_en="Laptop", name_fr="Portable")
    make_item(kind="service", category="video", name_en="Video", use_kgco2e_per_year=4)
    body = client.get("/api/v1/catalogue/items?kind=equipment").get_json()
    assert body["total"] == 1 and body["page"] == 1
    (item,) = body["items"]
    for key in (
        "id",
        "kind",
        "category",
        "name",
        "grade",
        "embodied_kgco2e",
        "use_kgco2e_per_year",
        "lifetime_years",
        "annual_kgco2e",
        "source",
    ):
        assert key in item
    assert item["name"] == "Laptop"
    assert client.get("/api/v1/catalogue/items?category=video&grade=C").get_json()["total"] == 1


def test_name_follows_the_callers_locale(client, make, make_item):
    login(client, make.user(locale="fr"))
    make_item(name_en="Laptop", name_fr="Portable")
    assert client.get("/api/v1/catalogue/items").get_json()["items"][0]["name"] == "Portable"


def test_bad_parameters_get_422_json(client, make):
    login(client, make.user(locale="en"))
    for query in ("category=spaceship", "kind=thing", "grade=Z", "page=-1", "q=" + "x" * 101):
        response = client.get(f"/api/v1/catalogue/items?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["error"]["message"]


def test_one_item_comes_with_its_alternatives(client, make, make_item):
    login(client, make.user())
    light, heavy = make_item(embodied_kgco2e=50), make_item(embodied_kgco2e=300)
    heavy.alternatives = [light]
    db.session.commit()
    body = client.get(f"/api/v1/catalogue/items/{heavy.id}").get_json()
    assert [a["id"] for a in body["alternatives"]] == [light.id]
    assert client.get("/api/v1/catalogue/items/999999").status_code == 404


def test_an_item_gives_its_yearly_use_with_its_range(client, make, make_item):
    """The page shows "between 80 and 150 kWh a year"; the API gave the figure alone."""
    login(client, make.user())
    item = make_item(use_kwh_per_year=100, use_kwh_min=80, use_kwh_max=150)
    body = client.get(f"/api/v1/catalogue/items/{item.id}").get_json()
    assert (body["use_kwh_min"], body["use_kwh_per_year"], body["use_kwh_max"]) == (80, 100, 150)


def test_api_needs_authentication(client):
    assert client.get("/api/v1/catalogue/items").status_code == 401


def test_both_views_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/catalogue/items" in spec["paths"]
    assert "/api/v1/catalogue/items/{item_id}" in spec["paths"]
    assert "CatalogueItem" in spec["components"]["schemas"]
