"""Removing a line of the request being prepared names what was removed, as adding names
what was added (review of Dec 6: only « Retiré de votre demande. »)."""

import html

from sqlalchemy import select

from app.catalogue.models import CatalogueRequest
from app.extensions import db
from tests.conftest import login


def _remove_the_line(client, auth, item, **kwargs):
    auth.post(f"/catalogue/items/{item.id}/request", {"quantity": "2"})
    line = db.session.scalar(select(CatalogueRequest)).lines[0]
    return auth.post(f"/catalogue/requests/lines/{line.id}/remove", follow_redirects=True, **kwargs)


def test_removing_a_line_names_its_item_in_french(client, auth, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(name_fr="Écran 24 pouces", name_en="24-inch monitor")
    page = html.unescape(_remove_the_line(client, auth, item).text)
    assert "Retiré de votre demande\u00a0: Écran 24 pouces × 2." in page


def test_removing_a_line_with_htmx_names_its_item_in_english(client, auth, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(name_fr="Écran 24 pouces", name_en="24-inch monitor")
    answer = _remove_the_line(client, auth, item, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "Removed from your request: 24-inch monitor × 2." in html.unescape(answer.text)
