"""An item no longer in the catalogue is said so on Compare, as the listing says it, and
a service gone can no longer be marked useful (a mark fed the admins' usefulness review)."""

from app.catalogue import queries
from tests.conftest import login

HX = {"HX-Request": "true"}


def test_compare_says_which_item_is_no_longer_in_the_catalogue(client, make, make_item):
    login(client, make.user(locale="fr"))
    gone = make_item(name_fr="Portable retiré", status="discontinued")
    kept = make_item(name_fr="Portable gardé")
    page = client.get(f"/catalogue/compare?ids={gone.id}&ids={kept.id}").text
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert head.count("plus au catalogue") == 1
    assert head.index("Portable retiré") < head.index("plus au catalogue")
    assert head.index("plus au catalogue") < head.index("Portable gardé")


def test_a_discontinued_service_can_no_longer_be_marked_useful(client, auth, make, make_item):
    login(client, make.user(locale="fr"))
    service = make_item(kind="service", status="discontinued")
    response = auth.post(f"/catalogue/items/{service.id}/useful")
    assert response.status_code == 302
    assert queries.usefulness_count(service.id) == 0
    page = client.get(response.location).text
    assert "Ce service est retiré du catalogue et ne peut plus être marqué utile." in page
    assert 'id="useful-toggle"' not in page


def test_with_htmx_the_refusal_sends_the_browser_to_the_item_page(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    service = make_item(kind="service", status="discontinued")
    response = auth.post(f"/catalogue/items/{service.id}/useful", headers=HX)
    assert response.headers["HX-Redirect"] == f"/catalogue/items/{service.id}"
    assert queries.usefulness_count(service.id) == 0
    assert "can no longer be marked useful" in client.get(f"/catalogue/items/{service.id}").text


def test_an_available_service_still_shows_its_useful_button(client, make, make_item):
    login(client, make.user(locale="en"))
    service = make_item(kind="service")
    assert 'id="useful-toggle"' in client.get(f"/catalogue/items/{service.id}").text
