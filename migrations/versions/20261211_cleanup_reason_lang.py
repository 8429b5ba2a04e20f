"""cleanup: the language of an organiser's reason; a campaign's edit version

A review's reason (accepting or rejecting an entry, refusing a correction) is now stored
with the language it was written in, its reviewer's interface language then: a page in
the other language marks it with `lang`, so that screen readers read a French reason
in French (RGAA 8.7).

A campaign gets `edit_version`, moved by one at every organiser's change: the edit form
carries it, and a save from a form shown before another change is refused instead of
silently undoing it (`app.cleanup.services.campaign_version`).

Revision ID: 20261211_cleanup_reason_lang
Revises: 20261210_cleanup_campaign_once
Create Date: 2026-12-11 10:00:00

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "20261211_cleanup_reason_lang"
down_revision = "20261210_cleanup_campaign_once"
branch_labels = None
depends_on = None

# The demo seed's organiser, whose seeded reasons are written in French.
DEMO_ORGANISER = "organiser@demo.empreinte.fr"


def _default_language() -> str:
    """The deployment's default locale (app config), "fr" outside an application."""
    try:
        return current_app.config.get("BABEL_DEFAULT_LOCALE") or "fr"
    except RuntimeError:  # no application context (alembic run on its own)
        return "fr"


def upgrade():
    with op.batch_alter_table("cleanup_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_reason_lang", sa.String(length=8), nullable=True))
    with op.batch_alter_table("cleanup_campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("edit_version", sa.Integer(), server_default="1", nullable=False)
        )

    # The reasons already written: nobody recorded their language. The demo seed's are
    # French (it writes them so); the others are marked with the deployment's default
    # locale, the language most of its organisers work in (the reviewer's interface
    # language at the time was never kept, and their chosen locale now may differ).
    # Reasons left empty have no language.
    action = sa.table(
        "cleanup_action",
        sa.column("review_reason", sa.String),
        sa.column("review_reason_lang", sa.String),
        sa.column("reviewed_by_id", sa.Integer),
    )
    user = sa.table("user_account", sa.column("id", sa.Integer), sa.column("email", sa.String))
    written = action.c.review_reason != ""
    by_demo = action.c.reviewed_by_id.in_(
        sa.select(user.c.id).where(sa.func.lower(user.c.email) == DEMO_ORGANISER)
    )
    op.execute(action.update().where(written, by_demo).values(review_reason_lang="fr"))
    op.execute(
        action.update()
        .where(written, action.c.review_reason_lang.is_(None))
        .values(review_reason_lang=_default_language())
    )


def downgrade():
    with op.batch_alter_table("cleanup_campaign", schema=None) as batch_op:
        batch_op.drop_column("edit_version")
    with op.batch_alter_table("cleanup_action", schema=None) as batch_op:
        batch_op.drop_column("review_reason_lang")
