"""An item's figures taken from its category's reference (Boavizta) follow the new
category's reference when an admin changes the category, typed figures stay; a blank
manufacture figure beside a stray typed range is refused at the range, and reference
figures never say « these figures are an estimate » (review: a laptop changed into a
desktop kept the laptop's 181 kg and still cited `boaviztapi, laptop-pro`)."""

import html
from html.parser import HTMLParser

from app.catalogue.models import CatalogueItem
from app.catalogue.reference import archetype_reference
from app.extensions import db
from tests.conftest import Auth, login

NEW = "/catalogue/admin/items/new"
EDIT = "/catalogue/admin/items/{}/edit"


class _FormValues(HTMLParser):
    """The values a browser sends back from the page's form, as pre-filled."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "y")
            else:
                self.values[name] = attrs.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def _edit_form(client, item_id) -> dict:
    parser = _FormValues()
    parser.feed(client.get(EDIT.format(item_id)).text)
    return parser.values


def _admin(client, make, locale="fr"):
    login(client, make.user(roles=("admin",), locale=locale))
    return Auth(client)


def _new_laptop(auth, **typed) -> CatalogueItem:
    form = {
        "code": "LAP-REF",
        "kind": "equipment",
        "category": "laptop",
        "name_fr": "Portable",
        "name_en": "Laptop",
        "embodied_kgco2e": "",
        "use_kwh_per_year": "",
        "source": "",
    } | typed
    assert auth.post(NEW, form).status_code == 302
    return db.session.scalars(db.select(CatalogueItem).filter_by(code="LAP-REF")).one()


def test_a_category_changed_takes_the_new_reference_figures_and_source(client, make):
    auth = _admin(client, make)
    item = _new_laptop(auth)
    assert item.embodied_kgco2e == archetype_reference("laptop-pro").embodied_kgco2e
    sent = _edit_form(client, item.id) | {"category": "desktop"}
    assert auth.post(EDIT.format(item.id), sent).status_code == 302
    db.session.expire_all()
    item = db.session.get(CatalogueItem, item.id)
    desktop = archetype_reference("desktop-pro")
    assert (item.category, item.embodied_kgco2e, item.use_kwh_per_year) == (
        "desktop",
        desktop.embodied_kgco2e,
        desktop.use_kwh_per_year,
    )
    assert (item.embodied_min_kgco2e, item.embodied_max_kgco2e) == (
        desktop.embodied_min_kgco2e,
        desktop.embodied_max_kgco2e,
    )
    assert "desktop-pro" in item.source and "laptop-pro" not in item.source
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    assert "ordinateur portable professionnel" not in page
    export = client.get("/catalogue/export.csv").text
    assert "laptop-pro" not in export


def test_a_figure_typed_stays_when_the_category_changes(client, make):
    auth = _admin(client, make)
    item = _new_laptop(auth, use_kwh_per_year="30", source="Mesure interne 2025")
    sent = _edit_form(client, item.id) | {"category": "desktop"}
    assert auth.post(EDIT.format(item.id), sent).status_code == 302
    db.session.expire_all()
    item = db.session.get(CatalogueItem, item.id)
    assert item.use_kwh_per_year == 30
    assert item.embodied_kgco2e == archetype_reference("desktop-pro").embodied_kgco2e
    assert "Mesure interne 2025" in item.source and "desktop-pro" in item.source
    assert "laptop-pro" not in item.source


def _typed_estimate(auth) -> CatalogueItem:
    return _new_laptop(
        auth,
        embodied_kgco2e="150",
        embodied_min_kgco2e="120",
        embodied_max_kgco2e="170",
        use_kwh_per_year="30",
        source="Estimation interne",
        estimate="y",
    )


def test_a_blank_manufacture_figure_refuses_the_range_typed_beside_it(client, make):
    auth = _admin(client, make, locale="en")
    item = _typed_estimate(auth)
    sent = _edit_form(client, item.id) | {"embodied_kgco2e": ""}
    answer = auth.post(EDIT.format(item.id), sent)
    assert answer.status_code == 422
    page = html.unescape(answer.text)
    assert "leave its low and high estimates blank too" in page
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).embodied_kgco2e == 150


def test_reference_figures_are_no_estimate(client, make):
    auth = _admin(client, make)
    item = _typed_estimate(auth)
    sent = _edit_form(client, item.id) | {
        "embodied_kgco2e": "",
        "embodied_min_kgco2e": "",
        "embodied_max_kgco2e": "",
    }
    assert auth.post(EDIT.format(item.id), sent).status_code == 302
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).estimate is False
    page = html.unescape(client.get(f"/catalogue/items/{item.id}").text)
    assert "ces chiffres sont une estimation" not in page
