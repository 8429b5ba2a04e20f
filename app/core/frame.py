"""The page frame: what surrounds every page's own content, rendered once and kept.

The head, the header (menu, language button, profile and sign-out) and the footer are
the same for every request with the same language, sign-in, roles and page (endpoint),
but for three things: the CSRF token, the path the language button comes back to, and
the menu badges (unread messages). Those stay placeholders in the kept HTML and are
filled in for each request. Rendered by Jinja each time, the frame cost as much as a
cached catalogue page's own content.
"""

import hmac

from flask import Flask, current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.core import slots
from app.core.dashboard import main_menu
from app.core.i18n import current_language
from app.core.urls import page_to_come_back_to

PARTS = ("top", "head", "header", "footer")
_MAX_KEPT = 1000  # languages × role sets × endpoints: far below in practice


def _menu() -> list[dict]:
    return main_menu(current_user, request.endpoint) if current_user.is_authenticated else []


def _render(part: str) -> list[str]:
    entries = [
        {**entry, "badge_slot": slots.slot(f"badge{index}")} for index, entry in enumerate(_menu())
    ]
    request_slots = {name: slots.slot(name) for name in ("csrf", "next", "draft_owner")}
    html = render_template("_frame.html", part=part, slots=request_slots, menu_entries=entries)
    return slots.cut(html)


def _draft_owner() -> str:
    """A mark of the person signed in, the same in each of their sessions and naming
    nobody; empty for a visitor. portal.js puts a form's copy kept across the end of a
    session back only on a page of the person who typed it (<body data-draft-owner>): the
    next person at a shared computer may sign in in the same tab."""
    if not current_user.is_authenticated:
        return ""
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, f"typed-by:{current_user.id}".encode(), "sha256").hexdigest()[:16]


def _request_values() -> dict:
    """What the header shows of this request: its CSRF token, the page to come back to
    (this one, unless it was a POST), the badges, whose typing a form holds (`_draft_owner`)."""
    values = {
        "csrf": generate_csrf(),
        "next": page_to_come_back_to(),
        "draft_owner": _draft_owner(),
    }
    for index, entry in enumerate(_menu()):
        if entry["badge"]:
            values[f"badge{index}"] = Markup(
                # Read as its words: an aria-label on a plain span is left unread by
                # many screen readers, which said "Messages 3".
                ' <span class="badge"><span aria-hidden="true">{}</span>'
                '<span class="visually-hidden">{}</span></span>'
            ).format(entry["badge"], entry["badge_label"])
    return values


def _frame_of_this_request() -> dict[str, Markup]:
    signed_in = current_user.is_authenticated
    roles = frozenset(current_user.roles) if signed_in else frozenset()
    key = (current_language(), signed_in, roles, request.endpoint)
    kept = current_app.extensions.setdefault("empreinte.frames", {})
    parts = kept.get(key)
    if parts is None:
        parts = {part: _render(part) for part in PARTS}
        if len(kept) >= _MAX_KEPT:
            kept.clear()
        kept[key] = parts
    values = _request_values()
    return {part: slots.fill(cut, values) for part, cut in parts.items()}


def page_frame(part: str) -> Markup:
    """One part of the frame (`top`, `head`, `header`, `footer`) for this request."""
    frame = g.get("_page_frame")
    if frame is None:
        frame = g._page_frame = _frame_of_this_request()
    return frame[part]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(page_frame=page_frame)
