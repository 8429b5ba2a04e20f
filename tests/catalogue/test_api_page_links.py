"""The item list's `links`: the next and previous pages, keeping the other query
arguments, null at either end."""

from tests.conftest import login


def test_the_first_page_links_to_the_next_keeping_the_filters(client, make, make_item):
    login(client, make.user())
    for _ in range(26):  # 25 a page
        make_item()
    make_item(kind="service")
    body = client.get("/api/v1/catalogue/items?kind=equipment&grade=").get_json()
    assert body["total"] == 26
    assert body["links"] == {
        "next": "/api/v1/catalogue/items?kind=equipment&grade=&page=2",
        "previous": None,
    }
    last = client.get(body["links"]["next"]).get_json()
    assert len(last["items"]) == 1
    assert last["links"] == {
        "next": None,
        "previous": "/api/v1/catalogue/items?kind=equipment&grade=&page=1",
    }


def test_a_single_page_has_no_links(client, make, make_item):
    login(client, make.user())
    make_item()
    body = client.get("/api/v1/catalogue/items?page=1").get_json()
    assert body["links"] == {"next": None, "previous": None}
