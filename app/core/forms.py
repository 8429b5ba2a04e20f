"""Form helpers shared by every part of the portal."""

import math
import re
import secrets
import unicodedata

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf import i18n as flask_wtf_i18n
from wtforms import (
    ButtonField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, NumberRange, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, TextArea, TextInput

from app.core.i18n import AmbiguousNumber, format_number, parse_local_number

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3
    SelectChoice = None


ONE_OF_THE_OPTIONS = _l("Choose one of the options offered.")

#: WTForms' own words for a value no form offered or no calendar holds, in the portal's.
#: Its French (« N'est pas un choix valide. », « N'est pas une date/heure valide. ») reads
#: like a programmer's, and the extend form already said « Saisissez une date et une
#: heure valides. » where the campaign form said the stock sentence.
PORTAL_WORDING = {
    "Not a valid choice.": ONE_OF_THE_OPTIONS,
    "Invalid Choice: could not coerce.": ONE_OF_THE_OPTIONS,
    "Not a valid datetime value.": _l("Enter a valid date and time."),
    "Not a valid date value.": _l("Enter a valid date."),
    "Not a valid time value.": _l("Enter a valid time."),
    # WTForms' French says « requis » where every label of the portal says « obligatoire ».
    "This field is required.": _l("This field is required."),
}

#: A multiple choice (tick boxes) naming the values nobody offered.
PORTAL_PLURAL_WORDING = {
    "'%(value)s' is not a valid choice for this field.": ONE_OF_THE_OPTIONS,
}


class PortalFormWording(flask_wtf_i18n.Translations):
    """Flask-WTF's translations of WTForms' messages, a few of them in the portal's words."""

    def gettext(self, string):
        own = PORTAL_WORDING.get(string)
        return str(own) if own is not None else super().gettext(string)

    def ngettext(self, singular, plural, n):
        own = PORTAL_PLURAL_WORDING.get(singular)
        return str(own) if own is not None else super().ngettext(singular, plural, n)


# Every FlaskForm (and the cleanup rules' sub-form) asks this one object for WTForms'
# messages: given the portal's words here, each select, radio and date field of every
# form says them, with no field or form to remember it.
flask_wtf_i18n.translations.__class__ = PortalFormWording


def valid_email() -> Email:
    """WTForms' e-mail check, saying it in the portal's words: its own French message
    ("Adresse électronique non valide") named the address unlike every other page."""
    return Email(message=_l("This is not a valid e-mail address."))


def choices(pairs) -> list:
    """Choices for a SelectField/RadioField from (value, label) pairs, on any WTForms 3."""
    pairs = list(pairs)
    if SelectChoice is None:
        return pairs
    return [SelectChoice(value, label) for value, label in pairs]


# What shows nothing on screen: spaces, controls, and format characters such as the
# zero-width space (U+200B) or the direction marks, which `str.strip` keeps.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def visible_text(text):
    """A typed name without the invisible characters around it: empty when nothing of
    it shows (a name of one zero-width space made a button labelled with nothing).
    A WTForms filter as well (None, or a value that is no text, stays as it is); the
    line breaks inside a text area's text stay."""
    if not isinstance(text, str):
        return text
    characters = list(text)
    while characters and unicodedata.category(characters[0]) in _INVISIBLE_CATEGORIES:
        characters.pop(0)
    while characters and unicodedata.category(characters[-1]) in _INVISIBLE_CATEGORIES:
        characters.pop()
    return "".join(characters)


# Line breaks, of every kind: a one-line box can't show one, and a browser drops it when
# the form is saved again (a subject stored on two lines, edited back to one unseen).
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
# Direction embeddings, overrides and isolates: « Anne \u202enimda » reads « Anne admin ».
_DIRECTION_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def one_line(text):
    """A one-line field's text with each run of line breaks made one space, and without
    direction controls (a name turning the text after it around); the WTForms filter of
    every text box (a text area keeps its lines)."""
    if not isinstance(text, str):
        return text
    return _DIRECTION_CONTROLS.sub("", _LINE_BREAKS.sub(" ", text))


def _one_line_box(unbound_field) -> bool:
    """A text box, not a text area (by its class or its widget)."""
    return not issubclass(unbound_field.field_class, TextAreaField) and not isinstance(
        unbound_field.kwargs.get("widget"), TextArea
    )


def _typed_text(unbound_field) -> bool:
    """Whether a field holds text a person types: a text box or a text area, not a
    password (its spaces may be part of it), a hidden value, a button or a file."""
    kind = unbound_field.field_class
    if not issubclass(kind, StringField) or issubclass(
        kind, (PasswordField, HiddenField, ButtonField)
    ):
        return False
    return not isinstance(unbound_field.kwargs.get("widget"), HiddenInput)


class PortalForm(FlaskForm):
    """The base of every form of the portal: a typed text that shows nothing (a
    zero-width space, a word joiner, spaces) is no text. `visible_text` comes first
    among the filters of each text field, so "required" refuses it with the field's
    own message, and a name, a note or a reason is saved without invisible ends."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if _typed_text(unbound_field):
                own = unbound_field.kwargs.get("filters", ())
                filters = (
                    [one_line, visible_text, *own]
                    if _one_line_box(unbound_field)
                    else [visible_text, *own]
                )
                options = {**options, "filters": filters}
            return super().bind_field(form, unbound_field, options)


def new_form_token() -> str:
    """A token for one form shown (see FormTokenField)."""
    return secrets.token_urlsafe(16)


class FormTokenField(HiddenField):
    """The token of one form shown. The same form sent twice (a double click, Back then
    Send again) comes back with the same token, which the service recognises and answers
    with what the first send made; a form shown again carries a new one."""

    @property
    def sent(self) -> str | None:
        """The token the form came back with (64 characters at most), None without one."""
        return (self.data or "")[:64] or None

    def ensure(self) -> str:
        """The token to show the form with: the one it came back with (shown again after
        a refusal, it is still the same form), else a new one."""
        if not self.sent:
            self.data = new_form_token()
        return self.data


def single_line_breaks(text):
    """A WTForms filter for text areas: a browser sends each line break as CRLF, two
    characters, although its `maxlength` counted one. Stored with LF, a text the browser
    let through is never refused as too long."""
    if isinstance(text, str):
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def local_number_value(field) -> str:
    """What a number field shows: what the person typed, else its value written the
    reader's way ('0,5' and '10' in French, not '0.5' and '10.0'), without grouping."""
    if field.raw_data:
        return field.raw_data[0]
    if field.data is None:
        return ""
    return format_number(field.data, "0.######")


class LocalNumberInput(TextInput):
    """A number field written the reader's way, as text: a browser's `type="number"`
    field drops a value it cannot read as a number with a point ('255,5', as a French
    page writes it), shows an empty field, and saving the form then erased the number
    without a word. `inputmode` still brings up a phone's number keypad."""

    def __init__(self, inputmode: str = "decimal"):
        super().__init__()
        self.inputmode = inputmode

    def __call__(self, field, **kwargs):
        kwargs.setdefault("inputmode", self.inputmode)
        return super().__call__(field, **kwargs)


class _OneMessageWhenUnreadable:
    """A field whose text is not a number says so once: its range or required
    validators would otherwise add a second, less accurate message ('Enter a number.
    Enter a number of 0 or more.', or 'This field is required.' for 'abc')."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class LocalNumberRange(NumberRange):
    """NumberRange whose message writes its bounds the reader's way ('1 000 000' and
    '0,001' in French). `message` may name them as %(min)s and %(max)s."""

    def __call__(self, form, field):
        data = field.data
        above_min = data is not None and (self.min is None or data >= self.min)
        if above_min and not math.isnan(data) and (self.max is None or data <= self.max):
            return
        bounds = {
            "min": format_number(self.min) if self.min is not None else "",
            "max": format_number(self.max) if self.max is not None else "",
        }
        if self.message is not None:
            raise ValidationError(str(self.message) % bounds)
        if self.max is None:
            raise ValidationError(gettext("Enter a number of %(min)s or more.", **bounds))
        if self.min is None:
            raise ValidationError(gettext("Enter a number of %(max)s or less.", **bounds))
        raise ValidationError(gettext("Enter a number from %(min)s to %(max)s.", **bounds))


class _LocalNumberField(_OneMessageWhenUnreadable):
    """A number typed as the reader writes it ('12,5' or '1 000' in French, '1,000.5' in
    English; a point is read in any language). Left empty it is None, and the validators
    (InputRequired or Optional) decide whether that will do; NaN and infinities are
    refused with `unreadable_message`."""

    _value = local_number_value
    widget = LocalNumberInput()
    unreadable_message = _l("Enter a number.")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        if not valuelist[0].strip():
            return
        try:
            value = parse_local_number(valuelist[0])
        except AmbiguousNumber as ambiguous:
            raise ValueError(str(ambiguous)) from None
        except ValueError:
            value = math.nan
        if not self.accepts(value):
            raise ValueError(str(self.unreadable_message))
        self.data = self.convert(value)

    def accepts(self, value: float) -> bool:
        return math.isfinite(value)

    def convert(self, value: float):
        return value


class LocalIntegerField(_LocalNumberField, IntegerField):
    """A whole number typed as the reader writes it ('1 000' in French)."""

    unreadable_message = _l("Enter a whole number.")
    widget = LocalNumberInput("numeric")

    def accepts(self, value: float) -> bool:
        return math.isfinite(value) and value == int(value)

    def convert(self, value: float) -> int:
        return int(value)


class LocalFloatField(_LocalNumberField, FloatField):
    """A decimal number typed as the reader writes it ('12,5' in French)."""


class MultiCheckboxField(SelectMultipleField):
    """Several choices as tick boxes: easier than a multiple <select> (Ctrl-click on a
    computer, a hidden list on a phone). Render it in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
