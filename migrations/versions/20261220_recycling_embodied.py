"""recycling: the manufacturing footprint in force when a device's outcome was recorded

The footprint a reused device avoided was today's median of the catalogue's new models,
applied to every month back to the first: a model added or withdrawn moved the figures of
past years. Each return given its outcome now keeps the figure of its type in force then
(`recycling_device_return.embodied_kgco2e`). The returns already given one are filled in
once, with the figures of the day this migration runs (the same computation as
`app.catalogue.queries.reference_embodied_by_device_type`, on the catalogue as it is).

A downgrade drops the column: the statistics then read today's figures again.

Revision ID: 20261220_recycling_embodied
Revises: 20261219_messaging_other_text
Create Date: 2026-12-20 09:00:00

"""

import statistics

import sqlalchemy as sa
from alembic import op

revision = "20261220_recycling_embodied"
down_revision = "20261219_messaging_other_text"
branch_labels = None
depends_on = None

OUTCOMES = ("reused", "donated", "refurbished", "recycled")


def _todays_figures(connection) -> dict[str, float]:
    """The median embodied kg CO2e of the available new equipment of each device type, else
    the boaviztapi archetype's, else 0 (as the catalogue computes it today)."""
    from app.catalogue.footprint import is_refurbished
    from app.catalogue.reference import category_reference
    from app.core.devices import DEVICE_TYPES

    rows = connection.execute(
        sa.text(
            "SELECT category, embodied_kgco2e, name_fr, name_en, description_fr "
            "FROM catalogue_item WHERE kind = 'equipment' AND status = 'available' "
            "AND embodied_kgco2e IS NOT NULL"
        )
    )
    values: dict[str, list[float]] = {}
    for category, embodied, name_fr, name_en, description in rows:
        if not is_refurbished(name_fr, name_en, description):
            values.setdefault(category, []).append(embodied)
    figures = {}
    for key in DEVICE_TYPES:
        if values.get(key):
            figures[key] = float(statistics.median(values[key]))
        else:
            reference = category_reference(key)
            figures[key] = reference.embodied_kgco2e if reference else 0.0
    return figures


def upgrade():
    with op.batch_alter_table("recycling_device_return", schema=None) as batch_op:
        batch_op.add_column(sa.Column("embodied_kgco2e", sa.Float(), nullable=True))
    connection = op.get_bind()
    returns = sa.table(
        "recycling_device_return",
        sa.column("device_type", sa.String),
        sa.column("status", sa.String),
        sa.column("embodied_kgco2e", sa.Float),
    )
    for device_type, figure in _todays_figures(connection).items():
        connection.execute(
            returns.update()
            .where(returns.c.device_type == device_type, returns.c.status.in_(OUTCOMES))
            .values(embodied_kgco2e=figure)
        )


def downgrade():
    with op.batch_alter_table("recycling_device_return", schema=None) as batch_op:
        batch_op.drop_column("embodied_kgco2e")
