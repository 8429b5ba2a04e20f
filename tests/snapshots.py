"""Data built once per run and put back in each test's empty database.

Seeding the demo takes seconds; its rows, kept in memory after the first seeding and
inserted again table by table, take a fraction of that. Only for data whose dates may be
a few minutes old: the rows keep the clock of their first seeding.
"""

from collections.abc import Callable

from sqlalchemy import text

from app.core import demo
from app.extensions import db

_SNAPSHOTS: dict[str, dict[str, list[dict]]] = {}


def build_once(key: str, build: Callable[[], None]) -> None:
    """Run `build` (which commits) the first time `key` is asked for in this run; put
    its rows back every other time. The test's database must be empty, as each test
    finds it."""
    if key in _SNAPSHOTS:
        restore(_SNAPSHOTS[key])
        return
    build()
    _SNAPSHOTS[key] = take()


def take() -> dict[str, list[dict]]:
    """Every table's rows, in primary-key order (a row refers to earlier ones)."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        statement = table.select().order_by(*table.primary_key.columns)
        rows[table.name] = [dict(row) for row in db.session.execute(statement).mappings()]
    return rows


def restore(rows: dict[str, list[dict]]) -> None:
    """Insert the rows taken (parents first); on PostgreSQL, move each sequence to the
    largest id put back, as a fresh build would have left it (one statement)."""
    for table in db.metadata.sorted_tables:
        if rows.get(table.name):
            db.session.execute(table.insert(), rows[table.name])
    if db.engine.dialect.name == "postgresql":
        moves = [
            f"setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"{max(row['id'] for row in rows[table.name])})"
            for table in db.metadata.sorted_tables
            if rows.get(table.name)
            and "id" in table.columns
            and table.c.id.primary_key
            and table.c.id.autoincrement in (True, "auto")
        ]
        if moves:
            db.session.execute(text("SELECT " + ", ".join(moves)))
    db.session.commit()
    db.session.expire_all()


def demo_seeded_once(app, employees: int) -> None:
    """The demo at this scale (every domain's seeder), committed: seeded once per run."""

    def seed():
        demo.seed_demo(app, employees)
        db.session.commit()

    build_once(f"demo-{employees}", seed)


def demo_seed_command_once(runner, employees: int) -> None:
    """`flask demo seed --employees N`, as a person runs it: once per run."""

    def seed():
        result = runner.invoke(args=["demo", "seed", "--employees", str(employees)])
        assert result.exit_code == 0, result.output

    build_once(f"demo-seed-command-{employees}", seed)
