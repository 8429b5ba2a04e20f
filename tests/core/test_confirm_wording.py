"""What the server gives portal.js's confirmation dialog to say: the item a question is
about (data-confirm-about) and the words around a typed date-time (<body data-moment>)."""

import html
import re

import pytest
from flask import render_template_string

ASKING = (
    '{% from "_macros.html" import confirm_without_script %}'
    "{{ confirm_without_script('Delete this entry?', 'Delete', 'Keep it', about=about) }}"
)


def test_a_question_about_an_item_names_it_for_the_dialog(app):
    with app.test_request_context():
        rendered = render_template_string(ASKING, about="Delete e-mails, 3 Dec 2026, 10:00")
    assert '<span hidden data-confirm-about="Delete e-mails, 3 Dec 2026, 10:00"></span>' in rendered


def test_the_item_is_named_outside_noscript(app):
    """A browser running scripts reads <noscript> as text: the dialog could not find it."""
    with app.test_request_context():
        rendered = render_template_string(ASKING, about="Receipt RC-1")
    assert rendered.index("data-confirm-about") < rendered.index("<noscript>")


def test_a_question_about_no_item_names_nothing(app):
    with app.test_request_context():
        rendered = render_template_string(ASKING, about=None)
    assert "data-confirm-about" not in rendered


def _body_patterns(client, language: str) -> tuple[str, str]:
    page = client.get("/auth/sign-in", headers={"Accept-Language": language}).text
    body = re.search(r"<body[^>]*>", page).group(0)
    return tuple(
        html.unescape(re.search(rf' {name}="([^"]*)"', body).group(1))
        for name in ("data-moment", "data-moment-on-the-hour")
    )


@pytest.mark.parametrize(
    ("language", "patterns"),
    [
        ("fr", ("{day} à {H}\u00a0h\u00a0{mm}", "{day} à {H}\u00a0h")),
        ("en", ("{day} at {HH}:{mm}", "{day} at {HH}:00")),
    ],
)
def test_the_page_says_how_its_language_words_a_moment(client, language, patterns):
    """As format_full_moment words the same end once sent: « à 18 h 30 », "at 18:30"."""
    assert _body_patterns(client, language) == patterns
