"""Forms of the administration pages."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from app.core.admin_services import GRANTABLE_ROLES
from app.core.forms import PortalForm

# The audit log's days: far enough on both sides for any real search, and near enough
# that a day's start and the next day's stay within what a datetime can hold.
FIRST_AUDIT_DAY, LAST_AUDIT_DAY = date(2000, 1, 1), date(2999, 12, 31)


class AuditDateField(DateField):
    """A day of the audit log's filters (YYYY-MM-DD, as date pickers send it). A day that
    cannot be read says so in the reader's language, at the field."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a valid date, as YYYY-MM-DD (e.g. 2026-03-01).")) from None
        if self.data is not None and not FIRST_AUDIT_DAY <= self.data <= LAST_AUDIT_DAY:
            self.data = None
            raise ValueError(
                _l(
                    "Enter a date from %(first)s to %(last)s.",
                    first=FIRST_AUDIT_DAY.isoformat(),
                    last=LAST_AUDIT_DAY.isoformat(),
                )
            )


class AuditFilterForm(PortalForm):
    """Filters of the audit log, read from the query string (no CSRF: a GET changes nothing)."""

    class Meta:
        csrf = False

    action = SelectField(
        _l("Action"), choices=[], validate_choice=False, validators=[Length(max=40)]
    )
    object_type = SelectField(
        _l("Object"), choices=[], validate_choice=False, validators=[Length(max=40)]
    )
    actor = StringField(_l("Changed by (e-mail)"), validators=[Optional(), Length(max=254)])
    text = StringField(
        _l("Containing"),
        description=_l("An item's code, a receipt number, a name…"),
        validators=[Optional(), Length(max=100)],
    )
    since = AuditDateField(_l("From"), validators=[Optional()])
    until = AuditDateField(_l("To (included)"), validators=[Optional()])

    def validate_until(self, field):
        """Dates the wrong way round would find nothing, as if nothing had happened."""
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError(_l("This date comes before the “From” date: swap them."))


class UserSearchForm(PortalForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search by e-mail or name"), validators=[Optional(), Length(max=254)])


ROLE_CHANGES = tuple(f"{verb}:{role}" for verb in ("grant", "revoke") for role in GRANTABLE_ROLES)


class RoleForm(PortalForm):
    """Grant or revoke one role of one person: one form per person, and the pressed
    button carries the change ('grant:agent', 'revoke:organiser')."""

    change = HiddenField(validators=[DataRequired(), AnyOf(ROLE_CHANGES)])

    @property
    def granted(self) -> bool:
        return self.change.data.startswith("grant:")

    @property
    def role(self) -> str:
        return self.change.data.split(":", 1)[1]


class DirectoryForm(PortalForm):
    """The staff directory's CSV export, to bring the accounts in step with it."""

    file = FileField(
        _l("The staff directory's export (CSV, UTF-8)"),
        validators=[
            FileRequired(message=_l("Choose a CSV file.")),
            FileAllowed(["csv"], message=_l("Only .csv files can be imported.")),
        ],
    )
    deactivate_missing = BooleanField(
        _l("Deactivate the people the file no longer lists (not those holding a role)")
    )
    check_only = BooleanField(_l("Only check the file and count what would change"))


class DepartmentsForm(PortalForm):
    """The organisation chart as CSV: departments created or updated by code."""

    file = FileField(
        _l("The departments (CSV, UTF-8)"),
        validators=[
            FileRequired(message=_l("Choose a CSV file.")),
            FileAllowed(["csv"], message=_l("Only .csv files can be imported.")),
        ],
    )
    check_only = BooleanField(_l("Only check the file and count what would change"))


class AccountStatusForm(PortalForm):
    """Deactivate or reactivate one account: the pressed button carries the change."""

    change = HiddenField(validators=[DataRequired(), AnyOf(("deactivate", "reactivate"))])


class StaffNumberForm(PortalForm):
    """An account's staff number, by which the staff directory finds the person (a
    rehire under a new number is found again once their account has it)."""

    staff_number = StringField(
        _l("Staff number"),
        description=_l(
            "As the staff directory's file gives it (its staff_number column). Leave "
            "empty to remove it."
        ),
        validators=[
            Optional(),
            Length(max=32, message=_l("A staff number has at most 32 printable characters.")),
        ],
    )

    def validate_staff_number(self, field):
        """As the directory's import reads the column: printable characters only."""
        if field.data and not field.data.isprintable():
            raise ValidationError(_l("A staff number has at most 32 printable characters."))


class DirectoryConfirmForm(PortalForm):
    """The confirmation of a directory import that deactivates people: the token of the
    file kept on the server and the number of people the admin saw."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{32}$")])
    deactivating = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
