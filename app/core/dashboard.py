"""The home dashboard gathers one panel per domain without importing them.

A domain registers a function `(user) -> Panel | None` in its init_app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app


@dataclass
class Panel:
    title: str
    template: str  # a partial rendered with `panel` and `context` in scope
    context: dict
    order: int = 50


def register_panel(app, provider: Callable) -> None:
    """Add a dashboard panel provider for this app."""
    app.extensions.setdefault("empreinte.panels", []).append(provider)


def dashboard_panels(user) -> list[Panel]:
    """Every domain's panel for this user, in display order."""
    panels = [provider(user) for provider in current_app.extensions.get("empreinte.panels", [])]
    return sorted((p for p in panels if p is not None), key=lambda p: p.order)


@dataclass
class MenuItem:
    endpoint: str
    label: object  # lazy-translated string
    order: int = 50
    roles: tuple[str, ...] = ()  # empty: every signed-in user
    badge: Callable | None = None  # (user) -> int | None, e.g. unread messages
    badge_label: Callable | None = None  # (count) -> str for screen readers


def register_menu_item(app, item: MenuItem) -> None:
    """Add an entry to the main menu of this app."""
    app.extensions.setdefault("empreinte.menu", []).append(item)


def main_menu(user, current_endpoint: str | None) -> list[dict]:
    """The menu entries this user may see, with the current one marked.

    The entry for the current endpoint is marked; failing that, the first entry of
    the same section (blueprint), so a detail page highlights its section.
    """
    from flask import url_for

    visible = [
        item
        for item in sorted(current_app.extensions.get("empreinte.menu", []), key=lambda i: i.order)
        if not item.roles or user.has_role(*item.roles)
    ]
    section = (current_endpoint or "").split(".")[0]
    active = next((i for i in visible if i.endpoint == current_endpoint), None) or next(
        (i for i in visible if section and i.endpoint.split(".")[0] == section), None
    )
    entries = []
    for item in visible:
        badge = item.badge(user) if item.badge else None
        entries.append(
            {
                "url": url_for(item.endpoint),
                "label": str(item.label),
                "active": item is active,
                "badge": badge or None,
                "badge_label": item.badge_label(badge) if (badge and item.badge_label) else "",
            }
        )
    return entries
