"""Templates rendered once with named slots, then filled for each use.

The page frame (every page) and the e-mail layout (every message of a dispatch) are
the same each time but for a few values. Rendering them again each time repeated the
same work: they are rendered once with a marker where each value goes, cut at the
markers, and joined again with each use's values.
"""

import re
import secrets

from markupsafe import Markup, escape

# A private-use character and a text drawn once per process: a kept template may hold
# text someone typed (an item's name, a message's subject), which can never hold a
# marker, by chance or on purpose. Kept HTML is stored already cut, so another process
# drawing another marker reads it alike.
_MARK = f"\ue000{secrets.token_hex(8)}"
_SLOT_RE = re.compile(f"{_MARK}([a-z0-9_]+)\ue000")


def slot(name: str) -> Markup:
    """The marker to render where the value called `name` goes."""
    return Markup(f"{_MARK}{name}\ue000")  # noqa: S704 - a fixed marker, no user data


def cut(html: str) -> list[str]:
    """Rendered HTML cut at its slots: fixed HTML at even indexes, slot names at odd ones."""
    return _SLOT_RE.split(html)


def fill(parts: list[str], values: dict) -> Markup:
    """The HTML again, each slot holding its value (escaped unless Markup; absent: empty)."""
    return Markup(  # noqa: S704 - our own autoescaped template, every value escaped here
        "".join(
            part if index % 2 == 0 else str(escape(values.get(part, "")))
            for index, part in enumerate(parts)
        )
    )
