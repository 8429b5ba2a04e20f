"""core: an audit event keeps the person whose object it is about (`subject_user_id`)

An organiser's rejection reason naming a person stayed in the audit log after that person's
erasure when the entry had been deleted in between: erasure, retention and the export found
the events about a person's objects only through the objects still there. The event now
stores, when it is written, the person the object belongs to (`app.core.audit`,
`register_audit_subject`), and keeps it when the object goes.

The events already written get their person where the object is still there and was theirs
when the event was written (logged, declared or created no later than the event: SQLite
may have given a deleted entry's id to a newer one). Events about objects deleted before
this revision cannot be told apart: they keep no person, and the clean-up retention still
takes their text out once past its period (`erase_gone_audit_texts`).

Revision ID: 20261205_core_audit_subject
Revises: 20261205_catalogue_add_once
Create Date: 2026-12-06 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261205_core_audit_subject"
down_revision = "20261205_catalogue_add_once"
branch_labels = None
depends_on = None

# Each audited object type of this revision, with the person it belongs to: a query giving
# that person's id for the event being updated (`audit_event` in the outer statement).
OWNERS = {
    "cleanup_action": (
        "SELECT p.user_id FROM cleanup_action a"
        " JOIN cleanup_participant p ON p.id = a.participant_id"
        " WHERE CAST(a.id AS VARCHAR(64)) = audit_event.object_id"
        " AND a.logged_at <= audit_event.at"
    ),
    "device_return": (
        "SELECT r.user_id FROM recycling_device_return r"
        " WHERE r.receipt_number = audit_event.object_id"
        " AND r.declared_at <= audit_event.at"
    ),
    "catalogue_request": (
        "SELECT r.user_id FROM catalogue_request r"
        " WHERE CAST(r.id AS VARCHAR(64)) = audit_event.object_id"
        " AND r.created_at <= audit_event.at"
    ),
}


def upgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_user_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_audit_event_subject_user_id"), ["subject_user_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_event_subject_user_id_user_account"),
            "user_account",
            ["subject_user_id"],
            ["id"],
            ondelete="SET NULL",
        )
    for object_type, owner in OWNERS.items():
        op.execute(
            sa.text(
                f"UPDATE audit_event SET subject_user_id = ({owner})"  # noqa: S608 - constants
                " WHERE object_type = :object_type"
            ).bindparams(object_type=object_type)
        )


def downgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_audit_event_subject_user_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_audit_event_subject_user_id"))
        batch_op.drop_column("subject_user_id")
