"""recycling: no custody step names the device's owner (steps recorded before 5 December)

Until 5 December the owner's own steps (declaring a return, withdrawing the declaration)
stored the owner's display name in `actor_name`; the steps recorded since store none,
and the pages and the API never showed it. This takes the name off those older steps.

The signature of a step (`app.recycling.services._step_payload`, unchanged since the
first revision) covers the receipt number, the step, its time, the actor's account id
and the wipe's facts, never `actor_name`: each step still verifies afterwards, and
`actor_id` stays, so the receipt still says "by you" to its owner.

Revision ID: 20261205_recycling_owner_names
Revises: 20261204_cleanup_corrections
Create Date: 2026-12-05 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261205_recycling_owner_names"
down_revision = "20261204_cleanup_corrections"
branch_labels = None
depends_on = None

# app.recycling.models.OWNER_STEPS at this revision: the steps the owner records.
OWNER_STEPS = ("declared", "withdrawn")

steps = sa.table(
    "recycling_custody_step",
    sa.column("step", sa.String),
    sa.column("actor_name", sa.String),
)


def upgrade():
    op.execute(
        steps.update()
        .where(steps.c.step.in_(OWNER_STEPS), steps.c.actor_name != "")
        .values(actor_name="")
    )


def downgrade():
    # Nothing to undo: the names are personal data the steps should never have kept,
    # and no page or signature needs them.
    pass
