"""Catalogue tables: items with their footprint, alternatives, requests, budgets, usefulness."""

from datetime import datetime

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.i18n import collation_key
from app.core.time import utcnow
from app.core.types import UTCDateTime
from app.extensions import IDS_NEVER_REUSED, db

catalogue_alternative = Table(
    "catalogue_alternative",
    db.metadata,
    Column("item_id", ForeignKey("catalogue_item.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "alternative_id",
        ForeignKey("catalogue_item.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


# An item's own fields, in the order the import's and export's columns give them.
ITEM_FIELDS = (
    "code",
    "kind",
    "category",
    "name_fr",
    "name_en",
    "description_fr",
    "description_en",
    "status",
    "embodied_kgco2e",
    "embodied_min_kgco2e",
    "embodied_max_kgco2e",
    "use_kwh_per_year",
    "use_kwh_min",
    "use_kwh_max",
    "use_kgco2e_per_year",
    "lifetime_years",
    "source",
    "source_url",
    "estimate",
    "user_count",
)


class CatalogueItem(db.Model):
    """A service or a piece of equipment, with its footprint figures and their sources."""

    __tablename__ = "catalogue_item"
    __cache_namespace__ = "catalogue"  # cached fragments follow its changes

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # Codes are one whatever their capitals (`services.code_key`): the database holds
    # to it too, so two admins saving `lap-1` and `LAP-1` at once cannot both succeed.
    # Codes are ASCII, which lower() folds alike on SQLite and PostgreSQL.
    __table_args__ = (Index("ix_catalogue_item_code_lower", func.lower(code), unique=True),)
    kind: Mapped[str] = mapped_column(String(10), index=True)  # equipment | service
    category: Mapped[str] = mapped_column(String(30), index=True)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(String(600), default="")
    # The names as an index sorts them (`collation_key`): SQLite compares code points,
    # which put every "Écran" after "Webcam". Kept in step by `_keep_sort_name`.
    sort_name_fr: Mapped[str] = mapped_column(String(255), default="", index=True)
    sort_name_en: Mapped[str] = mapped_column(String(255), default="", index=True)
    status: Mapped[str] = mapped_column(String(15), default="available", index=True)

    # Manufacture, transport and end of life, spread over the lifetime.
    embodied_kgco2e: Mapped[float | None] = mapped_column(Float)
    embodied_min_kgco2e: Mapped[float | None] = mapped_column(Float)
    embodied_max_kgco2e: Mapped[float | None] = mapped_column(Float)
    use_kwh_per_year: Mapped[float | None] = mapped_column(Float)
    use_kwh_min: Mapped[float | None] = mapped_column(Float)
    use_kwh_max: Mapped[float | None] = mapped_column(Float)
    grid_factor: Mapped[float | None] = mapped_column(Float)  # kgCO2e/kWh used for use_*
    # Equipment: use_kwh × grid factor. Services: per user per year, as entered.
    use_kgco2e_per_year: Mapped[float | None] = mapped_column(Float)
    lifetime_years: Mapped[float | None] = mapped_column(Float)
    # Derived at write time so listings can sort and filter in SQL.
    annual_kgco2e: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    grade: Mapped[str] = mapped_column(String(1), index=True)
    source: Mapped[str] = mapped_column(String(400), default="")
    source_url: Mapped[str] = mapped_column(String(400), default="")
    estimate: Mapped[bool] = mapped_column(default=False)  # no reference data: an estimate
    user_count: Mapped[int | None]  # services: staff who use it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    alternatives: Mapped[list["CatalogueItem"]] = relationship(
        secondary=catalogue_alternative,
        primaryjoin=id == catalogue_alternative.c.item_id,
        secondaryjoin=id == catalogue_alternative.c.alternative_id,
        order_by="CatalogueItem.annual_kgco2e",
    )

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fr

    @validates("name_fr", "name_en")
    def _keep_sort_name(self, field: str, name: str) -> str:
        setattr(self, f"sort_{field}", collation_key(name or ""))
        return name

    def description(self, locale: str) -> str:
        return self.description_en if locale == "en" else self.description_fr

    @property
    def contested(self) -> bool:
        from app.catalogue.footprint import CONTESTED_CATEGORIES

        return self.category in CONTESTED_CATEGORIES

    def __repr__(self) -> str:
        return f"<CatalogueItem {self.code}>"


class CatalogueRequest(db.Model):
    """An employee's request for items: a basket (draft) until submitted, then decided."""

    __tablename__ = "catalogue_request"
    # One request being prepared per person, held by the database: a double click's two
    # adds each found none and opened one, and the second came back after sending.
    # `services.get_or_create_basket` adds to the one there instead (ON CONFLICT).
    __table_args__ = (
        Index(
            "ix_catalogue_request_one_draft",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL once the person is erased: the request still counts in its department's budget.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    # Withdrawn by its sender's erasure (`services.erase_personal_data`), not by them: once
    # they are gone, nothing else tells the two apart. False unless that UPDATE sets it (a
    # server default only: inserts written for earlier revisions leave it out).
    withdrawn_on_erasure: Mapped[bool] = mapped_column(server_default=false())

    lines: Mapped[list["CatalogueRequestLine"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="CatalogueRequestLine.id"
    )
    user = relationship("User", foreign_keys=[user_id])
    department = relationship("Department")

    @property
    def total_annual_kgco2e(self) -> float:
        return sum(line.total_annual_kgco2e for line in self.lines)


class CatalogueRequestLine(db.Model):
    __tablename__ = "catalogue_request_line"
    __table_args__ = (
        UniqueConstraint("request_id", "item_id"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_request.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_item.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    # The add form that last changed the line (a token per rendered form) and the quantity
    # it added: the same form sent again (a double click) is counted once
    # (`services.add_to_basket`).
    form_token: Mapped[str | None] = mapped_column(String(64))
    form_quantity: Mapped[int | None]
    # Per unit, frozen at submission so a later edit of the item leaves budgets unchanged.
    annual_kgco2e: Mapped[float] = mapped_column(Float, default=0.0)
    # Set when the request is approved with this line's item out of the catalogue: the
    # approval charged nothing for it, and nobody received it. The frozen figure stays,
    # as requested (a server default only: inserts written for earlier revisions leave it out).
    not_counted: Mapped[bool] = mapped_column(server_default=false())

    request: Mapped[CatalogueRequest] = relationship(back_populates="lines")
    item: Mapped[CatalogueItem] = relationship()

    @property
    def counted(self) -> bool:
        """Whether the line counts in its request's footprint: an item discontinued while
        the request is prepared or waits for a decision is « not counted », and approving
        the request charges nothing for it (`services.decide_request` records it)."""
        if self.request.status in ("draft", "submitted"):
            return self.item.status == "available"
        return not self.not_counted

    @property
    def total_annual_kgco2e(self) -> float:
        if not self.counted:
            return 0.0
        return self.unit_annual_kgco2e * self.quantity

    @property
    def unit_annual_kgco2e(self) -> float:
        """One unit's yearly footprint: the item's while prepared, frozen once sent."""
        return self.annual_kgco2e if self.request.status != "draft" else self.item.annual_kgco2e


class CatalogueBudget(db.Model):
    """A department's yearly footprint budget (kgCO2e per year added by what it acquires)."""

    __tablename__ = "catalogue_budget"
    __table_args__ = (UniqueConstraint("department_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    year: Mapped[int]
    budget_kgco2e: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department = relationship("Department")


class CatalogueUsefulMark(db.Model):
    """An employee says a service is useful to them."""

    __tablename__ = "catalogue_useful_mark"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_item.id", ondelete="CASCADE"), index=True
    )
    # NULL once the person is erased: the count stays the same.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
