"""gettext that also works in the scheduler and CLI, where there is no request."""

from flask import has_request_context
from flask_babel import gettext


def _(text: str, **variables) -> str:
    """Translated in a request; the English text (interpolated) in jobs and commands."""
    if has_request_context():
        return gettext(text, **variables)
    return text % variables if variables else text
