"""Catalogue forms: search filters, lifetime, basket, decisions, budgets, items, import."""

import math
import re
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import LazyString, get_locale, lazy_pgettext, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import html_params

from app.catalogue import footprint
from app.catalogue.models import ITEM_FIELDS
from app.core.forms import (
    FormTokenField,
    LocalFloatField,
    LocalIntegerField,
    LocalNumberRange,
    PortalForm,
    single_line_breaks,
)
from app.core.i18n import current_language, format_number, parse_local_number, plural_count

MAX_QUERY = 100


def choices(pairs) -> list[SelectChoice]:
    """SelectField options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def kind_choices():
    return choices([("", _l("All")), ("equipment", _l("Equipment")), ("service", _l("Services"))])


def _category_pairs(blank: bool) -> list[tuple[str, object]]:
    pairs = [("", _l("All categories"))] if blank else []
    pairs += [(c, footprint.category_label(c)) for c in footprint.EQUIPMENT_CATEGORIES]
    pairs += [(c, footprint.category_label(c)) for c in footprint.SERVICE_CATEGORIES]
    return pairs


_translated_categories: dict[tuple[str, bool], list[SelectChoice]] = {}


def category_choices(blank=True) -> list[SelectChoice]:
    """Every category, translated once per language (the filters show them on every page)."""
    if get_locale() is None:  # at import: no language yet
        return choices(_category_pairs(blank))
    key = (current_language(), blank)
    if key not in _translated_categories:
        _translated_categories[key] = choices(
            (value, str(label)) for value, label in _category_pairs(blank)
        )
    return list(_translated_categories[key])


class SearchForm(PortalForm):
    """The listing's filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Search"),
        validators=[
            Optional(),
            Length(
                max=MAX_QUERY, message=_l("The search is too long (at most %(max)d characters).")
            ),
        ],
    )
    kind = SelectField(_l("Kind"), choices=kind_choices(), default="")
    category = SelectField(_l("Category"), choices=category_choices(), default="")
    grade = SelectField(
        _l("Label"),
        choices=choices([("", _l("All labels")), *((g, g) for g in footprint.GRADES)]),
        default="",
    )
    status = SelectField(
        _l("Status"),
        choices=choices(
            [
                ("available", _l("Available")),
                ("discontinued", _l("Discontinued")),
                ("all", _l("All")),
            ]
        ),
        default="available",
    )
    sort = SelectField(
        _l("Sort by"),
        choices=choices(
            [
                # What the words name best first (`queries._relevance`); without words,
                # equipment before services; then by name.
                ("name", _l("Best match")),
                ("footprint", _l("Footprint, lightest first")),
                ("-footprint", _l("Footprint, heaviest first")),
            ]
        ),
        default="name",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Translated lazily at request time, in the user's language.
        self.category.choices = category_choices()
        self.kind.choices = kind_choices()


YEARS = re.compile(r"\s*(\d{1,3})(?:[.,](\d+))?\s*")


class YearsSelect:
    """A list of the field's `choices` (years), each said with its unit (« 2,5 ans »): the
    years chosen are seen, and can be changed, without JavaScript (a slider showed no
    number without it), and a screen reader says the option as it is written."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        options = [
            Markup("<option {}>{}</option>").format(
                Markup(  # noqa: S704 - html_params escapes
                    html_params(value=footprint.years_text(years), selected=years == field.data)
                ),
                ngettext(
                    "%(years)s year",
                    "%(years)s years",
                    plural_count(years),
                    years=format_number(years),
                ),
            )
            for years in field.choices
        ]
        params = Markup(html_params(name=field.name, **kwargs))  # noqa: S704 - escaped
        return Markup("<select {}>{}</select>").format(params, Markup("").join(options))


class YearsField(Field):
    """Years to a tenth ("2.5", or "2,5" as French is typed; more decimals are rounded):
    the item's own lifetime is one of the list's values (2.5 years, 6.6). Anything
    else is None, so that the one range message below says what to choose."""

    widget = YearsSelect()
    choices: list[float] = []

    def process_formdata(self, valuelist):
        self.data = None
        match = YEARS.fullmatch(valuelist[0]) if valuelist else None
        if match:
            whole, tenths = match.groups()
            exact = Decimal(f"{whole}.{tenths or 0}")
            self.data = float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def _value(self) -> str:
        """As a slider's value and a link write it: "2.5", "3" (never "3.0")."""
        if self.data is None:
            return self.raw_data[0] if self.raw_data else ""
        return footprint.years_text(self.data)


def lifetime_in_range(form, field):
    """Within the item's simulator range (`footprint.lifetime_range`), with its numbers,
    however it is wrong."""
    low, high = form.years_range
    if field.data is None or not low <= field.data <= high:
        raise StopValidation(
            _(
                "Choose a lifetime from %(min)s to %(max)s years.",
                min=format_number(low),
                max=format_number(high),
            )
        )


class LifetimeForm(PortalForm):
    """The simulator's years, for an item of `lifetime` years (its range holds them)."""

    class Meta:
        csrf = False

    years = YearsField(_l("Years of use"), validators=[lifetime_in_range])

    def __init__(self, *args, lifetime: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.years_range = footprint.lifetime_range(lifetime)
        self.years.choices = footprint.lifetime_choices(lifetime, self.years.data)


QUANTITY_MESSAGE = _l("Enter a quantity from 1 to 50.")


class QuantityField(LocalIntegerField):
    """A quantity typed as text, given back as typed when refused ("abc" stays "abc": a
    browser's number field would empty it), with one message whatever is wrong."""

    unreadable_message = QUANTITY_MESSAGE


class AddToRequestForm(PortalForm):
    quantity = QuantityField(
        _l("Quantity"),
        default=1,
        validators=[
            DataRequired(message=QUANTITY_MESSAGE),
            NumberRange(1, 50, message=QUANTITY_MESSAGE),
        ],
    )
    # One per rendered form: the same form sent twice (a double click) adds once
    # (services.add_to_basket). Absent (an older page, a script): every send adds.
    form_token = FormTokenField()


MAX_NOTE = 500


class SubmitRequestForm(PortalForm):
    comment = TextAreaField(
        _l("Why do you need it? (optional)"),
        filters=[single_line_breaks],
        validators=[
            Optional(),
            Length(
                max=MAX_NOTE,
                message=_l("Your comment is too long (at most %(max)d characters)."),
            ),
        ],
    )


class DecisionForm(PortalForm):
    decision = SelectField(
        _l("Decision"), choices=choices([("approve", _l("Approve")), ("refuse", _l("Refuse"))])
    )
    note = TextAreaField(
        _l("Note to the requester (required to refuse)"),
        filters=[single_line_breaks],
        validators=[
            Optional(),
            Length(max=MAX_NOTE, message=_l("The note is too long (at most %(max)d characters).")),
        ],
    )
    # The budget figures an over-budget approval was asked about (routes.budget_seen):
    # approving passes the budget only when they are still the figures now.
    budget_seen = HiddenField()


# A figure as a person writes one: digits, a sign, decimal marks and grouping spaces; no
# letters (`NaN`, `inf`, `1e3`, `12 kg`), which Python's float() would read or half-read.
WRITTEN_AS_FIGURE = re.compile(r"[+-]?[\d\s\u00a0\u202f.,]*\d[\d\s\u00a0\u202f.,]*")


def not_a_number(typed: str) -> str:
    """Why a figure typed with letters or without digits (« 250 kg », « abc », « 1e3 ») is
    refused, quoting it: the item form's words and the import's (`csv_io._figure`)."""
    return _("%(typed)s does not read as a number.", typed=typed.strip()[:40])


class _RangeWhenUnreadable:
    """A number field told its range when what is typed is no number ("1e9", "lots"), as
    a number outside the range is: a bare "Enter a number." left 1e9 to guess why. What
    is no figure as people write one (« 250 kg ») is quoted first, as the import quotes
    it (`not_a_number`): told the range alone, 250 seemed out of it."""

    @property
    def unreadable_message(self) -> str:
        typed = self.raw_data[0] if self.raw_data else ""
        quoted = "" if WRITTEN_AS_FIGURE.fullmatch(typed.strip()) else not_a_number(typed) + " "
        if _WRITTEN_ANOTHER_WAY.fullmatch(typed) and not _readable(typed):
            # Digits and separators the reader's language does not read so (« 1.234,5 » in
            # French): a number, maybe in range, written another way. Told its range, it
            # read as out of range.
            return _(
                "This number is written in a way that cannot be read: write it like %(example)s.",
                example=format_number(1234 if isinstance(self, LocalIntegerField) else 1234.5),
            )
        for validator in self.validators:
            if isinstance(validator, NumberRange):  # LocalNumberRange's words too
                try:
                    validator(None, _NOTHING_READ)
                except ValidationError as refusal:
                    return quoted + str(refusal)
        return quoted + str(super().unreadable_message)


# Only digits and the separators numbers are written with, one digit at least.
_WRITTEN_ANOTHER_WAY = re.compile(r"[\s.,'’]*\d[\d\s.,'’]*")


def _readable(typed: str) -> bool:
    """Whether the reader's language reads `typed` as a number (« 1,5 » in a whole-number
    field is read, and refused for what it is)."""
    try:
        parse_local_number(typed)
    except ValueError:
        return False
    return True


class _NothingRead:
    """The field as a range validator sees it when no number was read."""

    data = None


_NOTHING_READ = _NothingRead()


class RangedFloatField(_RangeWhenUnreadable, LocalFloatField):
    """A decimal number the reader's way, told its range when it is no number."""


class RangedIntegerField(_RangeWhenUnreadable, LocalIntegerField):
    """A whole number the reader's way, told its range when it is no number."""


BUDGET_MAX = 1e9


def _budget_limits(least: float, most: float) -> str:
    """The budget's limits, written the reader's way, as `LocalNumberRange` writes them."""
    return _(
        "Enter a budget from %(min)s to %(max)s kg CO₂e per year.",
        min=format_number(least),
        max=format_number(most),
    )


class ToATenth:
    """A budget has one decimal at most, as its pages write it (`footprint.tenth_at_most`);
    a figure the range refused is not told this too."""

    def __call__(self, form, field):
        if field.data is None or field.errors or not math.isfinite(field.data):
            return
        if not footprint.tenth_at_most(field.data):
            raise ValidationError(str(footprint.BUDGET_TO_A_TENTH))


class BudgetForm(PortalForm):
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=True)
    year = LocalIntegerField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Enter a year from 2000 to 2100.")),
            NumberRange(2000, 2100, message=_l("Enter a year from 2000 to 2100.")),
        ],
    )
    budget_kgco2e = RangedFloatField(
        _l("Budget (kg CO₂e per year)"),
        validators=[
            # An empty field is told the same limits as -5 (« de 0 ou plus » said no most).
            InputRequired(message=LazyString(lambda: _budget_limits(0, BUDGET_MAX))),
            LocalNumberRange(
                0,
                BUDGET_MAX,
                message=_l("Enter a budget from %(min)s to %(max)s kg CO₂e per year."),
            ),
            ToATenth(),
        ],
    )


def _number(label, hint=None, maximum=1e7):
    return RangedFloatField(
        label,
        description=hint,
        validators=[
            Optional(),
            LocalNumberRange(0, maximum),
        ],
    )


SOURCE_URL_MESSAGE = _l("Give an address starting with https:// (or http://).")
# ASCII only: codes are compared capitals aside, and SQL's lower() folds only ASCII alike
# on SQLite and PostgreSQL (`services.item_with_code`).
CODE_PATTERN = r"^[A-Za-z0-9._-]+$"
CODE_MESSAGE = _l("Letters, digits, dot, dash and underscore only.")
# Between alternatives' codes, in the form as in the import: a comma (as the form and the
# preview list them) or a semicolon (as the export writes them). Codes contain neither.
ALTERNATIVES_SEPARATOR = re.compile(r"[,;]")


class CodesField(StringField):
    """Items' codes as one text. Filled from an item (`ItemForm(obj=item)`), it holds
    their codes, not the items: a form sent without the field keeps the stored
    alternatives, as the other fields keep their stored values (the list itself was
    split as text: a 500)."""

    def process_data(self, value):
        if value is not None and not isinstance(value, str):
            value = ", ".join(item.code for item in value)
        super().process_data(value)


class ItemForm(PortalForm):
    code = StringField(
        _l("Code"),
        # Spaces around a pasted code are no part of it (` LAP-1 ` is `LAP-1`, taken or not).
        filters=[lambda code: code.strip() if isinstance(code, str) else code],
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(CODE_PATTERN, message=CODE_MESSAGE),
        ],
    )
    kind = SelectField(
        # One item's kind: "Equipment" as the listing's filter says it, singular in French.
        _l("Kind"),
        choices=choices(
            [("equipment", lazy_pgettext("item kind", "Equipment")), ("service", _l("Service"))]
        ),
    )
    category = SelectField(_l("Category"), choices=category_choices(blank=False))
    name_fr = StringField(_l("Name in French"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    description_fr = TextAreaField(
        _l("Description in French"), validators=[Optional(), Length(max=4000)]
    )
    description_en = TextAreaField(
        _l("Description in English"), validators=[Optional(), Length(max=4000)]
    )
    embodied_kgco2e = _number(
        _l("Manufacturing footprint (kg CO₂e)"),
        _l(
            "Manufacture, transport and end of life. Leave blank for equipment to use the "
            "Boavizta reference data, which printers and accessories lack: enter theirs."
        ),
    )
    embodied_min_kgco2e = _number(_l("Manufacturing footprint, low estimate (kg CO₂e)"))
    embodied_max_kgco2e = _number(_l("Manufacturing footprint, high estimate (kg CO₂e)"))
    use_kwh_per_year = _number(_l("Electricity use (kWh per year)"))
    use_kwh_min = _number(_l("Electricity use, low estimate (kWh per year)"))
    use_kwh_max = _number(_l("Electricity use, high estimate (kWh per year)"))
    # Named as the spreadsheet export heads its column (`spreadsheet.HEADINGS`).
    use_kgco2e_per_year = _number(
        _l("Use per year (kg CO₂e, per user for a service)"),
        _l(
            "Required for a service, with its citation. A device's is worked out from its "
            "electricity: leave it blank."
        ),
    )
    lifetime_years = RangedFloatField(
        _l("Expected lifetime (years)"),
        validators=[
            Optional(),
            NumberRange(1, 15, message=_l("The lifetime must be between 1 and 15 years.")),
        ],
    )
    source = StringField(
        _l("Source or citation"),
        validators=[Optional(), Length(max=400)],
        description=_l("Data set and version, or the study the figures come from."),
    )
    source_url = StringField(
        _l("Source address (optional)"),
        validators=[Optional(), URL(message=SOURCE_URL_MESSAGE), Length(max=400)],
    )
    estimate = BooleanField(_l("These figures are an estimate without reference data"))
    user_count = RangedIntegerField(
        _l("Number of users (services)"),
        # « 1,5 » is told a whole number is expected, not a range it is within.
        validators=[
            Optional(),
            LocalNumberRange(
                0, 10_000_000, message=_l("Enter a whole number from %(min)s to %(max)s.")
            ),
        ],
    )
    alternatives = CodesField(
        _l("Lower-footprint alternatives (codes, separated by commas)"),
        validators=[Optional(), Length(max=400)],
    )
    # The item's version when the form was opened (`services.item_version`): a save after
    # another change to the item is refused rather than putting that change back.
    version = HiddenField(validators=[Optional(), Length(max=40)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(blank=False)
        # Equipment's use footprint is worked out from its electricity: the edit form
        # showed it (10.2492) in the services' field, and a figure typed there was lost.
        # A form opened before sends the figure back unchanged: no figure typed is lost.
        field = self.use_kgco2e_per_year
        obj = kwargs.get("obj")
        self._worked_out_use = obj.use_kgco2e_per_year if obj is not None else None
        if not field.raw_data and self.kind.data == "equipment":
            field.data = None

    def validate_use_kgco2e_per_year(self, field):
        typed = field.data is not None and field.data != self._worked_out_use
        if self.kind.data == "equipment" and typed:
            raise ValidationError(
                _l(
                    "This figure is for services: a device's use footprint is worked out "
                    "from its electricity use. Leave it blank."
                )
            )

    def validate_category(self, field):
        if footprint.kind_of(field.data) != self.kind.data:
            raise ValidationError(_l("This category does not belong to this kind of item."))

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then each low and high estimate against its figure."""
        super().validate(extra_validators)
        names = [name for names in footprint.RANGES for name in names]
        self.refuse(footprint.range_problems({name: self._kept(name) for name in names}))
        return not self.errors

    def _kept(self, name: str):
        """A field's value, None when the field refused it: an estimate is not compared
        with a figure already refused (-1 said "cannot be above the figure (-1)")."""
        field = self[name]
        return None if field.errors else field.data

    def refuse(self, problems: dict[str, str]) -> None:
        """Put messages at their fields (by name) that have no error yet: a field says
        first what is wrong with it as typed."""
        for name, message in problems.items():
            field = self._fields.get(name) if name else None
            if field is None:
                self.form_errors.append(message)  # about the item as a whole
            elif not field.errors:
                field.errors = [*field.errors, message]

    def show(self, values: dict) -> None:
        """Show `values` (by field) in place of those sent: the page sent back shows what a
        save would store (a figure that no longer applies, blank), not what was sent."""
        for name, value in values.items():
            field = self._fields.get(name)
            if field is not None:
                field.data, field.raw_data = value, []  # written the reader's way

    def item_values(self) -> dict:
        names = [name for name in ITEM_FIELDS if name != "status"]
        # A refused value is no value: the catalogue's checks (`services.item_problems`)
        # judge the others without it, as the import does a refused cell.
        values = {name: self._kept(name) for name in names}
        for key in ("description_fr", "description_en", "source", "source_url"):
            values[key] = (values[key] or "").strip()
        return values

    def alternative_codes(self) -> list[str]:
        """The codes typed, separated by commas or, as the CSV export writes them, semicolons."""
        codes = ALTERNATIVES_SEPARATOR.split(self.alternatives.data or "")
        return [code.strip() for code in codes if code.strip()]


# The largest catalogue file imported (`app.core.csv_import.uploaded_csv` says so at the
# field; a body beyond MAX_CONTENT_LENGTH is answered at the field too, `routes`).
MAX_IMPORT_MB = 5
MAX_IMPORT_BYTES = MAX_IMPORT_MB * 2**20


class ImportForm(PortalForm):
    file = FileField(
        _l("CSV file (UTF-8)"),
        description=_l("At most %(mb)s MB.", mb=MAX_IMPORT_MB),
        validators=[
            FileRequired(message=_l("Choose a CSV file.")),
            FileAllowed(["csv"], message=_l("Only .csv files can be imported.")),
        ],
    )


class ConfirmImportForm(PortalForm):
    """The confirmation of a previewed import: the token of the file kept on the server."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{32}$")])
    # What the admin saw (`ImportResult.digest`): confirmed only while the catalogue gives it.
    preview = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{16}$")])
