"""core: what earlier erasures left that still led to the erased person

An erasure now leaves no trace that leads back to the person (`privacy_services.erase_user`):
an API token's name and a staff number copied into the audit log name the account's person,
so that the erasure takes them out; the person's tokens are deleted; their clean-up
participations keep their last logging time instead of the erasure's; a catalogue request
the erasure withdrew is not dated. What erasures wrote before this revision is put right:

- the audit events `create_token`, `revoke_token` and `change_staff_number` about an account
  already erased lose their text ("text erased"), those about another account name it;
- the tokens of erased accounts (revoked, named "-", dated by the erasure) are deleted;
- a request withdrawn by an erasure loses its closing time (the erasure's moment);
- a participation row detached from its person and stamped within the hour after an
  account's erasure loses that stamp (NULL): its former value is gone, and the stamp
  dated the erasure to the millisecond. A row detached by retention stamped then by
  chance loses it too, which nothing reads once the row leads to nobody.

Revision ID: 20261225_core_erasure_traces
Revises: 20261224_messaging_tpl_version
Create Date: 2026-12-25 09:00:00

"""

from bisect import bisect_right
from datetime import UTC, timedelta

import sqlalchemy as sa
from alembic import op

revision = "20261225_core_erasure_traces"
down_revision = "20261224_messaging_tpl_version"
branch_labels = None
depends_on = None

ERASED_TEXT = "text erased"
COPIED_TEXT = ("create_token", "revoke_token", "change_staff_number")
# How long after an account's anonymisation its erasure may still have stamped rows (the
# hourly job erases everyone due with one clock).
STAMPED_WITHIN = timedelta(hours=1)

users = sa.table(
    "user_account",
    sa.column("id", sa.Integer),
    sa.column("anonymised_at", sa.DateTime(timezone=True)),
)
events = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("summary", sa.String),
    sa.column("subject_user_id", sa.Integer),
)
tokens = sa.table("api_token", sa.column("user_id", sa.Integer))
requests = sa.table(
    "catalogue_request",
    sa.column("decided_at", sa.DateTime(timezone=True)),
    sa.column("withdrawn_on_erasure", sa.Boolean),
)
participants = sa.table(
    "cleanup_participant",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("last_logged_at", sa.DateTime(timezone=True)),
)


def _utc(moment):
    """A stored moment as an aware UTC datetime (SQLite gives them back naive, in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def upgrade():
    connection = op.get_bind()
    erased = dict(
        connection.execute(
            sa.select(users.c.id, users.c.anonymised_at).where(users.c.anonymised_at.is_not(None))
        ).all()
    )
    account_ids = set(connection.execute(sa.select(users.c.id)).scalars())
    copied = connection.execute(
        sa.select(events.c.id, events.c.object_id).where(
            events.c.object_type == "user",
            events.c.action.in_(COPIED_TEXT),
            events.c.subject_user_id.is_(None),
            events.c.summary.not_in(("", ERASED_TEXT)),
        )
    ).all()
    for event_id, object_id in copied:
        person = int(object_id) if object_id.isdigit() and len(object_id) < 19 else None
        if person in erased:
            values = {"summary": ERASED_TEXT}
        elif person in account_ids:
            values = {"subject_user_id": person}
        else:
            continue
        connection.execute(events.update().where(events.c.id == event_id).values(**values))

    connection.execute(
        tokens.delete().where(
            tokens.c.user_id.in_(sa.select(users.c.id).where(users.c.anonymised_at.is_not(None)))
        )
    )
    connection.execute(
        requests.update().where(requests.c.withdrawn_on_erasure.is_(True)).values(decided_at=None)
    )

    moments = sorted(_utc(moment) for moment in erased.values())
    stamped = []
    for row_id, logged in connection.execute(
        sa.select(participants.c.id, participants.c.last_logged_at).where(
            participants.c.user_id.is_(None), participants.c.last_logged_at.is_not(None)
        )
    ):
        logged = _utc(logged)
        before = bisect_right(moments, logged)  # the erasures at or before the stamp
        if before and logged - moments[before - 1] <= STAMPED_WITHIN:
            stamped.append(row_id)
    for start in range(0, len(stamped), 500):
        connection.execute(
            participants.update()
            .where(participants.c.id.in_(stamped[start : start + 500]))
            .values(last_logged_at=None)
        )


def downgrade():
    """Nothing to undo: the texts, tokens and moments taken out are not kept anywhere."""
