"""recycling: custody steps sign their name and place in the chain; reused tags freed

1. A custody step's signature covered its facts but not the agent's name shown with it,
   nor its place: a name changed in the database, or a step deleted (an undone receipt),
   still showed « Signature vérifiée ». Steps signed from now on (payload 2,
   `app.recycling.services._step_payload`) cover both; `signed_as` says which payload a
   signature covers, 1 for every step already there, which keeps verifying as signed
   (the chain is checked from its first step of payload 2 on).

   A downgrade drops `signed_as` and keeps the signatures: a step signed with payload 2
   still carries payload 2's signature. The upgrade therefore reads which payload each
   step's signature covers instead of taking 1 for all (a downgrade then an upgrade had
   every step signed since 7 December look altered): 2 where the signature is payload 2's,
   1 where it is payload 1's; a step matching neither (altered) takes its neighbours'.

2. A device given the outcome "reused" (inside the administration) is back in service
   with its asset tag: the tag is free again (`asset_tag_key` NULL), as after a
   withdrawal, so that its next return can be declared.

Revision ID: 20261207_recycling_signed_chain
Revises: 20261207_auth_token_scope
Create Date: 2026-12-07 14:00:00

"""

import hashlib
import hmac
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "20261207_recycling_signed_chain"
down_revision = "20261207_auth_token_scope"
branch_labels = None
depends_on = None

# app.recycling.models.BACK_IN_SERVICE at this revision.
BACK_IN_SERVICE = ("reused",)

returns = sa.table(
    "recycling_device_return",
    sa.column("status", sa.String),
    sa.column("asset_tag_key", sa.String),
)


# app.recycling.models.SIGNED_CHAIN and services.MAX_MISSING_STEPS at this revision.
SIGNED_CHAIN = 2
MAX_MISSING_STEPS = 20

steps = sa.table(
    "recycling_custody_step",
    sa.column("id", sa.Integer),
    sa.column("return_id", sa.Integer),
    sa.column("step", sa.String),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String),
    sa.column("signature", sa.String),
    sa.column("signed_as", sa.SmallInteger),
    sa.column("wipe_method", sa.String),
    sa.column("wipe_date", sa.Date),
    sa.column("certificate_number", sa.String),
)
receipts = sa.table(
    "recycling_device_return", sa.column("id", sa.Integer), sa.column("receipt_number", sa.String)
)


def upgrade():
    # The steps signed before this revision carry payload 1: the server default says so.
    op.add_column(
        "recycling_custody_step",
        sa.Column("signed_as", sa.SmallInteger(), server_default="1", nullable=False),
    )
    # Those signed with payload 2 before a downgrade (which keeps their signatures) say so.
    chained = _steps_signed_with_payload_2(op.get_bind())
    for start in range(0, len(chained), 500):
        op.execute(
            steps.update()
            .where(steps.c.id.in_(chained[start : start + 500]))
            .values(signed_as=SIGNED_CHAIN)
        )
    op.execute(
        returns.update()
        .where(returns.c.status.in_(BACK_IN_SERVICE), returns.c.asset_tag_key.is_not(None))
        .values(asset_tag_key=None)
    )


def _steps_signed_with_payload_2(connection) -> list[int]:
    """The ids of the steps whose signature covers payload 2, at some place in their
    chain (steps deleted before one move it), with the secret key or a former one. A step
    whose signature covers neither (altered since) takes the payload of the nearest step
    before it that verifies, else after it: signed steps of payload 1 all come before
    those of payload 2, so it is checked as it was signed, and still shown altered."""
    config = current_app.config
    keys = [k.encode() for k in (*config.get("SECRET_KEY_FALLBACKS", ()), config["SECRET_KEY"])]
    rows = connection.execute(
        sa.select(steps, receipts.c.receipt_number)
        .join(receipts, receipts.c.id == steps.c.return_id)
        .order_by(steps.c.return_id, steps.c.id)
    ).all()
    chains: dict[int, list] = {}
    for row in rows:
        chains.setdefault(row.return_id, []).append(row)
    found = []
    for chain in chains.values():
        signed_as = [_signed_as(row, index, len(chain), keys) for index, row in enumerate(chain)]
        for index, row in enumerate(chain):
            before = [p for p in signed_as[:index] if p is not None]
            after = [p for p in signed_as[index + 1 :] if p is not None]
            payload = signed_as[index] or (before[-1:] or after[:1] or [1])[0]
            if payload == SIGNED_CHAIN:
                found.append(row.id)
    return found


def _signed_as(row, index: int, steps_in_chain: int, keys: list[bytes]) -> int | None:
    """Which payload the step's signature covers (1 or 2), None when neither."""
    signature = row.signature or ""
    if _signed(signature, _payload(row, None), keys):
        return 1
    places = dict.fromkeys([index, *range(steps_in_chain + MAX_MISSING_STEPS)])
    if any(_signed(signature, _payload(row, place), keys) for place in places):
        return SIGNED_CHAIN
    return None


def _payload(row, position: int | None) -> bytes:
    """`app.recycling.services._step_payload` as at this revision (repeated here: the
    app's own may change after it): payload 1 without `position`, else payload 2."""
    at = row.at.replace(tzinfo=UTC) if row.at.tzinfo is None else row.at.astimezone(UTC)
    parts = (
        row.receipt_number,
        row.step,
        at.isoformat(timespec="seconds"),
        str(row.actor_id or ""),
        row.wipe_method or "",
        row.wipe_date.isoformat() if row.wipe_date else "",
        row.certificate_number or "",
    )
    if position is None:
        return "|".join(parts).encode()
    return json.dumps(["chain", *parts, row.actor_name or "", position]).encode()


def _signed(signature: str, payload: bytes, keys: list[bytes]) -> bool:
    return any(
        hmac.compare_digest(signature, hmac.new(key, payload, hashlib.sha256).hexdigest())
        for key in keys
    )


def downgrade():
    # The freed tags stay free: a tag is not taken back from the device in service.
    # A plain DROP COLUMN (SQLite 3.35+), not a batch: a batch copies the table and drops
    # the old one, which a foreign key with ON DELETE CASCADE would follow.
    op.drop_column("recycling_custody_step", "signed_as")
