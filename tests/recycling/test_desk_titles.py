"""The agent desk's title names the view and the page it lists (RGAA 8.6), on the whole
page and in the htmx answer of its filter, and says « Erreur » for a receipt not found."""

import re

from app.recycling import queries
from tests.conftest import login

HX = {"HX-Request": "true"}


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1)


def test_each_view_of_the_desk_names_itself_in_the_title(client, rec, make):
    login(client, rec.agent(rec.point()))
    days = queries.long_waiting_days()
    assert _title(client.get("/recycling/agent")) == "À traiter – Guichet de collecte · Empreinte"
    assert _title(client.get("/recycling/agent?status=waiting")) == (
        f"Déclarés il y a plus de {days} jours, non reçus – Guichet de collecte · Empreinte"
    )
    assert _title(client.get("/recycling/agent?status=all")) == (
        "Tous – Guichet de collecte · Empreinte"
    )


def test_a_page_past_the_first_is_in_the_desks_title(client, rec, make):
    point = rec.point()
    owner = make.user()
    for _ in range(26):  # two pages of 25
        rec.device_return(owner, point, "accessory")
    login(client, rec.agent(point))
    title = _title(client.get("/recycling/agent?status=all&page=2"))
    assert title == "Tous – Guichet de collecte, page 2 · Empreinte"


def test_the_htmx_answer_of_a_filter_carries_its_title(client, rec):
    """htmx takes a top-level <title> out of the swap and makes it the document's title."""
    login(client, rec.agent(rec.point()))
    fragment = client.get("/recycling/agent?status=all", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment
    assert fragment.startswith("<title>Tous – Guichet de collecte · Empreinte</title>")


def test_a_receipt_not_found_says_error_in_the_title(client, rec):
    login(client, rec.agent(rec.point()))
    response = client.get("/recycling/agent", query_string={"receipt": "RC-2222-2222"})
    assert response.status_code == 200  # the desk, as it was, with the field's error
    assert _title(response) == "Erreur\u00a0: Guichet de collecte · Empreinte"


def test_a_page_past_the_end_of_an_empty_desk_is_its_first(client, rec):
    """Nothing to list: the desk shows its only page, not "page 40" above no row."""
    login(client, rec.agent(rec.point()))
    title = _title(client.get("/recycling/agent?status=all&page=40"))
    assert title == "Tous – Guichet de collecte · Empreinte"
