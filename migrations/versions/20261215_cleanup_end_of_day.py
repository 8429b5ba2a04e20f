"""cleanup: a campaign ending at 23:59 runs to the end of that day

A campaign's end is exclusive (the first moment it is closed, the calendar file's DTEND).
An organiser who typed 23:59 meant the whole last day, and every page said « au 27 déc.
2026, 23 h 59 », yet from 23:59:00 an entry was refused as « terminée ». The form now
keeps an end typed at 23:59 as the following midnight, which pages write back as 23:59.

The campaigns not ended yet whose end is 23:59 (Paris time) get the same: their end
moves to the following midnight, one minute later, as their pages have always said it;
their dates' sequence moves by one, so calendar apps take the new DTEND. Campaigns
already ended (or frozen) keep the end they closed at. No schema change.

Revision ID: 20261215_cleanup_end_of_day
Revises: 20261215_catalogue_unrounded
Create Date: 2026-12-15 09:00:00

"""

import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "20261215_cleanup_end_of_day"
down_revision = "20261215_catalogue_unrounded"
branch_labels = None
depends_on = None

campaign = sa.table(
    "cleanup_campaign",
    sa.column("id", sa.Integer),
    sa.column("ends_at", sa.DateTime(timezone=True)),
    sa.column("frozen_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("dates_sequence", sa.Integer),
)


# Cached listings and exports follow `core_cache_version` (app/core/cache.py), which only
# the ORM's flush and bulk statements bump; these Core writes do not. The namespace gets a
# new random version as `cache.bump` gives it, or a shared store (Redis) keeps serving
# what was rendered before the deploy.
cache_version = sa.table(
    "core_cache_version",
    sa.column("name", sa.String),
    sa.column("version", sa.String),
)


def _bump(connection, name: str) -> None:
    """A new version for the namespace `name` (deleted then written: any database)."""
    connection.execute(cache_version.delete().where(cache_version.c.name == name))
    connection.execute(cache_version.insert().values(name=name, version=secrets.token_hex(8)))


def _zone() -> ZoneInfo:
    """The portal's time zone (app config), Europe/Paris outside an application."""
    try:
        return ZoneInfo(current_app.config.get("TIMEZONE", "Europe/Paris"))
    except RuntimeError:  # no application context (alembic run on its own)
        return ZoneInfo("Europe/Paris")


def _aware(value: datetime) -> datetime:
    """A stored instant as aware UTC (SQLite keeps no offset: its values are UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _stored(value: datetime, bind) -> datetime:
    """An aware UTC instant as the column stores it on this database."""
    return value.replace(tzinfo=None) if bind.dialect.name == "sqlite" else value


def upgrade():
    bind = op.get_bind()
    zone, now = _zone(), datetime.now(UTC)
    rows = bind.execute(
        sa.select(campaign.c.id, campaign.c.ends_at, campaign.c.dates_sequence).where(
            campaign.c.frozen_at.is_(None)
        )
    ).all()
    for id_, ends_at, sequence in rows:
        ends_at = _aware(ends_at)
        if ends_at <= now or ends_at.astimezone(zone).time() != time(23, 59):
            continue
        bind.execute(
            campaign.update()
            .where(campaign.c.id == id_)
            .values(
                ends_at=_stored(ends_at + timedelta(minutes=1), bind),
                updated_at=_stored(now, bind),
                dates_sequence=(sequence or 0) + 1,
            )
        )
    # No cached fragment shows a campaign's end today (campaigns have no namespace of
    # their own); the domain's cached rules and log forms are rendered again, so that
    # none outlives the new ends.
    _bump(bind, "cleanup_rules")


def downgrade():
    # The campaigns moved are not told apart from those typed at midnight: an end at
    # midnight is what both mean now, and what the earlier code reads as midnight.
    pass
