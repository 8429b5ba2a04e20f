"""The migration 20261215_catalogue_unrounded works each item's yearly figure out again,
unrounded, with the grade it gives, and moves the catalogue's cache version: a shared
cache (Redis) would else keep serving listings and exports with the rounded figures."""

from pathlib import Path

from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.catalogue.models import CatalogueItem
from app.config import TestConfig
from app.core.models import CacheVersion
from app.extensions import db

MIGRATION = "20261215_catalogue_unrounded"


def _before(revision: str) -> str:
    """The revision a migration follows (whatever came in between since)."""
    scripts = ScriptDirectory(str(Path(__file__).parents[2] / "migrations"))
    return scripts.get_revision(revision).down_revision


def _catalogue_version() -> str | None:
    return db.session.scalar(select(CacheVersion.version).where(CacheVersion.name == "catalogue"))


def test_a_rounded_figure_gets_its_digits_and_grade_back(empty_database_url):
    """A laptop of 80.0016 kg over 4 years was stored at 20.0 kg, an A (bound 20): it is
    20.0004 kg a year, a B; the listings cached before say so from the next request."""
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with portal.app_context():
        upgrade(revision=_before(MIGRATION))
        laptop = CatalogueItem(code="PC-R", kind="equipment", category="laptop")
        laptop.name_fr = laptop.name_en = "Portable"
        laptop.embodied_kgco2e, laptop.lifetime_years = 80.0016, 4
        laptop.use_kgco2e_per_year, laptop.annual_kgco2e, laptop.grade = 0.0, 20.0, "A"
        db.session.add(laptop)
        db.session.commit()
        cached = _catalogue_version()
        db.session.remove()
        upgrade(revision=MIGRATION)
        stored = db.session.scalar(select(CatalogueItem).where(CatalogueItem.code == "PC-R"))
        result = (stored.annual_kgco2e, stored.grade, _catalogue_version())
        db.session.remove()
        db.engine.dispose()
    assert result[:2] == (20.0004, "B")
    assert result[2] not in (None, cached)
