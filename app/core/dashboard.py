"""The home dashboard gathers one panel per domain without importing them.

A domain registers a function `(user) -> Panel | None` in its init_app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l


@dataclass
class Panel:
    title: str
    template: str  # a partial rendered with `panel` and `context` in scope
    context: dict
    order: int = 50


@dataclass
class WorkItem:
    """Something waiting for this person to act: how much, in words, and where to act."""

    text: str
    url: str


def register_work(app, provider: Callable) -> None:
    """Add a provider `(user) -> list[WorkItem]` of what waits for staff (organisers,
    agents, admins); it checks the person's roles itself."""
    app.extensions.setdefault("empreinte.work", []).append(provider)


def work_panel(user) -> Panel | None:
    """For staff, first on the home page: what waits for them in every domain, each
    with a link to where they act (the review queue, the agent's desk…)."""
    if not user.has_role("organiser", "agent"):  # admins hold every role
        return None
    providers = current_app.extensions.get("empreinte.work", [])
    items = [item for provider in providers for item in provider(user)]
    return Panel(
        title=str(_l("To do")),
        template="core/_work_panel.html",
        context={"items": items},
        order=0,
    )


def init_app(app) -> None:
    register_panel(app, work_panel)


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
    the same section (blueprint), so a detail page highlights its section. Entries
    depend only on the language, the roles and the endpoint: they are built once
    per combination and process; only the badges (unread messages) are per request.
    """
    from app.core.i18n import current_language

    key = (current_language(), frozenset(user.roles), current_endpoint)
    built = current_app.extensions.setdefault("empreinte.menu_built", {})
    entries = built.get(key)
    if entries is None:
        entries = _build_menu(user, current_endpoint)
        if len(built) > 1000:  # endpoints × role sets × languages: never near this
            built.clear()
        built[key] = entries
    menu = []
    for item, entry in entries:
        badge = (item.badge(user) or None) if item.badge else None
        label = item.badge_label(badge) if (badge and item.badge_label) else ""
        menu.append({**entry, "badge": badge, "badge_label": label})
    return menu


def _build_menu(user, current_endpoint: str | None) -> list[tuple[MenuItem, dict]]:
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
    return [
        (item, {"url": url_for(item.endpoint), "label": str(item.label), "active": item is active})
        for item in visible
    ]
