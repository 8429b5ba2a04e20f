"""cleanup: the built-in "Return a device" guide says « dépôt », as the portal does

The French guide of the built-in action type `return-device` said « le module Recyclage
enregistre le retour », where every other page says « dépôt » for a device handed in.
Built-in texts are written once, at the first start: the guide is changed here where it
still holds the old words (an organiser's own text stays as written).

Revision ID: 20261208_cleanup_guide_words
Revises: 20261208_recycling_chain_seal
Create Date: 2026-12-08 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261208_cleanup_guide_words"
down_revision = "20261208_recycling_chain_seal"
branch_labels = None
depends_on = None

OLD = (
    "Déposez un équipement inutilisé dans un point de collecte\u00a0: le module "
    "Recyclage enregistre le retour et l'action est comptée automatiquement."
)
NEW = (
    "Déposez un équipement inutilisé dans un point de collecte\u00a0: le module "
    "Recyclage enregistre le dépôt et l'action est comptée automatiquement."
)

action_types = sa.table(
    "cleanup_action_type", sa.column("key", sa.String), sa.column("guide_fr", sa.Text)
)


def _replace(before: str, after: str) -> None:
    op.execute(
        action_types.update()
        .where(action_types.c.key == "return-device", action_types.c.guide_fr == before)
        .values(guide_fr=after)
    )


def upgrade():
    _replace(OLD, NEW)


def downgrade():
    _replace(NEW, OLD)
