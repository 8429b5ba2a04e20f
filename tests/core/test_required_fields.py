"""A field the server requires says so before any submission (RGAA 11.10.1, WCAG 3.3.2):
the shared `field` macro adds « (obligatoire) » / "(required)" to its label and the
`required` attribute to its control; an optional field has neither."""

import html
import re

from flask import render_template_string
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, Optional

from app.core.forms import choices


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[DataRequired()])
    nickname = StringField("Nickname", validators=[Optional()])
    agree = BooleanField("I agree", validators=[DataRequired()])
    colour = RadioField("Colour", choices=choices([("g", "Green")]), validators=[DataRequired()])


def _rendered(app, field: str, locale: str = "en", **kwargs) -> str:
    with app.test_request_context(), force_locale(locale):
        return render_template_string(
            '{% from "_macros.html" import field %}{{ field(form[name], **kwargs) }}',
            form=_Form(),
            name=field,
            kwargs=kwargs,
        )


def _label(page: str) -> str:
    """The text of the first label (or legend), tags removed."""
    found = re.search(r"<(label|legend)[^>]*>(.*?)</\1>", page, re.S).group(2)
    return html.unescape(re.sub(r"<[^>]+>", "", found))


def _control_is_required(page: str) -> bool:
    return bool(re.search(r"<input[^>]*\srequired[\s>]", page))


def test_a_required_field_says_so_in_its_label_in_english(app):
    page = _rendered(app, "name")
    assert _label(page) == "Name (required)"
    assert _control_is_required(page)


def test_a_required_field_says_so_in_its_label_in_french(app):
    assert _label(_rendered(app, "name", "fr")) == "Name (obligatoire)"


def test_an_optional_field_says_nothing_and_is_not_required(app):
    page = _rendered(app, "nickname")
    assert _label(page) == "Nickname"
    assert not _control_is_required(page)


def test_a_field_the_server_requires_by_another_rule_is_marked_by_its_caller(app):
    page = _rendered(app, "nickname", required=True)
    assert _label(page) == "Nickname (required)"
    assert _control_is_required(page)


def test_a_required_tick_box_and_radio_group_say_so_too(app):
    assert _label(_rendered(app, "agree")) == "I agree (required)"
    assert _label(_rendered(app, "colour")) == "Colour (required)"


def test_the_sign_in_form_marks_its_fields_in_the_page(client):
    page = client.get("/auth/sign-in?lang=fr").get_data(as_text=True)
    label = re.search(r'<label for="email">(.*?)</label>', page, re.S).group(1)
    assert (
        html.unescape(re.sub(r"<[^>]+>", "", label)) == "Votre e-mail professionnel (obligatoire)"
    )
