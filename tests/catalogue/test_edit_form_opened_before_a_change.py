"""An item's edit form opened before another change to the item (another admin's save, an
import, a withdrawal) is refused at its save, saying who changed it and when, keeping what
was typed: the second of two saves put the first one's name back without a word."""

import html
import re

import pytest

from app.catalogue import routes
from app.catalogue.models import CatalogueItem
from app.core.audit import AuditEvent
from app.extensions import db
from tests.catalogue.conftest import NOW, item_edit_form
from tests.conftest import Auth, login

URL = "/catalogue/admin/items/{}/edit"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    # One instant for every save: versions must still tell two saves apart.
    monkeypatch.setattr(routes, "utcnow", lambda: NOW)


def _opened(client, item) -> dict:
    """The edit form as it was opened, with the version it carries."""
    page = client.get(URL.format(item.id)).text
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', page) or re.search(
        r'type="hidden" name="version" value="([^"]*)"', page
    )
    assert version, "the edit form carries the item's version"
    return item_edit_form(item, version=html.unescape(version[1]))


def _admin_client(app, make, name, locale="en"):
    client = app.test_client()
    login(client, make.user(roles=("admin",), display_name=name, locale=locale))
    return client


def test_the_second_save_is_refused_keeping_what_was_typed(app, make, make_item):
    item = make_item(name_fr="Portable", lifetime_years=4.0)
    a, b = _admin_client(app, make, "Alice Martin"), _admin_client(app, make, "Bruno Petit")
    form_a, form_b = _opened(a, item), _opened(b, item)
    assert (
        Auth(a).post(URL.format(item.id), form_a | {"name_fr": "Portable pro"}).status_code == 302
    )
    answer = Auth(b).post(URL.format(item.id), form_b | {"lifetime_years": "6"})
    assert answer.status_code == 422
    page = html.unescape(answer.text)
    assert "This item was changed by Alice Martin on " in page
    assert "after this form was opened: nothing was saved." in page
    assert "That change: T-" in page and "Name in French: “Portable” → “Portable pro”" in page
    assert 'value="6"' in page  # what B typed is still in the form
    db.session.expire_all()
    stored = db.session.get(CatalogueItem, item.id)
    assert (stored.name_fr, stored.lifetime_years) == ("Portable pro", 4.0)
    updates = db.session.query(AuditEvent).filter_by(action="update", object_id=str(item.id))
    assert updates.count() == 1


def test_saving_again_after_the_refusal_is_taken(app, make, make_item):
    item = make_item()
    a, b = _admin_client(app, make, "Alice Martin"), _admin_client(app, make, "Bruno Petit")
    form_a, form_b = _opened(a, item), _opened(b, item)
    assert Auth(a).post(URL.format(item.id), form_a | {"name_fr": "Nouveau"}).status_code == 302
    refused = Auth(b).post(
        URL.format(item.id), form_b | {"name_fr": "Nouveau", "lifetime_years": "6"}
    )
    version = re.search(
        r'name="version"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="version"', refused.text
    )
    sent_again = form_b | {"name_fr": "Nouveau", "lifetime_years": "6"}
    sent_again["version"] = html.unescape(next(v for v in version.groups() if v))
    assert Auth(b).post(URL.format(item.id), sent_again).status_code == 302
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).lifetime_years == 6.0


def test_an_import_confirmed_while_the_form_was_open_is_not_undone(app, make, make_item):
    item = make_item(code="LAP-OPEN-1", name_fr="Portable")
    b = _admin_client(app, make, "Bruno Petit", locale="fr")
    form_b = _opened(b, item)
    a = _admin_client(app, make, "Alice Martin")
    exported = a.get("/catalogue/export.csv").text
    text = exported.replace("Portable", "Portable importé")
    preview = Auth(a).post(
        "/catalogue/admin/import",
        {"file": (__import__("io").BytesIO(text.encode()), "catalogue.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200, preview.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview.text)[1]
    digest = re.search(r'name="preview" type="hidden" value="([^"]+)"', preview.text)[1]
    done = Auth(a).post("/catalogue/admin/import/confirm", {"token": token, "preview": digest})
    assert done.status_code == 302
    answer = Auth(b).post(URL.format(item.id), form_b | {"lifetime_years": "6"})
    assert answer.status_code == 422
    assert "Alice Martin" in html.unescape(answer.text)
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).name_fr == "Portable importé"


def test_a_form_opened_before_a_withdrawal_is_refused(app, make, make_item):
    item = make_item()
    b = _admin_client(app, make, "Bruno Petit")
    form_b = _opened(b, item)
    a = _admin_client(app, make, "Alice Martin")
    Auth(a).post(f"/catalogue/admin/items/{item.id}/discontinue", {})
    answer = Auth(b).post(URL.format(item.id), form_b | {"lifetime_years": "6"})
    assert answer.status_code == 422
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).status == "discontinued"
