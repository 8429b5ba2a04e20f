"""The people of a dispatch as delivery needs them: their variables, computed a window at a time.

Variable providers do some work per call whatever the number of people (a campaign's
leaderboard, badges, goals, the collection points). A claimed batch holds a few hundred
people; computing the variables of the next few thousand recipients at once does that
work a handful of times per dispatch instead of once per batch.
"""

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload, selectinload

from app.auth.models import User
from app.core.personalisation import variables_for
from app.extensions import db
from app.messaging.models import Delivery


class RecipientVariables:
    """The variables of one dispatch's recipients, computed for a window of people at a time."""

    def __init__(self, dispatch_id: int, context: dict | None, window: int = 0):
        self.dispatch_id = dispatch_id
        self.context = context or {}
        self.window = window
        self.values: dict[int, dict] = {}
        # What `late_email_skips` decided of this dispatch in this run, the same for every
        # batch (whether it may still go, whether its campaign counted down then).
        self.late: dict = {}

    def for_users(self, user_ids: set[int], now: datetime) -> dict[int, dict]:
        """Variables by user id, covering at least `user_ids` (missing ones are computed now)."""
        if not set(user_ids) <= self.values.keys():
            # A new window replaces the old one: it holds every person asked for.
            self.values = variables_for(self._window_users(set(user_ids)), now, self.context)
        return self.values

    def _window_users(self, wanted: set[int]) -> list[User]:
        """The people asked for, plus the next recipients still waiting (claims go in that order)."""
        people = User.id.in_(wanted)
        if self.window > 0:
            upcoming = (
                select(Delivery.user_id)
                .where(
                    Delivery.dispatch_id == self.dispatch_id,
                    Delivery.status == "pending",
                    Delivery.user_id >= min(wanted),
                )
                .distinct()
                .order_by(Delivery.user_id)
                .limit(self.window)
            )
            people = or_(people, User.id.in_(upcoming.scalar_subquery()))
        # Providers name the department: loaded with the people, not one lookup per person.
        # Roles (loaded with every user by default) are not variables: left out.
        loaders = (selectinload(User.department), lazyload(User.role_rows))
        return list(db.session.scalars(select(User).where(people).options(*loaders)))
