"""Form helpers shared by every part of the portal."""

import math

from flask import flash
from flask_babel import gettext
from wtforms import FloatField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.i18n import format_number, parse_local_number

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3
    SelectChoice = None


def choices(pairs) -> list:
    """Choices for a SelectField/RadioField from (value, label) pairs, on any WTForms 3."""
    pairs = list(pairs)
    if SelectChoice is None:
        return pairs
    return [SelectChoice(value, label) for value, label in pairs]


def local_number_value(field) -> str:
    """What a number field shows: what the person typed, else its value written the
    reader's way ('0,5' and '10' in French, not '0.5' and '10.0'), without grouping."""
    if field.raw_data:
        return field.raw_data[0]
    if field.data is None:
        return ""
    return format_number(field.data, "0.######")


class LocalFloatField(FloatField):
    """A number typed as the reader writes it ('12,5' or '1 000' in French, '1,000.5' in
    English; a point is read in any language). NaN and infinities are refused."""

    _value = local_number_value

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            value = parse_local_number(valuelist[0])
        except ValueError as error:
            self.data = None
            raise ValueError(gettext("Enter a number.")) from error
        if not math.isfinite(value):
            self.data = None
            raise ValueError(gettext("Enter a number."))
        self.data = value


class MultiCheckboxField(SelectMultipleField):
    """Several choices as tick boxes: easier than a multiple <select> (Ctrl-click on a
    computer, a hidden list on a phone). Render it in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def uploaded_text(storage, max_bytes: int) -> str | None:
    """An uploaded file as text, or None after flashing why not (too large, not UTF-8)."""
    raw = storage.read(max_bytes + 1)
    if len(raw) > max_bytes:
        flash(gettext("The file is too large (at most %(mb)s MB).", mb=max_bytes // 2**20), "error")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        flash(gettext("The file is not UTF-8 text."), "error")
        return None
