"""Sign-in and profile forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PreferencesForm(FlaskForm):
    locale = RadioField(
        _l("Language"),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
        validators=[DataRequired()],
    )
    visibility = RadioField(
        _l("On leaderboards, show me as"),
        choices=[
            SelectChoice("pseudonym", _l("My pseudonym")),
            SelectChoice("name", _l("My name")),
            SelectChoice("hidden", _l("Nobody: hide me (my points still count for my team)")),
        ],
        validators=[DataRequired()],
    )
    email_opt_in = BooleanField(_l("Send me encouragement and campaign news by e-mail"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=200)]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=10, max=200)]
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("e.g. my script"),
    )


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""
