"""The benchmark's baseline: a minimal endpoint of the same app.

It touches neither the database nor a template, but still passes through every
before/after-request hook (security headers, CSRF check, rate limiter, Vary), so
`make bench` can compare each key page with the cost of the framework itself.
"""

from flask import Blueprint, Response

bp = Blueprint("bench", __name__)


@bp.get("/bench/baseline")
def baseline():
    """A constant plain-text answer: the floor every page is measured against."""
    return Response("ok\n", mimetype="text/plain")
