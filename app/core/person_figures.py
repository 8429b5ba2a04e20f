"""Figures every page needs about the signed-in person, read with the person themselves.

Each page loads the person (the session loader), then asked the database again for the
unread badge and for the versions of the cached fragments: three round trips before
any of the page's own work. A domain registers a figure as a scalar subquery of the
person's id; the loader adds each one as a column of its single query.

The values are used for reading requests (GET, HEAD): a write may change them, so it
reads them fresh, unless the figure is forgotten by every write that changes it.
"""

from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, request

_MISSING = object()


def register_person_figure(app: Flask, name: str, subquery: Callable) -> None:
    """`subquery(user_id_column)` returns a scalar subquery (e.g. a count)."""
    app.extensions.setdefault("empreinte.person_figures", {})[name] = subquery


def figure_columns(user_id_column) -> list:
    """The registered figures as labelled columns for the loader's query."""
    registered = current_app.extensions.get("empreinte.person_figures", {})
    return [subquery(user_id_column).label(name) for name, subquery in registered.items()]


def remember(user_id: int, values: dict) -> None:
    if has_request_context():
        g._person_figures = (user_id, values)


def forget(name: str) -> None:
    """A write in this request changed the figure: read it fresh from now on."""
    if has_request_context() and "_person_figures" in g:
        g._person_figures[1].pop(name, None)


def person_figure(name: str, user_id: int, compute: Callable, on_writes: bool = False):
    """The figure read with the person when this is a reading request, else `compute()`.

    `on_writes`: for a figure that every write changing it forgets (`forget`), which a
    write may then use as read with the person too.
    """
    if has_request_context() and (on_writes or request.method in ("GET", "HEAD")):
        known = g.get("_person_figures")
        if known is not None and known[0] == user_id:
            value = known[1].get(name, _MISSING)
            if value is not _MISSING:
                return value
    return compute()
