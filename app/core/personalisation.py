"""A registry of message variables that domains provide about people.

Messaging fills its templates from here without importing the domains: each
domain registers a provider that, given a batch of users and the time,
returns the variables it knows for each of them. Providers work on batches so
that a dispatch to 20,000 people costs a few queries, not 20,000.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

VariableProvider = Callable[[Sequence[object], datetime], dict[int, dict[str, object]]]


@dataclass(frozen=True)
class Variable:
    name: str
    description: str  # lazy-translated, shown to template authors
    example: object


_providers: list[tuple[tuple[Variable, ...], VariableProvider]] = []


def register_variables(variables: Iterable[Variable], provider: VariableProvider) -> None:
    """Declare variables and the batch function that computes them per user id.

    Registering the same provider twice (several apps in one process) is a no-op.
    """
    if any(existing is provider for _, existing in _providers):
        return
    _providers.append((tuple(variables), provider))


def known_variables() -> dict[str, Variable]:
    """Every variable a template may use, by name."""
    return {var.name: var for variables, _ in _providers for var in variables}


def variables_for(users: Sequence[object], now: datetime) -> dict[int, dict[str, object]]:
    """All registered variables for each user id in the batch."""
    merged: dict[int, dict[str, object]] = {user.id: {} for user in users}
    for _variables, provider in _providers:
        for user_id, values in provider(users, now).items():
            merged.setdefault(user_id, {}).update(values)
    return merged
