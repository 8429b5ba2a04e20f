"""The menu names the digital clean-up so that nobody reads it as cleaning the premises;
a radio group with a choice already ticked is not marked « (obligatoire) »."""

import html
import re

from flask import render_template_string
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import DataRequired

from app.core.forms import choices
from tests.conftest import login


def test_the_french_menu_says_digital_clean_up(client, make):
    login(client, make.user())
    page = client.get("/?lang=fr").get_data(as_text=True)
    menu = re.search(r'<nav aria-label="Menu principal".*?</nav>', page, re.S).group(0)
    assert re.search(r">Nettoyage numérique<", menu)


class _Form(FlaskForm):
    class Meta:
        csrf = False

    scope = RadioField(
        "Scope",
        choices=choices([("read", "Read"), ("write", "Write")]),
        default="read",
        validators=[DataRequired()],
    )
    colour = RadioField(
        "Colour", choices=choices([("g", "Green"), ("b", "Blue")]), validators=[DataRequired()]
    )


def _legend(app, name: str) -> str:
    with app.test_request_context(), force_locale("fr"):
        page = render_template_string(
            '{% from "_macros.html" import field %}{{ field(form[name]) }}', form=_Form(), name=name
        )
    found = re.search(r"<legend>(.*?)</legend>", page, re.S).group(1)
    return html.unescape(re.sub(r"<[^>]+>", "", found))


def test_a_radio_group_with_a_choice_ticked_is_not_marked_required(app):
    assert _legend(app, "scope") == "Scope"


def test_a_radio_group_with_nothing_ticked_is_still_marked_required(app):
    assert _legend(app, "colour") == "Colour (obligatoire)"
