"""cleanup: a closed campaign's leaderboard keeps each person's label from its end

A closed campaign's individual leaderboard read each person's current name, pseudonym
and choice: someone shown as « Colibri 1233 » who chose their name, then a new
pseudonym, appeared on the frozen board (same rank, same points) as « Anne Lucas », then
« Blaireau 7873 », tying the three together. Each participant row now keeps, when the
campaign's results freeze, how the board showed them (`board_shown_as`) and the label
(`board_label`); a closed board shows that label, never a later one.

The campaigns already frozen get the labels their people have now (the only ones there
are): from here on a later choice no longer moves them. The anonymised and the erased
are kept hidden, without a label.

Revision ID: 20261217_cleanup_board_labels
Revises: 20261217_auth_erased_apart
Create Date: 2026-12-17 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261217_cleanup_board_labels"
down_revision = "20261217_auth_erased_apart"
branch_labels = None
depends_on = None

participant = sa.table(
    "cleanup_participant",
    sa.column("campaign_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("board_shown_as", sa.String),
    sa.column("board_label", sa.String),
)
campaign = sa.table(
    "cleanup_campaign",
    sa.column("id", sa.Integer),
    sa.column("frozen_at", sa.DateTime(timezone=True)),
)
user = sa.table(
    "user_account",
    sa.column("id", sa.Integer),
    sa.column("display_name", sa.String),
    sa.column("pseudonym", sa.String),
    sa.column("leaderboard_visibility", sa.String),
    sa.column("anonymised_at", sa.DateTime(timezone=True)),
)


def upgrade():
    # Plain ADD COLUMNs, not a batch: SQLite's batch copies the table and drops the old
    # one (as 20261207_catalogue_erasure_flag explains).
    op.add_column("cleanup_participant", sa.Column("board_shown_as", sa.String(10)))
    op.add_column("cleanup_participant", sa.Column("board_label", sa.String(120)))
    person = user.c.id == participant.c.user_id
    anonymised = user.c.anonymised_at.is_not(None)
    shown_as = sa.case((anonymised, "hidden"), else_=user.c.leaderboard_visibility)
    label = sa.case(
        (anonymised, None),
        (user.c.leaderboard_visibility == "name", user.c.display_name),
        (user.c.leaderboard_visibility == "pseudonym", user.c.pseudonym),
        else_=None,
    )
    op.execute(
        participant.update()
        .where(
            participant.c.campaign_id.in_(
                sa.select(campaign.c.id).where(campaign.c.frozen_at.is_not(None))
            )
        )
        .values(
            board_shown_as=sa.func.coalesce(
                sa.select(shown_as).where(person).scalar_subquery(), "hidden"
            ),
            board_label=sa.select(label).where(person).scalar_subquery(),
        )
    )


def downgrade():
    op.drop_column("cleanup_participant", "board_label")
    op.drop_column("cleanup_participant", "board_shown_as")
