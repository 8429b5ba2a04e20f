"""catalogue: a request line keeps the add form that last changed it

A double click on « Add to my request » sent the form twice and both adds landed (one
basket per person, the second waiting for the first): quantity 2 became 4, while the
page said « × 2 ». Each rendered add form now carries a token of its own; the line keeps
the token and the quantity of the form that last changed it, and the same form sent
again changes nothing (`app.catalogue.services.add_to_basket`). Lines already there
have none.

Revision ID: 20261205_catalogue_add_once
Revises: 20261205_messaging_sent_text
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261205_catalogue_add_once"
down_revision = "20261205_messaging_sent_text"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("catalogue_request_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("form_quantity", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("catalogue_request_line", schema=None) as batch_op:
        batch_op.drop_column("form_quantity")
        batch_op.drop_column("form_token")
