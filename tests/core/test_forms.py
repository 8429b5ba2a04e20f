"""Number fields written the reader's way stay readable to the browser."""

import re

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm

from app.cleanup.forms import FiniteDecimalField
from app.core.forms import LocalFloatField, LocalIntegerField


class _Numbers(FlaskForm):
    class Meta:
        csrf = False

    factor = LocalFloatField("Factor")
    cap = LocalIntegerField("Cap")
    points = FiniteDecimalField("Points")


@pytest.mark.parametrize("name", ["factor", "cap", "points"])
def test_a_number_shown_with_a_comma_is_a_text_field_with_a_number_keypad(app, name):
    """A browser's type="number" field drops « 255,5 »: the field showed empty and a save
    erased the number."""
    with app.test_request_context(), force_locale("fr"):
        form = _Numbers(data={"factor": 255.5, "cap": 1500, "points": 0.5})
        html = str(form[name]())
    assert 'type="text"' in html and "inputmode=" in html
    assert re.search(r'value="(255,5|1500|0,5)"', html)
