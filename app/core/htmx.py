"""Whether a request asks for an htmx fragment or for the whole page."""

from flask_babel import gettext as _
from markupsafe import Markup

from app.extensions import htmx


def wants_fragment() -> bool:
    """True for an htmx request that swaps its answer into part of a page. A history
    restore (htmx missed its own cache on "back") is an htmx request that wants the whole
    page, as a request without JavaScript does."""
    return bool(htmx) and not htmx.history_restore_request


def fragment_title(title: str, refused: bool = False) -> Markup:
    """A <title> for an htmx answer: htmx takes it out of what it swaps and makes it the
    document's title, as the whole page has it. `refused`: « Erreur : » first, as a whole
    page sent back with a refused form says (`templating.title_tells_a_refusal`), and
    taken away again by the next answer that is not a refusal."""
    if refused:
        return Markup("<title>{} {} · Empreinte</title>\n").format(_("Error:"), title)
    return Markup("<title>{} · Empreinte</title>\n").format(title)
