"""Sign-in and profile forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.auth.models import TOKEN_NAME_LENGTH, TokenScope
from app.auth.services import api_token_name_taken
from app.core.audit import CONSENT_HINT, CONSENT_LABEL
from app.core.forms import PortalForm, choices, valid_email, visible_text

# The shortest and longest password the portal accepts (`flask users create` too).
PASSWORD_LENGTH = (10, 200)

# The portal's own words for what WTForms would say in its stock sentences ("This field
# is required.", "Field must be between 10 and 200 characters long.").
ENTER_EMAIL = _l("Enter your e-mail address.")
EMAIL_TOO_LONG = _l("An e-mail address holds at most %(max)d characters.")
PASSWORD_TOO_LONG = _l("A password holds at most %(max)d characters.")


def _email_validators() -> list:
    return [
        DataRequired(message=ENTER_EMAIL),
        valid_email(),
        Length(max=254, message=EMAIL_TOO_LONG),
    ]


class SignInForm(PortalForm):
    # The label of the link form's field too: one address, said alike in both forms.
    email = EmailField(_l("Your work e-mail"), validators=_email_validators())
    password = PasswordField(
        _l("Password"),
        validators=[
            # Most staff have none: the form asking for a link is above this one.
            DataRequired(
                message=_l("Enter your password. No password? Ask for a sign-in link above.")
            ),
            Length(max=PASSWORD_LENGTH[1], message=PASSWORD_TOO_LONG),
        ],
    )


class SignInLinkForm(PortalForm):
    """Ask for a one-time sign-in link by e-mail (prefixed `link-`: it shares the sign-in
    page with the password form)."""

    email = EmailField(_l("Your work e-mail"), validators=_email_validators())


HIDDEN_WITH_TEAM = _l("Hidden (my points still count for my department)")
# Without a department, the points count in the campaigns' totals only.
HIDDEN_WITHOUT_TEAM = _l("Hidden (my points still count in the campaigns' totals)")


class PreferencesForm(PortalForm):
    locale = RadioField(
        _l("Language"),
        choices=choices([("fr", "Français"), ("en", "English")]),
        validators=[DataRequired(message=_l("Choose a language."))],
    )
    visibility = RadioField(
        _l("On leaderboards, show me as"),
        choices=choices(
            [
                ("pseudonym", _l("My pseudonym")),
                ("name", _l("My name")),
                ("hidden", HIDDEN_WITH_TEAM),
            ]
        ),
        validators=[DataRequired(message=_l("Choose how leaderboards show you."))],
    )
    # Its words are those each consent event keeps the version of (`app.core.audit`).
    email_opt_in = BooleanField(CONSENT_LABEL, description=CONSENT_HINT)
    # Its choices are the communes (`fit_to`): "" for the department's (none without one).
    commune = SelectField(_l("Work commune"), choices=[])

    def fit_to(self, user, communes, none_label) -> "PreferencesForm":
        """The form as this person reads it: the communes to choose from (`none_label`
        first, for their department's or, without one, none), and the hidden choice worded for a person without
        a team. A form sent from a page that had no commune field (opened before it was
        there) leaves the commune as it is rather than refuse the rest."""
        self.commune.choices = choices(
            [("", none_label), *((str(commune.id), commune.name) for commune in communes)]
        )
        self.commune.validate_choice = bool(self.commune.raw_data)
        if user.department is None:
            self.visibility.choices = choices(
                [
                    (value, HIDDEN_WITHOUT_TEAM if value == "hidden" else label)
                    for value, label, *_rest in self.visibility.iter_choices()
                ]
            )
        return self

    def chosen_commune_id(self) -> int | None:
        """The commune chosen, None for the department's (none without one)."""
        return int(self.commune.data) if self.commune.data else None


class NewPasswordForm(PortalForm):
    """A new password, right after signing in with a link sent by e-mail: owning the
    mailbox was just proved, so the old password is not asked (it may be forgotten)."""

    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Enter your new password.")),
            Length(
                min=PASSWORD_LENGTH[0],
                message=_l("Your new password needs at least %(min)d characters."),
            ),
            Length(max=PASSWORD_LENGTH[1], message=PASSWORD_TOO_LONG),
        ],
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(message=_l("Type your new password again.")),
            EqualTo("new_password", message=_l("The passwords differ.")),
        ],
    )


class PasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(message=_l("Enter your current password.")),
            Length(max=PASSWORD_LENGTH[1], message=PASSWORD_TOO_LONG),
        ],
    )


class TokenForm(PortalForm):
    """A new token's name and scope; given its `owner`, a name one of their active tokens
    bears is refused."""

    name = StringField(
        _l("Token name"),
        filters=[visible_text],
        validators=[
            DataRequired(message=_l("Give the token a name.")),
            Length(
                max=TOKEN_NAME_LENGTH,
                message=_l("A token's name holds at most %(max)d characters."),
            ),
        ],
        description=_l("e.g. my script"),
    )
    # Least privilege: reading only unless the person chooses more.
    scope = RadioField(
        _l("What the token may do"),
        choices=choices(
            [
                (TokenScope.READ.value, _l("Read only")),
                (TokenScope.READ_WRITE.value, _l("Read and write")),
            ]
        ),
        default=TokenScope.READ.value,
        validators=[
            DataRequired(message=_l("Choose what the token may do: read only, or read and write."))
        ],
        description=_l(
            "A read-only token can look up data but not change it: enough for a dashboard "
            "or a report. Give writing only to a script that logs or changes something."
        ),
    )

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def validate_name(self, field):
        """Two "Revoke my script" buttons could not be told apart."""
        if self.owner is not None and api_token_name_taken(self.owner, field.data):
            raise ValidationError(_l("You already have a token with this name: choose another."))


class ConfirmForm(PortalForm):
    """A form with nothing but its CSRF token, for buttons that change state."""


class SignOutEverywhereForm(PortalForm):
    """Every session ends; the person's API tokens too only when they tick the box (a
    program of theirs would otherwise stop without warning)."""

    revoke_tokens = BooleanField(
        _l("Also revoke my API tokens: the programs using them lose access at once")
    )


class ErasureForm(PortalForm):
    """The person confirms they want their account and personal data erased."""

    confirm = BooleanField(
        _l("I understand that my account and my personal data will be erased for good"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class DepartmentForm(PortalForm):
    """A person's department, changed by an admin between two staff directory imports:
    the choices are the departments (`fit_to`), "" for none."""

    department = SelectField(
        _l("Department"),
        description=_l(
            "Between two imports of the staff directory, which sets it again from its file. "
            "The work commune follows the department's, unless the person chose another."
        ),
        choices=[],
        # Refused in the portal's words (`validate_department`), not WTForms' stock one.
        validate_choice=False,
    )

    def fit_to(self, departments, none_label) -> "DepartmentForm":
        """The form with the departments to choose from ((id, name) pairs), `none_label`
        for none."""
        self.department.choices = choices(
            [("", none_label), *((str(id_), name) for id_, name in departments)]
        )
        return self

    def validate_department(self, field):
        """One of the departments offered, or none."""
        offered = {str(choice[0]) for choice in field.iter_choices()}
        if (field.data or "") not in offered:
            raise ValidationError(_l("Choose a department from the list."))

    def chosen_department_id(self) -> int | None:
        """The department chosen, None for none."""
        return int(self.department.data) if self.department.data else None
