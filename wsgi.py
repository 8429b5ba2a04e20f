"""WSGI entry point: `gunicorn wsgi:app`.

Each worker imports this module: it builds the app, then fills its per-process caches
(app/core/warmup.py) before gunicorn hands it a request. `flask` commands skip that.

Settings the portal cannot use stop gunicorn itself, not only the worker: a worker that
exits with status 3 (gunicorn's WORKER_BOOT_ERROR) makes the master halt, with status 3,
so the service manager sees the failure (systemd's Restart=on-failure, its status and
journal). A worker exiting with status 1, as a `flask` command does, was replaced again
and again by the master, each printing the same message, and the service looked up.
"""

import os
import sys

from app import create_app
from app.core.settings_check import SettingsError
from app.core.warmup import warm_up

#: gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR: the master stops when a worker exits with it.
WORKER_BOOT_ERROR = 3

try:
    app = create_app()
except SettingsError as error:
    print(error, file=sys.stderr, flush=True)
    sys.exit(WORKER_BOOT_ERROR)
# A `flask` command (`db upgrade` on a new database, a dispatch, an export) imports this
# module too: it serves nobody, so it neither waits for the caches nor fails on tables
# not yet made. `flask run` builds them on first use.
if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
    warm_up(app)
