"""The inbox through the API gives how many messages it holds (`total`) and its pages'
`links`, as the other paginated lists do."""

from tests.conftest import login
from tests.messaging.test_api import _deliver


def test_the_inbox_gives_its_total_and_the_next_page(client, make, template):
    user = make.user()
    for n in range(21):  # 20 a page
        _deliver(template(f"news-{n}"))
    login(client, user)
    first = client.get("/api/v1/me/messages?lang=en").get_json()
    assert (first["total"], first["page"], len(first["messages"])) == (21, 1, 20)
    assert first["links"] == {"next": "/api/v1/me/messages?lang=en&page=2", "previous": None}
    second = client.get(first["links"]["next"]).get_json()
    assert (second["total"], second["page"], len(second["messages"])) == (21, 2, 1)
    assert second["links"] == {"next": None, "previous": "/api/v1/me/messages?lang=en&page=1"}


def test_an_empty_inbox_has_a_total_of_zero_and_no_links(client, make):
    login(client, make.user())
    body = client.get("/api/v1/me/messages").get_json()
    assert (body["total"], body["messages"]) == (0, [])
    assert body["links"] == {"next": None, "previous": None}
