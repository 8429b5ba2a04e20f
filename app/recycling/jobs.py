"""Scheduled jobs of the recycling domain."""

from flask import current_app

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services


def remind_waiting_returns() -> None:
    """Remind the owners of devices declared days ago that no agent has received yet."""
    services.remind_waiting_returns(utcnow(), current_app.config["RECYCLING_REMINDER_DAYS"])
    db.session.commit()


def close_unbrought_returns() -> int:
    """Close the declarations whose device never came, RECYCLING_UNBROUGHT_CLOSE_DAYS
    after they were declared; how many were closed."""
    closed = services.close_unbrought_returns(
        utcnow(), current_app.config["RECYCLING_UNBROUGHT_CLOSE_DAYS"]
    )
    db.session.commit()
    return closed
