"""catalogue: yearly footprints stored unrounded

`annual_kgco2e` was cut to 3 decimals when an item was saved (0.0049 kg a user stored as
0.005, a laptop at 20.0004 kg given the A whose bound is 20). The column is a float and
keeps its type; this works each item's figure out again from its stored figures, unrounded
(ten significant digits, as `footprint.annual_kgco2e`), and its grade from it. Request
lines keep the figure frozen when they were sent: budgets do not move.

Revision ID: 20261215_catalogue_unrounded
Revises: 20261214_messaging_schedule_end
Create Date: 2026-12-15 09:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "20261215_catalogue_unrounded"
down_revision = "20261214_messaging_schedule_end"
branch_labels = None
depends_on = None

GRADES = "ABCDEFG"
# The thresholds at this revision (`footprint.THRESHOLDS`), kept here so that a later
# change of them does not rewrite what this step did.
_SERVICE = (1, 2, 5, 10, 20, 50)
THRESHOLDS = {
    "laptop": (20, 30, 40, 50, 60, 80),
    "desktop": (30, 45, 60, 75, 90, 110),
    "monitor": (6, 9, 12, 15, 18, 24),
    "smartphone": (10, 15, 20, 25, 30, 40),
    "tablet": (10, 15, 20, 25, 30, 40),
    "printer": (20, 40, 60, 80, 120, 160),
    "accessory": (2, 4, 6, 10, 15, 25),
}

item = sa.table(
    "catalogue_item",
    sa.column("id", sa.Integer),
    sa.column("category", sa.String),
    sa.column("embodied_kgco2e", sa.Float),
    sa.column("lifetime_years", sa.Float),
    sa.column("use_kgco2e_per_year", sa.Float),
    sa.column("annual_kgco2e", sa.Float),
    sa.column("grade", sa.String),
)


# Cached listings and exports follow `core_cache_version` (app/core/cache.py), which only
# the ORM's flush and bulk statements bump; these Core writes do not. The namespace gets a
# new random version as `cache.bump` gives it, or a shared store (Redis) keeps serving
# what was rendered before the deploy.
cache_version = sa.table(
    "core_cache_version",
    sa.column("name", sa.String),
    sa.column("version", sa.String),
)


def _bump(connection, name: str) -> None:
    """A new version for the namespace `name` (deleted then written: any database)."""
    connection.execute(cache_version.delete().where(cache_version.c.name == name))
    connection.execute(cache_version.insert().values(name=name, version=secrets.token_hex(8)))


def _grade(category, annual):
    for grade, bound in zip(GRADES, THRESHOLDS.get(category, _SERVICE), strict=False):
        if annual <= bound:
            return grade
    return GRADES[-1]


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            item.c.id,
            item.c.category,
            item.c.embodied_kgco2e,
            item.c.lifetime_years,
            item.c.use_kgco2e_per_year,
            item.c.annual_kgco2e,
            item.c.grade,
        )
    ).all()
    for row in rows:
        total = row.use_kgco2e_per_year or 0.0
        if row.embodied_kgco2e and row.lifetime_years:
            total += row.embodied_kgco2e / row.lifetime_years
        total = float(f"{total:.10g}")
        grade = _grade(row.category, total)
        if total != row.annual_kgco2e or grade != row.grade:
            connection.execute(
                item.update().where(item.c.id == row.id).values(annual_kgco2e=total, grade=grade)
            )
    _bump(connection, "catalogue")


def downgrade():
    """Figures and grades stay as the upgrade left them: the rounded figures are not
    kept, so an item whose unrounded figure passed a grade's bound (20.0004 kg for a
    laptop, an A before and a B since) keeps its new grade. The earlier code shows them
    as stored, and rounds an item's figure again when it is next saved."""
