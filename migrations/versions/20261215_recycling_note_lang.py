"""recycling: the language of a custody step's note

An agent's reason for undoing a receipt is now stored with the language it was written
in (the agent's interface language then): the owner's e-mail and receipt page, read in
the other language, mark it so (« (in French) », `lang`), as an organiser's reason is.
The notes written before keep no language (NULL): nothing is marked for them.

Revision ID: 20261215_recycling_note_lang
Revises: 20261215_cleanup_end_of_day
Create Date: 2026-12-15 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261215_recycling_note_lang"
down_revision = "20261215_cleanup_end_of_day"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("recycling_custody_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note_lang", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("recycling_custody_step", schema=None) as batch_op:
        batch_op.drop_column("note_lang")
