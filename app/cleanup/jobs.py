"""Scheduled jobs of the clean-up campaigns."""

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db


def freeze_closed_campaigns() -> None:
    """Freeze the results of campaigns that have ended, announcing each once."""
    services.freeze_closed_campaigns(utcnow())
    db.session.commit()
