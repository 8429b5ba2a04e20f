"""Forms of the recycling domain (HTML and JSON API alike)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.core.devices import DEVICE_TYPES
from app.core.forms import FormTokenField, LocalFloatField, MultiCheckboxField, PortalForm
from app.core.urls import database_id
from app.recycling import hours
from app.recycling.models import CORRECTABLE_FIELDS, CORRECTION, RECEIPT_UNDONE, WALK_IN
from app.recycling.services import (
    HANDOVER_SLIP_LENGTH,
    ONE_WIPE_CHOICE,
    RECIPIENT_LENGTH,
    UNDO_REASON_LENGTH,
    UNDO_REASON_MISSING,
    hours_problem,
)

# What an inventory label can hold (BM-PRI-001574, "PC 0042", 2024/117): letters and digits,
# joined by hyphens, dots, slashes, underscores or spaces (compared without them).
ASSET_TAG = r"^[A-Za-z0-9](?:[A-Za-z0-9./_ -]*[A-Za-z0-9])?$"
ASSET_TAG_LENGTH = 40  # the longest label issued; the column holds 64


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def condition_choices():
    return [("working", _l("Working")), ("broken", _l("Broken"))]


def outcome_choices():
    return [
        ("reused", _l("Reused inside the administration")),
        ("donated", _l("Donated")),
        ("refurbished", _l("Refurbished")),
        ("recycled", _l("Recycled")),
    ]


def outcome_label(key: str) -> str | None:
    """An outcome's label in the reader's language; None for anything else."""
    label = dict(outcome_choices()).get(key)
    return str(label) if label is not None else None


def status_choices():
    return [
        ("declared", _l("Declared")),
        ("received", _l("Received by an agent")),
        ("wiped", _l("Data wiped")),
        *outcome_choices(),
        ("withdrawn", _l("Withdrawn by the person")),
        ("not_brought", _l("Closed: the device never came")),
    ]


# A walk-in whose receipt an agent undid (`services.undone_status`): withdrawn, by no
# person of its own, neither "by you" nor "by the person", whoever reads it.
WALK_IN_WITHDRAWN_LABEL = _l("Withdrawn by an agent")


def step_choices():
    """The custody steps as the chain of custody names them: the statuses, and the steps
    that are never a status (an undone receipt, a correction, a walk-in's first)."""
    return [
        *status_choices(),
        (RECEIPT_UNDONE, _l("Receipt undone")),
        (CORRECTION, _l("Correction")),
        (WALK_IN, _l("Brought without a declaration")),
    ]


def wipe_choices():
    return [
        ("n", _l("I wiped it myself")),
        ("y", _l("Ask the agent for a certified wipe")),
    ]


def wipe_status_choices():
    """What became of a return's data (WIPE_STATUSES), as its owner's export names it."""
    return [
        ("not_needed", _l("No certified wipe to do")),
        ("requested", _l("Certified wipe requested, not done yet")),
        ("done", _l("Certified wipe done")),
    ]


def wipe_method_choices():
    return [
        ("software_overwrite", _l("Software overwrite (certified tool)")),
        ("crypto_erase", _l("Cryptographic erase")),
        ("factory_reset", _l("Factory reset (phones, tablets, printers)")),
        ("physical_destruction", _l("Physical destruction of the storage")),
    ]


def walk_in_data_choices():
    """The data question of a walk-in, as the agent answers it for the person: a wipe on
    the person's word worded as the return's page, the receipt and the hand-over say it
    afterwards (`handover.data_line`), one sentence everywhere."""
    return [
        ("n", _l("Wiped before it was brought, as said at the desk")),
        ("y", _l("Certified wipe to do at the point")),
    ]


def asset_tag_field() -> StringField:
    """The optional asset tag, as the return form and the desk's walk-in ask it."""
    return StringField(
        _l("Asset tag (optional)"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(
                max=ASSET_TAG_LENGTH,
                message=_l("An asset tag holds at most %(max)d characters."),
            ),
            Regexp(
                ASSET_TAG,
                # "Letters" alone left « ÉÈ-001 » unexplained: inventory tags are ASCII.
                message=_l(
                    "An asset tag holds letters A to Z without accents, digits, hyphens, "
                    "dots, slashes, underscores and spaces only, e.g. BM-PRI-001574."
                ),
            ),
        ],
        description=_l("The inventory label on the device, e.g. BM-PRI-001574."),
    )


class WipeAnswer:
    """The data question as one choice (`wipe_requested`: "y" a certified wipe, "n" wiped
    before), read as the services' two flags."""

    def validate_wipe_requested(self, field):
        """Both answers at once (a crafted request) are refused, not one picked at random."""
        if len(field.raw_data) > 1:
            raise ValidationError(str(ONE_WIPE_CHOICE))

    @property
    def wipe_flags(self) -> dict:
        """The choice as the service's two flags, data_wiped and wipe_requested."""
        choice = self.wipe_requested.data
        return {"data_wiped": choice == "n", "wipe_requested": choice == "y"}


class ReturnForm(WipeAnswer, PortalForm):
    """Declare a device return: a few taps on a phone."""

    collection_point_id = SelectField(
        _l("Collection point"),
        coerce=database_id,
        validators=[InputRequired(message=_l("Choose a collection point."))],
        validate_choice=False,  # the service explains a closed or unknown point
    )
    device_type = RadioField(
        _l("Device type"),
        choices=choices((key, kind.label) for key, kind in DEVICE_TYPES.items()),
        validators=[InputRequired(message=_l("Choose a device type."))],
    )
    condition = RadioField(
        _l("Condition"),
        choices=choices(condition_choices()),
        validators=[InputRequired(message=_l("Say whether the device works."))],
    )
    asset_tag = asset_tag_field()
    # One choice, not two boxes that could both be ticked: "y" asks for the certified
    # wipe (the value the former checkbox sent), "n" attests the person wiped it.
    wipe_requested = RadioField(
        _l("Data on the device"),
        choices=choices(wipe_choices()),
        validators=[Optional()],  # required for data-bearing types only: the service says so
    )

    # One per form shown: the same form sent twice (a double click, Back then Send) is
    # one declaration (services.receipt_number_for_form); the form filled again, another.
    form_token = FormTokenField()
    # The receipt a second, identical device is declared after (the receipt's "Declare a
    # second one"): within services.REPEAT_WINDOW the same answers are otherwise taken as
    # that declaration sent again.
    another_than = HiddenField()
    # The running clean-up campaigns, not yet joined, the person ticks to count this
    # return in (their ids; the return form lists them, unticked). Never their choice
    # made for them: a return alone must not put anyone on a leaderboard.
    count_in = SelectMultipleField(validate_choice=False)

    @property
    def campaigns_chosen(self) -> tuple[int, ...]:
        """The campaign ids ticked (any other value ignored: only the offered campaigns
        are counted in, `cleanup.services.log_device_return`)."""
        return tuple(int(v) for v in (self.count_in.data or [])[:20] if str(v).isdigit())


class WalkInForm(WipeAnswer, PortalForm):
    """A device brought to the desk without a declaration (`walk_in.record_walk_in`): its
    point's accepted types only (`walk_in_form_for`); the service says what it refuses."""

    device_type = RadioField(
        _l("Device type"),
        choices=[],
        validators=[InputRequired(message=_l("Choose a device type."))],
        validate_choice=False,  # a type the point does not take is named by the service
    )
    condition = RadioField(
        _l("Condition"),
        choices=choices(condition_choices()),
        validators=[InputRequired(message=_l("Say whether the device works."))],
        validate_choice=False,  # said by the service, with the other refusals
    )
    asset_tag = asset_tag_field()
    wipe_requested = RadioField(
        _l("Data on the device"),
        choices=choices(walk_in_data_choices()),
        validators=[Optional()],  # required for data-bearing types only: the service says so
        validate_choice=False,
    )
    owner = StringField(
        _l("Whose device is it? Staff number or e-mail address (optional)"),
        validators=[Optional(), Length(max=254)],
        description=_l(
            "An active account: its holder finds the device among their returns and is told "
            "of each step. Leave empty when nobody is known: the device is recorded without "
            "an owner."
        ),
    )
    # One per form shown: sent twice, it records one walk-in (`walk_in.already_recorded`).
    form_token = FormTokenField()


def walk_in_form_for(point, **kwargs) -> WalkInForm:
    """The walk-in form offering the device types this point accepts, in their order."""
    form = WalkInForm(**kwargs)
    accepted = point.accepted_device_types if point is not None else []
    form.device_type.choices = choices(
        (key, DEVICE_TYPES[key].label) for key in accepted if key in DEVICE_TYPES
    )
    return form


class ConfirmForm(PortalForm):
    """A button that only carries the CSRF token."""


class UndoReceiptForm(PortalForm):
    """Why an agent undoes a receipt recorded by mistake: kept in the signed step."""

    reason = StringField(
        _l("Why is this receipt undone?"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(message=UNDO_REASON_MISSING),
            Length(max=UNDO_REASON_LENGTH),
        ],
        description=_l(
            "For example: wrong row clicked. Shown to the device's owner in its chain of "
            "custody, and erased with their personal data."
        ),
        id="undo-reason",
    )


class CorrectionForm(PortalForm):
    """An agent corrects a value signed in an earlier step: which one (`<step id>:<field>`,
    offered by `correction_choices`), the correct value and why. The service checks
    each (`services.check_correction`) and says at its field what refuses it."""

    field = SelectField(_l("Value to correct"), validate_choice=False, id="correction-field")
    new_value = StringField(
        _l("Correct value"),
        description=_l("Shown to the device's owner in its chain of custody."),
        id="correction-value",
    )
    reason = StringField(
        _l("Why is it corrected?"),
        description=_l(
            "For example: a digit typed wrong. Signed with the correction and shown to the "
            "device's owner; erased with their personal data."
        ),
        id="correction-reason",
    )


def corrected_field_choices():
    """The values a correction step may correct (CORRECTABLE_FIELDS), named."""
    return [
        ("certificate_number", _l("Wipe certificate number")),
        ("handover_slip", _l("Hand-over slip number")),
        ("recipient", _l("Received by (organisation)")),
    ]


def correction_choices(steps) -> list[tuple[str, str]]:
    """The values a return's chain offers to correct, each with its value as it stands."""
    labels = dict(corrected_field_choices())
    return [
        (f"{step.id}:{name}", f"{labels[name]} ({step.current(name) or '–'})")
        for step in steps
        for name in CORRECTABLE_FIELDS[step.step]
    ]


class ErasedOwnerUndoForm(PortalForm):
    """Undoing the receipt of a return whose owner was erased: no reason is typed, as
    nothing would erase it (services.ERASED_OWNER_UNDO_REASON is recorded)."""


def undo_form_for(device_return, **kwargs) -> PortalForm:
    """The undo form of this return: with a typed reason, unless its owner was erased."""
    if device_return.user_id is None:
        return ErasedOwnerUndoForm(**kwargs)
    return UndoReceiptForm(**kwargs)


class WipeDateField(DateField):
    """A date whose unreadable value (a year of five digits) is refused as such: with
    DataRequired, WTForms would say "required" under the value typed."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                str(_l("Enter a real date, with a year of four digits, between the day the "
                       "device was received and today."))
            ) from None  # fmt: skip


class WipeForm(PortalForm):
    # No method chosen in advance: the first one offered, left as it was, could be signed for
    # a drive the agent had destroyed, and a signed step is never corrected.
    method = SelectField(
        _l("Wipe method"),
        choices=choices(wipe_method_choices()),
        validators=[InputRequired(message=_l("Choose a wipe method."))],
        validate_choice=False,  # the service says which methods fit the device
    )
    # InputRequired, not DataRequired: an unreadable date keeps its own message.
    wipe_date = WipeDateField(
        _l("Date of the wipe"),
        validators=[
            InputRequired(
                _l("Enter the date of the wipe: today or an earlier day, not before the receipt.")
            )
        ],
    )
    certificate_number = StringField(
        _l("Certificate number"),
        validators=[
            DataRequired(message=_l("Enter the wipe certificate number.")),
            Length(max=64),
        ],
        # Quoted in the owner's chain of custody, like an outcome's note: said here.
        description=_l("Shown to the device's owner in its chain of custody."),
    )


def wipe_form_for(device_type: str, **kwargs) -> WipeForm:
    """The wipe form offering only the methods that fit this type of device."""
    form = WipeForm(**kwargs)
    fitting = DEVICE_TYPES[device_type].wipe_methods if device_type in DEVICE_TYPES else ()
    offered = [(k, v) for k, v in wipe_method_choices() if k in fitting]
    form.method.choices = choices([("", _l("Choose the method used")), *offered])
    return form


class OutcomeForm(PortalForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=choices(outcome_choices()),
        validators=[InputRequired(message=_l("Choose an outcome."))],
    )
    # Who takes the device away, for the outcomes that hand it over (the service requires
    # it there, and refuses it for a device reused inside the administration).
    recipient = StringField(
        _l("Received by (organisation)"),
        validators=[Optional(), Length(max=RECIPIENT_LENGTH)],
        description=_l(
            "Required when the device is donated, refurbished or recycled: the organisation "
            "it is handed over to. Signed with the outcome and shown to the device's owner."
        ),
    )
    handover_slip = StringField(
        _l("Hand-over slip number (optional)"),
        validators=[Optional(), Length(max=HANDOVER_SLIP_LENGTH)],
        description=_l("The number of the slip or waybill the organisation signed."),
    )
    note = StringField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=250)],
        description=_l(
            "For example: battery taken out before recycling, or the department it went "
            "back to. Shown to the device's owner in its chain of custody, and erased with "
            "their personal data."
        ),
    )


class PointForm(PortalForm):
    """Create or edit a collection point."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    commune_id = SelectField(_l("Commune"), coerce=database_id, validators=[InputRequired()])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=250)])
    latitude = LocalFloatField(
        _l("Latitude"), validators=[InputRequired(), NumberRange(min=-90, max=90)]
    )
    longitude = LocalFloatField(
        _l("Longitude"), validators=[InputRequired(), NumberRange(min=-180, max=180)]
    )
    opening_hours = StringField(
        _l("Opening hours"),
        validators=[DataRequired(), Length(max=250)],
        filters=[hours.tidy],
        description=_l("OpenStreetMap syntax, e.g. Mo-Fr 08:30-12:00,13:30-17:00; PH off"),
    )
    accepted_types = MultiCheckboxField(
        _l("Accepted device types"),
        choices=choices((key, kind.label) for key, kind in DEVICE_TYPES.items()),
        validators=[DataRequired(message=_l("Choose at least one device type."))],
    )
    directions_fr = TextAreaField(_l("How to get there (French)"), validators=[Length(max=2000)])
    directions_en = TextAreaField(_l("How to get there (English)"), validators=[Length(max=2000)])
    agent_ids = MultiCheckboxField(_l("Agents of this point"), coerce=int)
    # The point's edit version the form was opened on (`services.point_version`).
    version = HiddenField()

    def validate_opening_hours(self, field):
        """Checked with the other fields (the service checks again), so one submit
        reports wrong hours along with a missing device type."""
        if reason := hours_problem(field.data or ""):
            raise ValidationError(reason)


class CloseForm(PortalForm):
    closure_note = StringField(
        # Said where it is shown: the desk, a return and the receipt of a declaration there,
        # the return form and the poster.
        _l("Note shown to staff, to its agents and on the poster (optional)"),
        validators=[Optional(), Length(max=250)],
        id="closure-note",
    )
