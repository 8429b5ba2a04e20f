"""Places and teams: communes and departments."""

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import alphabetical
from app.extensions import db


class Commune(db.Model):
    """One of the communes of the metropolis (INSEE code, name, centre)."""

    __tablename__ = "commune"
    __cache_namespace__ = "people"  # cached fragments follow its changes

    id: Mapped[int] = mapped_column(primary_key=True)
    insee_code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float]
    longitude: Mapped[float]

    def __repr__(self) -> str:
        return f"<Commune {self.insee_code} {self.name}>"


class Department(db.Model):
    """The team unit of leaderboards, named in both languages."""

    __tablename__ = "department"
    __cache_namespace__ = "people"  # cached fragments follow its changes

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("commune.id"), index=True)

    commune: Mapped[Commune | None] = relationship()

    def name(self, locale: str) -> str:
        """The department's name in the given locale."""
        return self.name_en if locale == "en" else self.name_fr

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


def communes_by_name() -> list[tuple[int, str]]:
    """Every commune as (id, name), alphabetically: a list people pick from."""
    names = [(id_, name) for id_, name in db.session.execute(select(Commune.id, Commune.name))]
    return sorted(names, key=lambda choice: alphabetical(choice[1]))


def departments_by_name(language: str) -> list[tuple[int, str]]:
    """Every department as (id, name in `language`), alphabetically in that language."""
    column = Department.name_en if language == "en" else Department.name_fr
    names = [(id_, name) for id_, name in db.session.execute(select(Department.id, column))]
    return sorted(names, key=lambda choice: alphabetical(choice[1]))


class CacheVersion(db.Model):
    """The version of one kind of data that rendered fragments depend on (app/core/cache.py).

    A random token rather than a counter: emptied or restored tables never give an
    old version number back to different data.
    """

    __tablename__ = "core_cache_version"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
