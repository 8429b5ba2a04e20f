"""merge the domain branches

Revision ID: 20261125_merge
Revises: 20261125_catalogue, 20261125_cleanup, 20261125_messaging, 20261125_recycling, 20261125_trust
Create Date: 2026-11-25 01:54:01.634484

"""

# revision identifiers, used by Alembic.
revision = "20261125_merge"
down_revision = (
    "20261125_catalogue",
    "20261125_cleanup",
    "20261125_messaging",
    "20261125_recycling",
    "20261125_trust",
)
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
