"""Messaging forms: templates, preview recipient, schedules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp


class TemplateForm(FlaskForm):
    key = StringField(
        _l("Key"),
        description=_l("Lower-case letters, digits and hyphens, e.g. spring-newsletter."),
        validators=[
            DataRequired(),
            Length(max=60),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and hyphens.")
            ),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    subject_fr = StringField(_l("Subject in French"), validators=[Length(max=300)])
    body_fr = TextAreaField(_l("Message in French"), validators=[Length(max=20_000)])
    subject_en = StringField(_l("Subject in English"), validators=[Length(max=300)])
    body_en = TextAreaField(_l("Message in English"), validators=[Length(max=20_000)])
    recipient = EmailField(
        _l("Preview for"),
        description=_l("The e-mail address of a person; yourself if left empty."),
        validators=[Optional(), Email(), Length(max=254)],
    )


class ScheduleForm(FlaskForm):
    template = SelectField(_l("Template"), coerce=int, validators=[DataRequired()])
    audience = SelectField(_l("Audience"), validators=[DataRequired()])
    kind = RadioField(
        _l("When"),
        choices=[
            SelectChoice("now", _l("Now")),
            SelectChoice("at", _l("At a date and time")),
            SelectChoice("cron", _l("Recurring (cron)")),
        ],
        default="now",
        validators=[DataRequired()],
    )
    at = DateTimeLocalField(
        _l("Date and time (Paris time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    cron = StringField(
        _l("Cron expression"),
        description=_l("Minute hour day month weekday, e.g. “0 9 * * mon” for Mondays at 9:00."),
        validators=[Optional(), Length(max=120)],
    )
