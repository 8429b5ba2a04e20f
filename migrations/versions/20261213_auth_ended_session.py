"""auth: signing out on one device ends that session for good

Sessions are signed cookies. "Sign out" replaced the browser's cookie, but a copy of the
old one taken before (a shared computer, a stolen cookie) still signed its holder in for
the rest of its eight hours. Each session now carries a random mark; signing out keeps
the mark in `ended_session` until the cookie would have expired, and the session loader
refuses it. Only the mark and that date are stored.

Revision ID: 20261213_auth_ended_session
Revises: 20261212_ids_never_reused
Create Date: 2026-12-13 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261213_auth_ended_session"
down_revision = "20261212_ids_never_reused"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ended_session",
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.Column("kept_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mark", name=op.f("pk_ended_session")),
    )
    with op.batch_alter_table("ended_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ended_session_kept_until"), ["kept_until"], unique=False
        )


def downgrade():
    with op.batch_alter_table("ended_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ended_session_kept_until"))
    op.drop_table("ended_session")
