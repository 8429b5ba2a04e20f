"""The request page left open in tab A names a line removed since in tab B, where another
item was added after: on SQLite the newer line took the removed one's id, and tab A's
« Remove » removed it. Ids are never given again (AUTOINCREMENT, migration
20261212_ids_never_reused): the stale button answers as for any line already gone (404),
and the newer line stays."""

import html
import re

from sqlalchemy import select

from app.catalogue.models import CatalogueRequestLine
from app.extensions import db
from tests.conftest import login


def _lines() -> list[tuple[int, int]]:
    """(item, quantity) of every line in the basket."""
    db.session.expire_all()
    return [
        (line.item_id, line.quantity) for line in db.session.scalars(select(CatalogueRequestLine))
    ]


def test_a_stale_remove_button_leaves_the_newer_line(client, auth, make, make_item):
    login(client, make.user(locale="fr"))
    first, second = make_item(), make_item()
    auth.post(f"/catalogue/items/{first.id}/request", {"quantity": "1"})
    tab_a = client.get("/catalogue/requests").text
    remove_first = html.unescape(re.search(r'formaction="([^"]*/lines/\d+/remove)"', tab_a)[1])
    assert auth.post(remove_first).status_code == 302  # tab B
    auth.post(f"/catalogue/items/{second.id}/request", {"quantity": "2"})

    answer = auth.post(remove_first)  # tab A's button

    assert (answer.status_code, _lines()) == (404, [(second.id, 2)])
