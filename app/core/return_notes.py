"""What other domains say about a device return to its owner, without recycling
importing them: e.g. the clean-up domain tells whether the return counts in a campaign.

A domain registers a provider `(device_return, user, now) -> list[Note]` in its
init_app; recycling shows `return_notes(...)` where a return is shown to its owner.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

#: A note's kinds, for its styling: it counts or will count, or it does not.
PENDING, COUNTED, NOT_COUNTED = "pending", "counted", "not-counted"


@dataclass(frozen=True)
class Note:
    """One sentence about a return, already in the reader's language."""

    text: str
    kind: str = PENDING


def register_return_note(app, provider: Callable) -> None:
    """Add a provider `(device_return, user, now) -> list[Note]` for this app."""
    app.extensions.setdefault("empreinte.return_notes", []).append(provider)


def return_notes(device_return, user, now: datetime) -> list[Note]:
    """Every domain's notes about `device_return` for `user`: only for its owner, since
    they speak of the owner's points (an agent or an admin at the desk gets none)."""
    if device_return is None or user is None or device_return.user_id != user.id:
        return []
    providers = current_app.extensions.get("empreinte.return_notes", [])
    return [note for provider in providers for note in provider(device_return, user, now)]
