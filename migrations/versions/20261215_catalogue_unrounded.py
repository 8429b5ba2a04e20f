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


def downgrade():
    """Nothing to undo: the unrounded figures read as the rounded ones did."""
