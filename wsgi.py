"""WSGI entry point: `gunicorn wsgi:app`.

Each worker imports this module: it builds the app, then fills its per-process caches
(app/core/warmup.py) before gunicorn hands it a request.
"""

from app import create_app
from app.core.warmup import warm_up

app = create_app()
warm_up(app)
