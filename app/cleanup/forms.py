"""Forms of the clean-up campaigns."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from app.cleanup.catalogue import unit_label
from app.cleanup.countdown import shown_end
from app.cleanup.services import WORDING_FIELDS
from app.core.forms import (
    FormTokenField,
    LocalIntegerField,
    LocalNumberInput,
    LocalNumberRange,
    MultiCheckboxField,
    PortalForm,
    local_number_value,
    single_line_breaks,
)
from app.core.i18n import (
    AmbiguousNumber,
    current_language,
    format_clock,
    format_number,
    lazy_zone_label,
    parse_local_number,
    zone_place_phrase,
)
from app.core.time import local_zone

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# The smallest positive amount, as a Decimal: the float 0.001 is a hair above 0.001 and
# refused a typed "0,001" as too small.
SMALLEST = Decimal("0.001")


def to_utc(local: datetime) -> datetime:
    """A naive Europe/Paris date-time from a form as an aware instant in UTC. A time the
    clocks show twice (02:30 on the last Sunday of October) is the first of the two, in
    summer time, whatever the form parsed (`fold=0`); in UTC, it compares equal to the
    same instant read back from the database (a Paris time in the repeated hour never
    does, PEP 495). One the clocks skip is refused by the form (`ExistingLocalTime`)
    before it comes here."""
    aware = local.replace(tzinfo=local_zone(), fold=0)
    try:
        return aware.astimezone(UTC)
    except OverflowError:  # the calendar's first or last hours: refused as too far off
        return aware


def end_to_utc(local: datetime) -> datetime:
    """A campaign's end typed in a form (Paris time, to the minute) as the instant it
    closes. Ends are exclusive, but an end typed at 23:59 means the whole of that day
    (its last minute too): it is kept as the following midnight, which pages write back
    as 23:59 (`countdown.shown_end`). Any other end closes at the minute typed."""
    if local.time() == time(23, 59) and local.date() < date.max:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return to_utc(local)


def end_as_typed(ends_at: datetime) -> datetime:
    """A campaign's end as its form's field shows it (naive Paris time): 23:59 for one
    at midnight, as `end_to_utc` reads it back."""
    return to_local_naive(shown_end(ends_at))


def skipped_by_the_clocks(local: datetime) -> tuple[datetime, datetime] | None:
    """For a naive local date-time the clocks skip when they go forward (02:30 on the
    last Sunday of March in Paris), the local times they jump from and to (02:00 and
    03:00); None for a time that exists."""
    zone = local_zone()
    local = local.replace(tzinfo=None)
    first = local.replace(tzinfo=zone, fold=0)
    try:
        if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local:
            return None
    except OverflowError:  # the calendar's first or last day: refused as too far off
        return None
    before, after = first.utcoffset(), local.replace(tzinfo=zone, fold=1).utcoffset()
    # The change is at an instant between the two readings of `local`, on a minute.
    moment = (local - after).replace(tzinfo=UTC)
    while moment.astimezone(zone).utcoffset() != after and moment < first:
        moment += timedelta(minutes=1)
    return moment.replace(tzinfo=None) + before, moment.astimezone(zone).replace(tzinfo=None)


def skipped_spans(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The local times the clocks skip between two naive Paris date-times, as (from, to)
    pairs (02:00, 03:00 on the last Sunday of March): found by the days whose noon offset
    differs from the day before's, then the minute the change leaves out."""
    zone = local_zone()
    spans = []
    day = start.replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    offset = day.replace(tzinfo=zone).utcoffset()
    while day <= end + timedelta(days=1):
        following = day + timedelta(days=1)
        next_offset = following.replace(tzinfo=zone).utcoffset()
        if next_offset > offset:  # forward between this noon and the next
            for hours in range(24):
                skipped = skipped_by_the_clocks(day + timedelta(hours=hours))
                if skipped is not None:
                    spans.append(skipped)
                    break
        day, offset = following, next_offset
    return [(gap_from, gap_to) for gap_from, gap_to in spans if gap_to > start and gap_from <= end]


class ExistingLocalTime:
    """A date-time typed in Paris time that the clocks show: one in the hour skipped
    when they go forward was saved an hour later without a word."""

    def __call__(self, form, field):
        if field.data is None:
            return
        skipped = skipped_by_the_clocks(field.data)
        if skipped is not None:
            raise ValidationError(
                _(
                    "This time does not exist %(in_zone)s: clocks go forward from %(start)s "
                    "to %(end)s that night.",
                    in_zone=zone_place_phrase(),
                    start=format_clock(skipped[0].time()),
                    end=format_clock(skipped[1].time()),
                )
            )


def to_local_naive(moment: datetime) -> datetime:
    return moment.astimezone(local_zone()).replace(tzinfo=None)


class _RangeWhenUnreadable:
    """A number field whose text is not a number is told the range it takes, as a number
    out of range is ("Enter a number from 0 to 10,000."): "Enter a number." alone left
    the organiser guessing what the line accepts."""

    # Set when the text read no number: a form whose range for the field depends on
    # another field (`RuleForm`, a type that counts) words the refusal with that range.
    read_no_number = False

    # Set when the text was a number in exponent notation ("1e3"): told to type it in
    # digits, not given a range the number may well fit.
    typed_exponent = False

    def unreadable(self, plain) -> str:
        """The message of the field's range (`LocalNumberRange`), else `plain`; a number
        in exponent notation is asked in digits."""
        self.read_no_number = bool(self.raw_data and self.raw_data[0].strip())
        in_digits = self.read_no_number and digits_wanted(self.raw_data[0])
        self.typed_exponent = in_digits is not None
        if in_digits is not None:
            return in_digits
        for validator in self.validators:
            if isinstance(validator, LocalNumberRange):
                try:  # nothing read: the range refuses it with its own words
                    validator(None, _NothingRead)
                except ValidationError as refusal:
                    return str(refusal)
        return str(plain)


# A number in exponent notation as typed: "1e3", "2,5E-2", "1.5 e 6".
_EXPONENT = re.compile(r"([+-]?[0-9.,]*[0-9][0-9.,]*)[eE]([+-]?[0-9]{1,4})")


def digits_wanted(typed: str) -> str | None:
    """For a number typed in exponent notation ("1e3"), which the portal does not read
    (a slip of the keyboard as often as a choice), the message asking for it in digits,
    with those digits when they are plain ("1 000 rather than 1e3"); None for any other
    text."""
    compact = re.sub(r"\s", "", typed)
    match = _EXPONENT.fullmatch(compact)
    if match is None:
        return None
    try:
        value = Decimal(repr(parse_local_number(match.group(1)))).scaleb(int(match.group(2)))
    except (ValueError, InvalidOperation):  # '1.000e3' in French reads two ways
        value = None
    if value is None or not Decimal("0.000001") <= abs(value) < Decimal("1e15"):
        return _("Type the number in digits: %(typed)s is not read.", typed=compact)
    return _(
        "Type the number in digits: %(digits)s rather than %(typed)s.",
        digits=format_number(value, "#,##0.######"),
        typed=compact,
    )


class _NothingRead:
    """What a range validator reads of a field whose text was no number."""

    data = None


class FiniteDecimalField(_RangeWhenUnreadable, DecimalField):
    """A decimal typed as the reader writes it ('0,5' in French) that refuses NaN and
    infinities ("sNaN" would crash NumberRange); text that is not a number says so once,
    with the field's range ("Enter a number from 0.001 to 100,000.")."""

    _value = local_number_value
    widget = LocalNumberInput()

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            # '0,5' as a French reader types it; "1e3", "NaN" or words are no number
            try:
                valuelist = [repr(parse_local_number(valuelist[0]))]
            except AmbiguousNumber as ambiguous:  # '1.000' in French: a thousand, or one?
                self.data = None
                raise ValueError(str(ambiguous)) from None
            except ValueError:
                self.data = None
                raise ValueError(self.unreadable(_("Enter a number."))) from None
        try:
            super().process_formdata(valuelist)
        except ValueError:
            # DecimalField's "Not a valid decimal value." reads like a programmer's word
            raise ValueError(self.unreadable(_("Enter a number."))) from None
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.unreadable(_("Enter a number.")))

    def pre_validate(self, form):
        # Typed but not a number: its range would add a second, less accurate message.
        # Left empty, Optional() decides (it clears the parse error).
        if self.process_errors and self.raw_data and self.raw_data[0].strip():
            raise StopValidation()


class RuleForm(Form):
    """One action type's participation in a campaign (a sub-form: no CSRF of its own)."""

    class Meta:
        def get_translations(self, form):
            # A plain Form speaks English: WTForms' own messages in the reader's language,
            # as in the FlaskForm around it.
            return translations

    action_type_id = HiddenField()
    enabled = BooleanField(_l("Counts in this campaign"))
    points_per_unit = FiniteDecimalField(
        _l("Points per unit"),
        places=None,
        validators=[Optional(), LocalNumberRange(min=0, max=10_000)],
    )
    daily_cap = FiniteDecimalField(
        _l("Daily limit"),
        places=None,
        validators=[Optional(), LocalNumberRange(min=SMALLEST, max=100_000)],
    )

    # The type's unit (`CampaignForm.name_cap_units`): a cap in items or devices is whole.
    unit = None

    def validate(self, extra_validators=None) -> bool:
        """Both figures are needed of a type that counts: left empty, they were saved as
        0 points and a cap of 1, with no word said. Its points are more than 0: an entry
        scoring nothing is refused, yet at 0 points a type counted entries of 0 points. A
        cap in items or devices is whole, as their goals and entries are."""
        valid = super().validate(extra_validators)
        if not self.enabled.data:
            return valid
        for field in (self.points_per_unit, self.daily_cap):
            if field.data is None and not field.errors:
                field.errors = [*field.errors, _l("Enter a figure for a type that counts.")]
                valid = False
        checks = [(self.points_per_unit, _COUNTING_POINTS)]
        if self.unit is not None and self.unit != "GB":
            checks.append((self.daily_cap, _WHOLE_CAP))
        for field, check in checks:
            # Text that is no number, or a figure out of the field's own wider range, is
            # told the range a type that counts takes: "from 0 to 10,000" for points,
            # then "from 0.001" once 0 was typed, left the organiser guessing.
            if (field.data is None and not field.read_no_number) or field.typed_exponent:
                continue
            try:
                check(self, field if field.data is not None else _NothingRead)
            except ValidationError as refusal:
                field.errors = [str(refusal)]
                valid = False
        return valid


class _WholeNumberRange(LocalNumberRange):
    """A range whose bounds are whole, refusing a fraction with its range's message."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if field.data != int(field.data):
            super().__call__(form, _NothingRead)


# What a type that counts takes: its own range message, as the other number fields.
_COUNTING_POINTS = LocalNumberRange(min=SMALLEST, max=10_000)
_WHOLE_CAP = _WholeNumberRange(
    min=1, max=100_000, message=_l("Enter a whole number from %(min)s to %(max)s.")
)


def _goal_field(label):
    return FiniteDecimalField(
        label,
        places=None,
        validators=[Optional(), LocalNumberRange(min=SMALLEST, max=1_000_000_000)],
    )


class WholeNumberField(_RangeWhenUnreadable, LocalIntegerField):
    """A whole number typed the reader's way; text, or 2.5, is told the field's range."""

    @property
    def unreadable_message(self) -> str:
        return self.unreadable(_("Enter a whole number."))


def _counted_goal_field(label):
    """A goal counted in whole things (newsletters, devices, people): 2.5 is refused."""
    return WholeNumberField(
        label,
        validators=[
            Optional(),
            LocalNumberRange(
                min=1,
                max=1_000_000_000,
                message=_l("Enter a whole number from %(min)s to %(max)s."),
            ),
        ],
    )


class CampaignForm(PortalForm):
    """A campaign as organisers create and edit it; a running one's edit form shows and
    reads its names and descriptions only (`WORDING`, `wording_valid`)."""

    # An empty name says what to type and why, not only "This field is required."
    name_fr = StringField(
        _l("Name (French)"),
        validators=[
            DataRequired(
                _l(
                    "Give the campaign's name in French: it shows to staff who read "
                    "the portal in French."
                )
            ),
            Length(max=160),
        ],
    )
    name_en = StringField(
        _l("Name (English)"),
        validators=[
            DataRequired(
                _l(
                    "Give the campaign's name in English: it shows to staff who read "
                    "the portal in English."
                )
            ),
            Length(max=160),
        ],
    )
    description_fr = TextAreaField(_l("Description (French)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])
    # The edit form: the campaign's version when the form was shown (services.
    # campaign_version), so that a save from a form another save has overtaken is refused.
    version = HiddenField()
    starts_at = DateTimeLocalField(
        _l("Starts (%(zone)s)", zone=lazy_zone_label),
        format=DATETIME_FORMAT,
        # Empty, it says what to enter, not only "This field is required."
        validators=[
            InputRequired(_l("Give the start date and time (%(zone)s).", zone=lazy_zone_label)),
            ExistingLocalTime(),
        ],
    )
    ends_at = DateTimeLocalField(
        _l("Ends (%(zone)s)", zone=lazy_zone_label),
        format=DATETIME_FORMAT,
        # Empty, it says what to enter, not only "This field is required."
        validators=[
            InputRequired(_l("Give the end date and time (%(zone)s).", zone=lazy_zone_label)),
            ExistingLocalTime(),
        ],
    )
    all_departments = BooleanField(_l("Everyone takes part"), default=True)
    departments = MultiCheckboxField(
        _l("Departments in scope (when not everyone)"), coerce=int, validate_choice=True
    )
    goal_gb = _goal_field(_l("Goal: GB freed"))
    goal_items = _counted_goal_field(_l("Goal: items cleaned (newsletters…)"))
    goal_devices = _counted_goal_field(_l("Goal: devices returned"))
    goal_participants = _counted_goal_field(_l("Goal: participants"))
    rules = FieldList(FormField(RuleForm), min_entries=0)
    # One per new-campaign form shown: the same form sent twice creates one campaign.
    form_token = FormTokenField()

    def validate_rules(self, field) -> None:
        """Each line of the action types names one type the form offered, once: a line
        changed by hand (a type sent twice, an unknown one, an extra line) silently
        dropped a ticked type or replaced its figures, or was refused as if none were
        ticked. `type_names` is set by the view that shows the form."""
        offered = getattr(self, "type_names", None)
        if offered is None:
            return
        seen = set()
        for entry in field.entries:
            sent = str(entry.form.action_type_id.data or "").strip()
            if not sent:
                raise ValidationError(
                    _("A line names no action type. Reload the form and tick the types again.")
                )
            kind = offered.get(sent) if sent.isdecimal() else None
            if kind is None:
                raise ValidationError(
                    _(
                        "A line names an action type that does not exist (%(value)s). Reload "
                        "the form and tick the types again.",
                        value=sent[:20],
                    )
                )
            if sent in seen:
                raise ValidationError(
                    _(
                        "The action type “%(name)s” is sent on more than one line. Reload the "
                        "form and tick the types again.",
                        name=kind.name(current_language()),
                    )
                )
            seen.add(sent)

    def name_cap_units(self, types_by_id: dict) -> None:
        """Each action type's daily limit says what it counts: "Daily limit (GB a day)"."""
        for entry in self.rules.entries:
            kind = types_by_id.get(str(entry.form.action_type_id.data))
            if kind is not None:
                entry.form.daily_cap.label.text = cap_label(kind.unit)
                entry.form.unit = kind.unit

    #: What a running campaign's edit form sends: its rules, dates, scope and goals are
    #: fixed once entries rest on them (services.correct_campaign_wording).
    WORDING = WORDING_FIELDS

    def wording_valid(self) -> bool:
        """Sent, and its names and descriptions (with the CSRF token) valid: the other
        fields, which a running campaign's form does not show, are not read."""
        if not self.is_submitted():
            return False
        checked = [self[name] for name in (*self.WORDING, "version", "csrf_token") if name in self]
        valid = [field.validate(self) for field in checked]  # each field's errors, not the first's
        return all(valid)

    def wording_data(self) -> dict:
        """The names and descriptions in the shape the services expect."""
        return {
            "name_fr": self.name_fr.data.strip(),
            "name_en": self.name_en.data.strip(),
            "description_fr": self.description_fr.data or "",
            "description_en": self.description_en.data or "",
        }

    def campaign_data(self) -> dict:
        """The validated values in the shape the services expect."""
        rules = []
        for entry in self.rules.entries:
            sub = entry.form
            # A hidden field: anything but a number (typed by hand) names no action type.
            if sub.enabled.data and str(sub.action_type_id.data or "").isdecimal():
                rules.append(
                    {
                        "action_type_id": int(sub.action_type_id.data),
                        "points_per_unit": float(sub.points_per_unit.data or 0),
                        "daily_cap": float(sub.daily_cap.data or 1),
                    }
                )
        return {
            **self.wording_data(),
            "starts_at": to_utc(self.starts_at.data),
            "ends_at": end_to_utc(self.ends_at.data),
            "all_departments": bool(self.all_departments.data),
            "department_ids": list(self.departments.data or []),
            "goals": {
                "GB": float(self.goal_gb.data or 0),
                "items": float(self.goal_items.data or 0),
                "devices": float(self.goal_devices.data or 0),
                "participants": float(self.goal_participants.data or 0),
            },
            "rules": rules,
        }


def cap_label(unit: str, default: bool = False) -> str:
    """A daily cap's label naming its unit, in the reader's language (in a request)."""
    if default:
        return _("Default daily limit (%(unit)s a day)", unit=unit_label(unit))
    return _("Daily limit (%(unit)s a day)", unit=unit_label(unit))


def _factor_field(label):
    return FiniteDecimalField(
        label, places=None, validators=[Optional(), LocalNumberRange(min=0, max=1_000)]
    )


class ActionTypeForm(PortalForm):
    """An action type's guide, defaults and CO2 factor, as organisers edit them. Its unit
    is not here: entries already logged were counted in it."""

    # The guide's version when the form was shown (its `edit_version`): a save from a
    # form another save has overtaken is refused (services.update_action_type).
    version = HiddenField()
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=160)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=160)])
    guide_fr = TextAreaField(_l("Guide (French)"), validators=[Length(max=5000)])
    guide_en = TextAreaField(_l("Guide (English)"), validators=[Length(max=5000)])
    points_per_unit = FiniteDecimalField(
        _l("Default points per unit"),
        places=None,
        validators=[InputRequired(), LocalNumberRange(min=0, max=10_000)],
        description=_l("New campaigns start from it; a campaign keeps its own."),
    )
    daily_cap = FiniteDecimalField(
        _l("Default daily limit"),
        places=None,
        validators=[InputRequired(), LocalNumberRange(min=SMALLEST, max=100_000)],
    )
    flag_above = FiniteDecimalField(
        _l("An entry above this is reviewed by an organiser"),
        places=None,
        validators=[InputRequired(), LocalNumberRange(min=SMALLEST, max=1_000_000)],
    )
    max_quantity = FiniteDecimalField(
        _l("An entry above this is refused"),
        places=None,
        validators=[InputRequired(), LocalNumberRange(min=SMALLEST, max=1_000_000)],
    )
    kg_co2e_per_unit = _factor_field(_l("Estimated kg CO₂e per unit"))
    kg_co2e_low = _factor_field(_l("Low estimate (kg CO₂e per unit)"))
    kg_co2e_high = _factor_field(_l("High estimate (kg CO₂e per unit)"))
    factor_source = StringField(
        _l("Source of the factor"),
        validators=[Length(max=300)],
        description=_l("The data set and its version, or a citation."),
    )
    caveat_fr = TextAreaField(_l("Caveat (French)"), validators=[Length(max=2000)])
    caveat_en = TextAreaField(_l("Caveat (English)"), validators=[Length(max=2000)])

    def action_type_data(self) -> dict:
        """The validated values in the shape the services expect."""

        def number(field):
            return None if field.data is None else float(field.data)

        return {
            "name_fr": self.name_fr.data.strip(),
            "name_en": self.name_en.data.strip(),
            "guide_fr": (self.guide_fr.data or "").strip(),
            "guide_en": (self.guide_en.data or "").strip(),
            "points_per_unit": number(self.points_per_unit),
            "daily_cap": number(self.daily_cap),
            "flag_above": number(self.flag_above),
            "max_quantity": number(self.max_quantity),
            "kg_co2e_per_unit": number(self.kg_co2e_per_unit),
            "kg_co2e_low": number(self.kg_co2e_low),
            "kg_co2e_high": number(self.kg_co2e_high),
            "factor_source": (self.factor_source.data or "").strip(),
            "caveat_fr": (self.caveat_fr.data or "").strip(),
            "caveat_en": (self.caveat_en.data or "").strip(),
        }


QUANTITY_MAX_LENGTH = 30


def _quantity_length():
    """The longest quantity typed, on the log form and an entry's correction alike (its
    `maxlength`); longer text is no number, and says so as other text does."""
    return Length(max=QUANTITY_MAX_LENGTH, message=_l("Enter the quantity as a number."))


class LogActionForm(PortalForm):
    action_type = SelectField(_l("What did you do?"), validators=[DataRequired()])
    # Its hint names the unit of the chosen action type (cleanup/_log_unit_hint.html).
    quantity = StringField(_l("How much?"), validators=[DataRequired(), _quantity_length()])


class CorrectActionForm(PortalForm):
    # "My entries" renders this field by hand: its maxlength is QUANTITY_MAX_LENGTH too.
    quantity = StringField(_l("Quantity"), validators=[DataRequired(), _quantity_length()])


class ExtendForm(PortalForm):
    ends_at = DateTimeLocalField(
        _l("New end (%(zone)s)", zone=lazy_zone_label),
        format=DATETIME_FORMAT,
        # Empty, it says what to enter, not only "This field is required."
        validators=[
            InputRequired(_l("Give the new end date and time (%(zone)s).", zone=lazy_zone_label)),
            ExistingLocalTime(),
        ],
    )
    # Ticked by default: the launch e-mail gave the old end, and only the reminders move.
    notify = BooleanField(_l("Tell the participants"), default=True)


class EndNowForm(PortalForm):
    """Ending a running campaign before its planned end: why, for its participants."""

    reason = TextAreaField(  # a text area on the page: its lines are kept
        _l("Why it ends early (shown to participants)"),
        filters=[single_line_breaks],
        validators=[
            DataRequired(_l("Say why the campaign ends early: participants read it on its page.")),
            Length(max=500),
        ],
    )


class ReviewForm(PortalForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("accept", _l("Accept")), SelectChoice("reject", _l("Reject"))],
        validators=[DataRequired()],
    )
    reason = TextAreaField(  # a text area on the page: its lines are kept
        _l("Reason shown to the participant"),
        filters=[single_line_breaks],
        validators=[Length(max=500)],
    )
    # A change of the decision taken: the one the organiser saw ("accepted" or
    # "rejected"), refused if it is no longer the entry's. Empty for a first decision.
    was = HiddenField(validators=[Optional(), AnyOf(("accepted", "rejected"))])
