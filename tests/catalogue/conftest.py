"""Catalogue fixtures: items built through the same footprint rules as the app."""

import itertools
from datetime import UTC, datetime

import pytest

from app.catalogue.models import CatalogueItem
from app.catalogue.services import complete_footprint
from app.extensions import db

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
GRID = 0.052
_codes = itertools.count(1)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def make_item(app):
    """make_item(kind="service", category="email", use_kgco2e_per_year=12, …)"""

    def build(**overrides) -> CatalogueItem:
        n = next(_codes)
        values = {
            "code": f"T-{n}",
            "kind": "equipment",
            "category": "laptop",
            "name_fr": f"Objet {n}",
            "name_en": f"Item {n}",
            "description_fr": "",
            "description_en": "",
            "source": "Test source v1",
            "embodied_kgco2e": 200.0,
            "lifetime_years": 4.0,
            "use_kwh_per_year": 100.0,
        }
        if overrides.get("kind") == "service":
            values.update(category="email", use_kgco2e_per_year=3.0)
        status = overrides.pop("status", "available")
        values.update(overrides)
        values = complete_footprint(values, GRID)
        item = CatalogueItem(
            **{k: v for k, v in values.items() if hasattr(CatalogueItem, k)}, status=status
        )
        db.session.add(item)
        db.session.commit()
        return item

    return build


@pytest.fixture
def request_context(app):
    """Translated messages need a locale: services are called as from a request."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch):
    """Previewed imports are kept in a folder of the test's own, not the instance's."""
    monkeypatch.setitem(app.config, "CATALOGUE_IMPORT_DIR", str(tmp_path / "imports"))
    return tmp_path / "imports"


def item_edit_form(item: CatalogueItem, **changes) -> dict:
    """The item's edit form as the browser sends it back, with `changes` typed."""
    fields = ("code", "kind", "category", "name_fr", "name_en", "description_fr",
              "description_en", "source", "source_url")  # fmt: skip
    numbers = ("embodied_kgco2e", "use_kwh_per_year", "use_kgco2e_per_year", "lifetime_years")
    form = {name: getattr(item, name) or "" for name in fields}
    form.update({name: "" if getattr(item, name) is None else str(getattr(item, name))
                 for name in numbers})  # fmt: skip
    return form | changes
