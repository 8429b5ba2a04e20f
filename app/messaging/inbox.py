"""The inbox's messages as HTML: each kind of message rendered once, then filled.

Rendered by Jinja one by one, twenty messages cost six times the rest of the page:
each one translated a dozen texts, built four addresses and a CSRF field again. A
message's HTML is the same for every message of its kind (language, read or not,
with a subject and a body or erased, the page it is on) but for its number, subject,
date, body and the request's CSRF token: `_message.html` is rendered once per kind
with slots there (app/core/slots.py), kept per process, and filled for each message.
"""

from types import SimpleNamespace

from flask import current_app, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.core import slots
from app.core.i18n import current_language
from app.messaging.rendering import foreign_reason, text_to_html

# The number a kind is rendered with, then made a slot: an id no message has (its column
# is a 32-bit integer) and no text of the template holds. A number, not the slot itself:
# the id goes through `url_for`, whose `<int:…>` converter refuses any other text.
_ID_STAND_IN = 2**31 - 1
_MAX_KEPT = 1000  # languages × kinds × pages: far below in practice
# Messages kept filled but for the CSRF token, per process: a person coming back to their
# inbox (or reading one message after another) gets the others as they were. Bounded:
# about 3 KB each, emptied when full.
_MAX_MESSAGES_KEPT = 5000


def _kind(message, language: str, page: int | None, announce: bool) -> tuple:
    """What the message's HTML depends on besides the values filled in."""
    written_in = (message.locale or language)[:2]
    return (
        language,
        written_in if written_in != language else None,
        message.read_at is not None,
        _subject_state(message.subject),
        message.body is not None,
        page if page and page > 1 else None,
        announce,
    )


def _subject_state(subject: str | None) -> str:
    """ "erased" (its content erased with the person's data), "blank" (sent with none,
    before subjects were checked) or "written": an empty subject is no erased message."""
    if subject is None:
        return "erased"
    return "written" if subject.strip() else "blank"


def _render_kind(kind: tuple) -> list[str]:
    _language, written_in, read, subject_state, has_body, page, announce = kind
    subjects = {"written": slots.slot("subject"), "blank": "", "erased": None}
    stand_in = SimpleNamespace(
        id=_ID_STAND_IN,
        lang=written_in,
        subject=subjects[subject_state],
        delivered=slots.slot("delivered"),
        body=slots.slot("body") if has_body else None,
        read_at=read or None,
    )
    html = render_template(
        "messaging/_message.html",
        message=stand_in,
        page=page or 1,
        announce=announce,
        csrf=slots.slot("csrf"),
    )
    return slots.cut(html.replace(str(_ID_STAND_IN), str(slots.slot("id"))))


def in_reader_language(message, language: str):
    """The message as its reader reads it in `language`: its copy in that language when
    it was written in both (`Delivery.other_text`: they had not chosen a language yet),
    else the message as it is."""
    other = getattr(message, "other_text", None)
    language = (language or "")[:2]
    if not isinstance(other, dict) or other.get("locale") != language:
        return message
    if (message.locale or "")[:2] == language or message.subject is None:
        return message
    return SimpleNamespace(
        id=message.id,
        locale=other["locale"],
        subject=other.get("subject"),
        # A body purged by retention stays purged in either language.
        body=other.get("body") if message.body is not None else None,
        delivered_at=message.delivered_at,
        read_at=message.read_at,
        context=_context_of(message),
        other_text=other,
    )


def render_message(message, page: int | None = None, announce: bool = False) -> Markup:
    """One message of the inbox (a row of `queries.list_inbox`, or a Delivery) as HTML.

    `page`: the inbox page it is shown on, which its forms come back to without
    JavaScript; `announce`: say it was just marked read (an htmx answer).
    """
    return _filled(message, current_language(), page, announce, generate_csrf())


def render_messages(
    messages, page: int | None = None, just_read: int | None = None
) -> list[Markup]:
    """The messages of one inbox page as HTML, in order; `just_read`: the one marked read
    without JavaScript, open and saying so (its own kind: no other message is)."""
    token, language = generate_csrf(), current_language()  # once for the page, not per message
    return [
        _filled(message, language, page, message.id == just_read, token) for message in messages
    ]


def _filled(message, language: str, page: int | None, announce: bool, token: str) -> Markup:
    message = in_reader_language(message, language)
    kind = _kind(message, language, page, announce)
    # Its text is part of the key, not only its id: an erased message becomes another
    # kind (and SQLite gave a deleted message's id again before AUTOINCREMENT).
    key = (kind, message.id, message.delivered_at, message.subject, hash(message.body))
    messages = current_app.extensions.setdefault("empreinte.inbox_filled", {})
    parts = messages.get(key)
    if parts is None:
        if len(messages) >= _MAX_MESSAGES_KEPT:
            messages.clear()
        parts = messages[key] = slots.cut(_fill_all_but_the_token(message, kind))
    return slots.fill(parts, {"csrf": token})


def _fill_all_but_the_token(message, kind: tuple) -> Markup:
    kinds = current_app.extensions.setdefault("empreinte.inbox_messages", {})
    parts = kinds.get(kind)
    if parts is None:
        if len(kinds) >= _MAX_KEPT:
            kinds.clear()
        parts = kinds[kind] = _render_kind(kind)
    values = {
        "id": message.id,
        "subject": message.subject,
        "delivered": current_app.jinja_env.filters["datetime"](message.delivered_at),
        "body": text_to_html(
            message.body,
            current_app.config["PUBLIC_BASE_URL"].rstrip("/"),
            foreign_reason(_context_of(message), message.locale),
        )
        if message.body is not None
        else "",
        "csrf": slots.slot("csrf"),  # filled for each request
    }
    return slots.fill(parts, values)


def _context_of(message) -> dict | None:
    """The context of the dispatch a message came with: a row of the inbox carries it,
    a Delivery finds it through its dispatch."""
    if hasattr(message, "context"):
        return message.context
    dispatch = getattr(message, "dispatch", None)
    return dispatch.context if dispatch is not None else None


def render_head(unread: int, total: int) -> Markup:
    """The inbox's counts and its actions on every message, with the request's token."""
    kept = current_app.extensions.setdefault("empreinte.inbox_heads", {})
    key = (current_language(), unread, total - unread)  # "Delete read messages" counts them
    parts = kept.get(key)
    if parts is None:
        if len(kept) >= _MAX_KEPT:
            kept.clear()
        html = render_template(
            "messaging/_inbox_head.html",
            oob=False,
            unread=unread,
            total=total,
            csrf=slots.slot("csrf"),
        )
        parts = kept[key] = slots.cut(html)
    return slots.fill(parts, {"csrf": generate_csrf()})
