"""catalogue: office devices' yearly electricity over working hours

Boavizta's default use pattern (average power × 30 % of the clock, 2,628 hours) gave an
office laptop 197.1 kWh a year. Laptops, desktops, monitors, smartphones and tablets now
take the average power × `DEVICE_USE_HOURS_PER_YEAR` (1,607 hours by default, the legal
annual working time of the French public service): 120.53 kWh for the laptop.

Only the items whose electricity still is the reference's, unchanged, are worked out
again: an office device whose source credits a Boavizta archetype for its use (its whole
citation, or its "use" part) and whose stored kWh is that archetype's old default, low or
high figure (the demo seeds some at the low or high power). Its range follows when it is
the archetype's too; its use kgCO2e with the item's own stored grid factor, its yearly
footprint and grade with it. A figure typed by an admin (a supplier's PCF) is left as it
is. Request lines keep the figure frozen when they were sent: budgets do not move.

Revision ID: 20261227_catalogue_working_hours
Revises: 20261226_core_welcome_dismissed
Create Date: 2026-12-27 09:00:00

"""

import os
import re
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "20261227_catalogue_working_hours"
down_revision = "20261226_core_welcome_dismissed"
branch_labels = None
depends_on = None

# Boavizta 2.5.0's office archetypes, average power in W (default, low, high), and their
# use-time ratio, kept here so that a later boaviztapi does not rewrite what this step did.
POWERS = {
    "laptop-pro": (75, 50, 100),
    "laptop-perso": (75, 50, 100),
    "desktop-pro": (175, 100, 450),
    "desktop-perso": (175, 100, 450),
    "monitor-default": (55, 20, 100),
    "smartphone-default": (1, 0.5, 3),
    "tablet-default": (7.5, 5, 10),
}
FORMER_RATIO_HOURS = 0.3 * 8760
DEFAULT_HOURS = 1607

GRADES = "ABCDEFG"
# The thresholds at this revision (`footprint.THRESHOLDS`).
THRESHOLDS = {
    "laptop": (20, 30, 40, 50, 60, 80),
    "desktop": (30, 45, 60, 75, 90, 110),
    "monitor": (6, 9, 12, 15, 18, 24),
    "smartphone": (10, 15, 20, 25, 30, 40),
    "tablet": (10, 15, 20, 25, 30, 40),
}

item = sa.table(
    "catalogue_item",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("category", sa.String),
    sa.column("embodied_kgco2e", sa.Float),
    sa.column("lifetime_years", sa.Float),
    sa.column("use_kwh_per_year", sa.Float),
    sa.column("use_kwh_min", sa.Float),
    sa.column("use_kwh_max", sa.Float),
    sa.column("grid_factor", sa.Float),
    sa.column("use_kgco2e_per_year", sa.Float),
    sa.column("annual_kgco2e", sa.Float),
    sa.column("grade", sa.String),
    sa.column("source", sa.String),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
# Cached listings follow `core_cache_version`, which these Core writes do not bump
# (as in 20261215_catalogue_unrounded).
cache_version = sa.table(
    "core_cache_version",
    sa.column("name", sa.String),
    sa.column("version", sa.String),
)


def _hours() -> int:
    """The configured hours, as the application reads them (`flask db upgrade` runs in
    it); the environment's, or the default, otherwise."""
    try:
        from flask import current_app

        return int(current_app.config.get("DEVICE_USE_HOURS_PER_YEAR", DEFAULT_HOURS))
    except RuntimeError:
        return int(os.environ.get("DEVICE_USE_HOURS_PER_YEAR") or DEFAULT_HOURS)


def _kwh(power: float, hours: float) -> float:
    return round(power * hours / 1000, 2)


def _same(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) < 0.005


def _grade(category: str, annual: float) -> str:
    for grade, bound in zip(GRADES, THRESHOLDS[category], strict=False):
        if annual <= bound:
            return grade
    return GRADES[-1]


def _credited(source: str) -> list[str]:
    """The office archetypes `source` credits for the use figure."""
    return [
        archetype
        for archetype in POWERS
        if re.search(rf"\(boaviztapi, {re.escape(archetype)}(?:, use)?\)", source or "")
    ]


def _rework(connection, before_hours: float, after_hours: float) -> None:
    """Items whose kWh is an archetype's figure over `before_hours`, worked out again over
    `after_hours`."""
    rows = connection.execute(
        sa.select(item).where(
            item.c.kind == "equipment",
            item.c.category.in_(THRESHOLDS),
            item.c.grid_factor.is_not(None),
        )
    ).all()
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":  # stored in UTC without its offset (UTCDateTime)
        now = now.replace(tzinfo=None)
    for row in rows:
        for archetype in _credited(row.source):
            before = [_kwh(power, before_hours) for power in POWERS[archetype]]
            after = [_kwh(power, after_hours) for power in POWERS[archetype]]
            match = next((n for n in range(3) if _same(row.use_kwh_per_year, before[n])), None)
            if match is None:
                continue
            values = {"use_kwh_per_year": after[match]}
            if _same(row.use_kwh_min, before[1]):
                values["use_kwh_min"] = after[1]
            if _same(row.use_kwh_max, before[2]):
                values["use_kwh_max"] = after[2]
            # The grid factor the item was written with (`footprint.use_kgco2e`).
            use = after[match] * (row.grid_factor or 0.0)
            values["use_kgco2e_per_year"] = use
            total = use
            if row.embodied_kgco2e and row.lifetime_years:
                total += row.embodied_kgco2e / row.lifetime_years
            values["annual_kgco2e"] = float(f"{total:.10g}")
            values["grade"] = _grade(row.category, values["annual_kgco2e"])
            values["updated_at"] = now
            connection.execute(item.update().where(item.c.id == row.id).values(**values))
            break
    connection.execute(cache_version.delete().where(cache_version.c.name == "catalogue"))
    connection.execute(
        cache_version.insert().values(name="catalogue", version=secrets.token_hex(8))
    )


def upgrade():
    _rework(op.get_bind(), FORMER_RATIO_HOURS, _hours())


def downgrade():
    """Back to Boavizta's 30 % of the clock, for the items still at the working hours'
    reference figures."""
    _rework(op.get_bind(), _hours(), FORMER_RATIO_HOURS)
