"""Messaging forms: templates, preview recipient, schedules."""

from datetime import time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.cleanup.forms import ExistingLocalTime
from app.core.forms import PortalForm, valid_email
from app.core.i18n import lazy_zone_label
from app.messaging.recurrence import LAST_MONTH_DAY, REPEATS


class TemplateForm(PortalForm):
    key = StringField(
        _l("Key"),
        description=_l("Lower-case letters, digits and hyphens, e.g. spring-newsletter."),
        validators=[
            DataRequired(message=_l("Give the template a key, for example spring-letter.")),
            Length(max=60),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and hyphens.")
            ),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Give the template a name.")), Length(max=120)],
    )
    subject_fr = StringField(_l("Subject in French"), validators=[Length(max=300)])
    body_fr = TextAreaField(_l("Message in French"), validators=[Length(max=20_000)])
    subject_en = StringField(_l("Subject in English"), validators=[Length(max=300)])
    body_en = TextAreaField(_l("Message in English"), validators=[Length(max=20_000)])
    recipient = EmailField(
        _l("Preview for"),
        description=_l("The e-mail address of a person; yourself if left empty."),
        validators=[Optional(), valid_email(), Length(max=254)],
    )
    # Which campaign the preview speaks of: a campaign message scheduled for next month
    # is checked with that campaign's name and dates, not the one running today. The
    # choices are the clean-up domain's, set by the view.
    campaign_id = SelectField(
        _l("About the campaign"),
        description=_l(
            "For the preview, and for the test unless you choose another for it; a message "
            "sent speaks of its own campaign. At first, the campaign of the template's next "
            "sending, if it names one."
        ),
        choices=[],
        validate_choice=False,
    )
    # The template's edit version the editor was opened on (`services.template_version`).
    version = HiddenField()


class SendTestForm(PortalForm):
    """ "Send me a test": in which language, since a template is written in both, and
    about which campaign (the preview's choices, set by the view)."""

    # Each language named in itself, as the profile's choice of language does.
    language = SelectField(
        _l("Language of the test"),
        choices=[
            SelectChoice("fr", "Français", render_kw={"lang": "fr"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
        # Left out (a page from before the choice): the organiser's own language.
        validators=[Optional()],
    )
    # A test of a message about next month's campaign speaks of that one, not today's.
    test_campaign_id = SelectField(
        _l("Campaign of the test"),
        description=_l("The preview's campaign, unless you choose another here."),
        choices=[],
        validate_choice=False,
        validators=[Optional()],
    )


def template_id(value) -> int | None:
    """A template's id as the select sends it; None for its empty choice (offered when
    the template asked for could not be chosen), anything else refused as before."""
    return None if value in ("", None) else int(value)


class ScheduleForm(PortalForm):
    """When to send: now, at a moment, or again and again. A recurrence is chosen as
    people say it (every Monday at 09:00); a cron expression only for a custom one.
    `weekday.choices` are the reader's day names, set by the view."""

    template = SelectField(
        _l("Template"),
        coerce=template_id,
        validators=[DataRequired(message=_l("Choose the template to send."))],
    )
    # No audience is chosen in advance: "Everyone" preselected went to all staff by mistake.
    audience = SelectField(
        _l("Audience"), validators=[DataRequired(message=_l("Choose who receives the message."))]
    )
    kind = RadioField(
        _l("When"),
        choices=[
            SelectChoice("now", _l("Now")),
            SelectChoice("at", _l("At a date and time")),
            SelectChoice("cron", _l("Recurring")),
        ],
        default="now",
        validators=[DataRequired()],
    )
    at = DateTimeLocalField(
        _l("Date and time (%(zone)s)", zone=lazy_zone_label),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    repeat = SelectField(
        _l("How often"),
        choices=[SelectChoice(key, label) for key, label in REPEATS.items()],
        default="weekly",
    )
    weekday = SelectField(_l("Day of the week"), coerce=int, default=0)
    month_day = SelectField(
        _l("Day of the month"),
        description=_l("1 to 28: a day every month has."),
        coerce=int,
        choices=[SelectChoice(day, str(day)) for day in range(1, LAST_MONTH_DAY + 1)],
        default=1,
    )
    time = TimeField(
        _l("Time (%(zone)s)", zone=lazy_zone_label), default=time(9, 0), validators=[Optional()]
    )
    cron = StringField(
        _l("Cron expression"),
        description=_l("Minute hour day month weekday, e.g. “0 9 * * mon” for Mondays at 9:00."),
        validators=[Optional(), Length(max=120)],
    )
    # A recurring message for a campaign of three weeks ends with it, not when someone
    # thinks of stopping it. Checked against its first sending by the service.
    until = DateField(
        _l("Until (optional)"),
        description=_l(
            "The last day it may go out, included. Left empty, it goes on until you stop it."
        ),
        validators=[Optional()],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data == "at":
            return self._at_exists() and valid
        if self.kind.data != "cron":
            return valid
        if self.repeat.data == "custom" and not (self.cron.data or "").strip():
            self.cron.errors = [*self.cron.errors, _("Give the cron expression.")]
            return False
        if self.repeat.data != "custom" and self.time.data is None and not self.time.errors:
            self.time.errors = [*self.time.errors, _("Give the time of sending.")]
            return False
        return valid

    def _at_exists(self) -> bool:
        """A moment the clocks skip (02:30 the night they go forward) is refused, as a
        campaign's dates are: it was sent at 03:30 without a word. Only for "at": a date
        left in its field while sending now or again and again is not used."""
        try:
            ExistingLocalTime()(self, self.at)
        except ValidationError as error:
            self.at.errors = [*self.at.errors, str(error)]
            return False
        return True


class RescheduleForm(PortalForm):
    """Move a one-off dispatch to another date (its campaign extended, say)."""

    at = DateTimeLocalField(
        _l("New date and time (%(zone)s)", zone=lazy_zone_label),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(message=_l("Give the new date and time of sending."))],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            return False
        try:  # a moment the clocks skip is refused, as on the schedule form
            ExistingLocalTime()(self, self.at)
        except ValidationError as error:
            self.at.errors = [*self.at.errors, str(error)]
            return False
        return True
