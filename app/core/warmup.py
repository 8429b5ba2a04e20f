"""Work a web worker does once at start, so that its first visitors do not wait for it.

Some caches are per process and costly to build: a clean-up campaign's scoreboard
reads every accepted action (about a second at the Bordeaux scale). Built lazily,
the first visitor of each new worker after a deploy or a restart waited for it.
Domains register a warmer with `register_warmer`; `wsgi.py` runs them all when the
worker loads the app, before it accepts a request. A warmer that fails is logged and
skipped: the cache is then built on first use, as before. A database out of reach is
one WARNING line, not a traceback, and so is a database not yet migrated.
"""

from collections.abc import Callable

from flask import Flask

from app.core.database_errors import database_problem, is_unreachable
from app.core.schema import schema_problem
from app.extensions import db


def register_warmer(app: Flask, warmer: Callable[[], None]) -> None:
    """Add a function that fills a per-process cache (run in an app context)."""
    app.extensions.setdefault("empreinte.warmers", []).append(warmer)


def warm_up(app: Flask) -> None:
    """Run every registered warmer, each in an app context of its own."""
    for warmer in app.extensions.get("empreinte.warmers", []):
        with app.app_context():
            name = getattr(warmer, "__name__", warmer)
            try:
                warmer()
            except Exception as error:  # a cold cache is slower, never wrong: serve anyway
                if is_unreachable(error):
                    # Said by /healthz and by each request (503) too: one line a worker,
                    # no traceback, as for a database that is down rather than a bug.
                    app.logger.warning(
                        "warming %s skipped: the database cannot be reached (%s)",
                        name,
                        database_problem(error),
                    )
                elif behind := _schema_behind():
                    # Not migrated yet: /healthz says so too; one line, not a traceback.
                    app.logger.warning("warming %s skipped: %s", name, behind)
                else:
                    app.logger.exception("warming %s failed", name)
                db.session.rollback()
    # Under `gunicorn --preload` this runs in the master before it forks: no worker
    # may inherit (and share) a pooled database connection.
    with app.app_context():
        db.engine.dispose()


def _schema_behind() -> str | None:
    """The schema's problem (app/core/schema.py) after a warmer failed, or None."""
    db.session.rollback()
    try:
        return schema_problem()
    except Exception:  # the warmer's own error is the one to log
        db.session.rollback()
        return None
