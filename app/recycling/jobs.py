"""Scheduled jobs of the recycling domain."""

from flask import current_app

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services


def remind_waiting_returns() -> None:
    """Remind the owners of devices declared days ago that no agent has received yet."""
    services.remind_waiting_returns(utcnow(), current_app.config["RECYCLING_REMINDER_DAYS"])
    db.session.commit()
