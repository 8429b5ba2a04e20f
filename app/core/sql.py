"""SQL that differs between the two databases the portal runs on."""

from sqlalchemy.dialects import postgresql, sqlite


def upsert_insert(dialect_name: str):
    """The INSERT that takes ON CONFLICT clauses on this database (PostgreSQL or SQLite)."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert
