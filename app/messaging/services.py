"""Messaging writes and rules: templates, schedules, the outbox, claiming and delivery.

Every function takes `now` and flushes; the request, CLI command or job commits.
"""

import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace

import opening_hours
from apscheduler.triggers.cron import CronTrigger
from flask import current_app, has_request_context
from flask_babel import force_locale, ngettext
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import UndefinedError
from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)

from app.auth.models import User
from app.cleanup import queries as cleanup_queries
from app.cleanup.countdown import shown_end
from app.cleanup.models import RUNNING
from app.cleanup.services import months_before
from app.core.audit import AuditEvent, record_audit, record_consent_change
from app.core.edit_versions import hold_version
from app.core.i18n import (
    current_language,
    format_clock,
    format_full_moment,
    long_date,
    regional_locale,
    sentence_moment,
)
from app.core.personalisation import (
    known_audience_params,
    known_audiences,
    known_variables,
    variables_for,
)
from app.core.privacy_models import ErasureRequest
from app.core.time import local_iso, local_zone
from app.core.urls import database_id
from app.extensions import db
from app.messaging.audiences import (
    EMAIL_ONLY_LINKS,
    needs_consent,
    preview_placeholders,
    test_links,
)
from app.messaging.builtins import (
    AUDIENCE_OF,
    BUILTIN_TEMPLATES,
    NOTICE_SAMPLES,
    NOTICE_TEMPLATES,
    ensure_builtin_templates,
    wrong_audience,
)
from app.messaging.campaign_facts import NAMED_CAMPAIGN_ONLY
from app.messaging.delivery_errors import (
    TIMEOUT,
    describe_error,
    email_error_code,
    refused_by_server,
    render_error_code,
    render_failure_code,
    why_test_not_written,
)
from app.messaging.i18n import _
from app.messaging.labels import (
    DISPATCH_IN_PROGRESS,
    FINISHED_SENDING,
    TEMPLATE_FIELD_LABELS,
    channel_label,
    delivery_status,
    dispatch_status,
    skip_reason,
    template_title,
)
from app.messaging.mailer import LEFT_FOR_LATER, build_email
from app.messaging.models import (
    DEFAULT_LOCALE,
    LOCALES,
    NOT_SENT,
    NOTICE_AUDIENCE,
    SKIP_CAMPAIGN_ENDED,
    SKIP_DELETED,
    SKIP_ERASURE_PENDING,
    SKIP_INACTIVE,
    SKIP_NO_CONSENT,
    SKIP_NO_VALUE,
    SKIP_NOT_SENDABLE,
    SKIP_REASONS,
    SKIP_WRONG_AUDIENCE,
    TEST_AUDIENCE,
    Delivery,
    Dispatch,
    MessageTemplate,
    Schedule,
    confirmation_key,
    message_language,
)
from app.messaging.queries import (
    campaign_sendings,
    ended_campaign,
    ended_with_campaign,
    list_same_message,
    pending_uses,
    recipients_among,
)
from app.messaging.recipients import RecipientVariables
from app.messaging.recurrence import (
    MIN_INTERVAL,
    RUN_LATENESS,
    audit_summary,
    cron_fields,
    cron_trigger,
    invalid_cron_field,
    last_moment,
    more_than_daily,
    next_run,
    runs_between,
)
from app.messaging.rendering import (
    CompiledTemplate,
    TemplateProblem,
    check_template,
    example_value,
    foreign_reason,
    missing_variables,
    notice_only_names,
    plain_newlines,
    portal_copy,
    readable_subject,
    uses_any,
    where_render_fails,
)

TEMPLATE_FIELDS = ("subject_fr", "body_fr", "subject_en", "body_en")

log = logging.getLogger("empreinte.messaging")


class MessagingError(ValueError):
    """A rule refused the request; the message is translated and shown as is, at the
    form field `field` names when it is about one (e.g. "cron", "campaign_id")."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class TestAlreadySent(MessagingError):
    """The same test (same text, language and campaign) went out moments ago: a reload or
    a second press is not a second test. `dispatch` is the earlier one."""

    def __init__(self, message: str, dispatch: Dispatch):
        super().__init__(message)
        self.dispatch = dispatch


class TemplateInvalid(MessagingError):
    def __init__(self, problems: list[TemplateProblem], field: str | None = None):
        super().__init__("; ".join(str(p) for p in problems), field)
        self.problems = problems


# --- templates -------------------------------------------------------------------------


def key_refusal(key: str) -> str | None:
    """Why a new template cannot take `key` (held by another, or kept by a deleted one),
    or None: said with the form's other problems, not after them."""
    holder = db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == key))
    if holder is not None and holder.archived_at is not None:
        # Its past dispatches keep it, and the audit log names it by this key.
        return _("A deleted template had this key, which its past dispatches keep: choose another.")
    if holder is not None:
        return _("A template with this key already exists.")
    return None


class TemplateChangedMeanwhile(MessagingError):
    """A template's editor opened before another save of it (an older tab): refused."""


def template_version(template: MessageTemplate) -> str:
    """What the editor keeps of the template it was opened on (`save_template(seen=…)`)."""
    return str(template.edit_version or 1)


# What a template's save may change, in the order the editor shows them.
_EDITED_FIELDS = ("name", *TEMPLATE_FIELDS)
_CHANGED_FIELDS = re.compile(r"(?P<key>[a-z0-9-]+): (?P<fields>[a-z_]+(?:, [a-z_]+)*)")


def changed_fields_in_words(summary: str) -> str | None:
    """An update's stored summary ("hello: subject_en, body_fr") as the editor names
    the texts ("hello: Subject in English, Message in French"); None for another."""
    match = _CHANGED_FIELDS.fullmatch(summary)
    names = match.group("fields").split(", ") if match else []
    if not names or any(name not in TEMPLATE_FIELD_LABELS for name in names):
        return None
    words = ", ".join(str(TEMPLATE_FIELD_LABELS[name]) for name in names)
    return f"{match.group('key')}: {words}"


def template_changed_message(template: MessageTemplate) -> str:
    """Why a save from an older editor is refused: who saved it since, when, and which
    texts (from the audit log, when it says), and that what was typed is kept."""
    event = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "messaging_template",
            AuditEvent.object_id == str(template.id),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    message = _(
        "Someone else changed this template after you opened it (or you did, in another "
        "tab): nothing was saved."
    )
    if event is not None and event.action in ("update", "restore"):
        who = db.session.get(User, event.actor_id) if event.actor_id else None
        message += " " + _(
            "%(who)s saved it on %(moment)s.",
            who=who.display_name if who is not None else _("Someone"),
            moment=format_full_moment(event.at),
        )
        worded = changed_fields_in_words(event.summary) if event.action == "update" else None
        if worded:
            message += " " + _("Changed: %(fields)s.", fields=worded.split(": ", 1)[1])
    return (
        message
        + " "
        + _(
            "What you typed is kept below: check it against the template as it is now "
            "(open it in another tab), then save again to keep it."
        )
    )


def save_template(
    template: MessageTemplate | None,
    data: dict,
    actor,
    now: datetime,
    seen: str | None = None,
) -> MessageTemplate:
    """Create or update a template after checking both languages compile with known
    variables. `seen`: the version (`template_version`) the editor was opened on; a save
    since refuses this one (`TemplateChangedMeanwhile`); None: not compared."""
    data = {**data, **{field: plain_newlines(data[field]) for field in TEMPLATE_FIELDS}}
    problems = check_template(data)
    if problems:
        raise TemplateInvalid(problems)
    created = template is None
    if not created and seen is not None and not hold_version(template, seen):
        raise TemplateChangedMeanwhile(template_changed_message(template))
    if created:
        key = data["key"]
        if refusal := key_refusal(key):
            raise MessagingError(refusal)
        template = MessageTemplate(key=key, created_by_id=actor.id, created_at=now)
        db.session.add(template)
        changed = []
    else:
        changed = [name for name in _EDITED_FIELDS if getattr(template, name) != data[name]]
        # In the database, not from the value this request read.
        template.edit_version = MessageTemplate.edit_version + 1
    template.name = data["name"]
    for field in TEMPLATE_FIELDS:
        setattr(template, field, data[field])
    template.updated_at = now
    db.session.flush()
    # Which texts an update changed: the audit log names them, and so does the refusal
    # of a save from an editor opened before it.
    summary = f"{template.key}: {', '.join(changed)}" if changed else template.key
    record_audit(
        actor, "create" if created else "update", "messaging_template", template.id, now, summary
    )
    return template


def delete_template(template: MessageTemplate, actor, now: datetime) -> bool:
    """Delete a template an organiser wrote: outright when nothing was ever sent or
    planned with it (True); once sent, archived instead (False): it leaves the lists and
    the schedule form, its dispatches keep showing what they sent, and the messages in
    people's inboxes stay. Refused while a message is still to go out with it."""
    if template.builtin:
        raise MessagingError(
            _(
                "A built-in template cannot be deleted: the portal sends it itself. Its text "
                "can be changed, or restored."
            )
        )
    pending = pending_uses(template)  # the editor says so too, instead of a delete button
    if pending:
        uses = [_("dispatch %(number)s", number=number) for number in pending.dispatch_ids]
        uses += [_("a recurring message")] * bool(pending.schedule_ids)
        raise MessagingError(
            _(
                "This template cannot be deleted while it is still to go out (%(uses)s): "
                "cancel or stop that on the Dispatches page, or let it be sent, first.",
                uses=", ".join(uses),
            )
        )
    used = db.session.scalar(
        select(Dispatch.id).where(Dispatch.template_id == template.id).limit(1)
    ) or db.session.scalar(select(Schedule.id).where(Schedule.template_id == template.id).limit(1))
    # Archived or gone, to the organiser it is deleted: the audit log says so (its key).
    record_audit(actor, "delete", "messaging_template", template.id, now, template.key)
    if used:
        template.archived_at = now
    else:
        db.session.delete(template)
    db.session.flush()
    return not used


def shipped_text(template: MessageTemplate) -> dict | None:
    """The text Empreinte ships for a built-in template (None for an organiser's own)."""
    return BUILTIN_TEMPLATES.get(template.key) if template.builtin else None


def differs_from_shipped_text(template: MessageTemplate) -> bool:
    """Whether a built-in template's text was edited. Line breaks are compared as line
    feeds: a copy saved from the editor before they were normalised on save holds CR LF."""
    shipped = shipped_text(template)
    return shipped is not None and any(
        plain_newlines(getattr(template, field) or "") != shipped[field]
        for field in TEMPLATE_FIELDS
    )


def restore_shipped_text(template: MessageTemplate, actor, now: datetime) -> bool:
    """Put back the subjects and bodies Empreinte ships for a built-in template: undoes
    an organiser's edits, and brings an install the texts of a newer release (built-ins
    are otherwise created once, never overwritten). False when it held them already:
    nothing changed, nothing is recorded (two tabs, a page from before the restore)."""
    shipped = shipped_text(template)
    if shipped is None:
        raise MessagingError(_("Only a built-in template has a text to restore."))
    if not differs_from_shipped_text(template):
        return False
    for field in TEMPLATE_FIELDS:
        setattr(template, field, shipped[field])
    template.updated_at = now
    template.edit_version = MessageTemplate.edit_version + 1  # an editor open before: stale
    db.session.flush()
    record_audit(actor, "restore", "messaging_template", template.id, now, template.key)
    return True


class _InLanguage:
    """The recipient, reading in another language (for the preview of each language)."""

    def __init__(self, user, locale: str):
        self._user = user
        self.locale = locale

    def __getattr__(self, name):
        return getattr(self._user, name)


# What a preview for someone else keeps: only the links everyone gets. Their name (which
# they may have asked the leaderboards to hide), points, rank and badges, their
# department's figures, their collection point… would tie a pseudonym to an address, and
# would tell who has an account: the preview shows the examples instead, for any address.
KEPT_FOR_OTHERS = frozenset({"inbox_url", "portal_url"})
# What a campaign chosen for the preview says the same to everyone: kept for a colleague
# too, so that next month's launch reads with its own name and dates.
# `starts_when` left out, the launch read an example start beside the campaign's real end.
CAMPAIGN_FACTS = frozenset(
    {"campaign_name", "campaign_starts", "starts_when", "campaign_ends", "campaign_url",
     "results_url", "ends_when", "days_left", "days_left_text", "goal_progress", "guides_url",
     "ended_early", "ended_early_reason", "goals_progress"}
)  # fmt: skip


def preview_variables(
    reader, locale: str, now: datetime, template_key: str = "", examples=False, context=None
) -> dict:
    """What a preview fills a template with: the reader's values in `locale` (with
    `examples`, a preview for someone else: the examples, but the links everyone gets and a
    chosen campaign's facts), secret links (unsubscribe) as placeholders, since an organiser
    sees the preview; a device notice's news as a named sample (`notice_samples`).
    `context`: as a dispatch's (`{"campaign_id": 3}`: that campaign's name, dates, figures)."""
    # Providers write names, dates and hours in the recipient's language: ask them for
    # this language's values, as if the recipient read the portal in it.
    variables = variables_for([_InLanguage(reader, locale)], now, context or {}).get(reader.id, {})
    if examples:
        kept = KEPT_FOR_OTHERS | (CAMPAIGN_FACTS if context else frozenset())
        variables = {name: variables[name] for name in kept if name in variables}
        variables.update(example_values(locale, variables))
    variables.update(preview_placeholders())
    variables.update(notice_samples(template_key, locale, variables))
    return variables


def notice_samples(template_key: str, locale: str, values: dict) -> dict[str, str]:
    """For the preview and the test of a device notice, in `locale`: the variables only
    its real event gives, as samples named as such ("[News of the device: …]"), the
    others as their examples. Guarded by `is defined`, these built-ins said nothing else."""
    samples = NOTICE_SAMPLES.get(template_key)
    if samples is None:
        return {}
    known = known_variables()
    # The variables given with the sampled ones (the receipt's number and link).
    given_with = {known[name].only_in for name in samples if name in known}
    with force_locale(regional_locale(locale)):
        return {
            name: str(samples.get(name, variable.example))
            for name, variable in known.items()
            if name not in values
            and variable.only_in is not None
            and (name in samples or variable.only_in in given_with)
        }


def variables_for_authors() -> list:
    """The variables the template editor lists, with their examples in the page's
    language: those every message may use first, then those only the notices give."""
    return sorted(known_variables().values(), key=lambda v: (v.only_in is not None, v.name))


def example_values(locale: str, given: dict) -> dict[str, str]:
    """The example of each variable every message may use and `given` lacks, in `locale`
    (a number's as that number: it compares as one)."""
    with force_locale(regional_locale(locale)):
        return {
            name: example_value(variable.example)
            for name, variable in known_variables().items()
            if variable.only_in is None and name not in given
        }


def subject_previews(templates, reader, locale: str, now: datetime) -> dict[int, str]:
    """Each template's subject in `locale` as this reader would read it, by template id
    (a list of templates shows subjects, never the template syntax behind them)."""
    variables = preview_variables(reader, locale, now)
    return {t.id: readable_subject(t.subject(locale), variables) for t in templates}


def template_by_key(key: str) -> MessageTemplate | None:
    """A template by key; the built-in ones are created on first need."""
    template = db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == key))
    if template is None:
        ensure_builtin_templates()
        template = db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == key))
    return template


def schedulable_template_keys() -> list[str]:
    """The keys of the templates an audience may be sent (not the notices to one person)."""
    ensure_builtin_templates()
    keys = db.session.scalars(
        select(MessageTemplate.key)
        .where(MessageTemplate.archived_at.is_(None))
        .order_by(MessageTemplate.key)
    )
    return [key for key in keys if key not in NOTICE_TEMPLATES]


# --- audiences -------------------------------------------------------------------------


def _notice_recipient(params: dict):
    user_id = database_id(params.get("user_id"))
    if user_id is None:
        raise MessagingError(_("This audience parameter is not valid."))
    return select(User.id).where(
        User.id == user_id, User.active.is_(True), User.anonymised_at.is_(None)
    )


def audience_select(key: str, params: dict, now: datetime):
    """The SELECT of user ids of an audience, or MessagingError for a bad key or parameter."""
    if key == NOTICE_AUDIENCE:
        return _notice_recipient(params)
    audience = known_audiences().get(key)
    if audience is None:
        raise MessagingError(_("Unknown audience."), field="audience")
    missing = [name for name in audience.params if params.get(name) in (None, "")]
    if missing:
        raise MessagingError(_missing_param(missing[0]), field=missing[0])
    for name in audience.params:
        require_offered(name, params[name])
    try:
        members = audience.resolve(now, {name: params[name] for name in audience.params})
    except (ValueError, TypeError, KeyError) as error:
        field = audience.params[0] if len(audience.params) == 1 else "audience"
        raise MessagingError(_("This audience parameter is not valid."), field=field) from error
    return reachable_among(members)


def reachable_among(members):
    """Only the people a message can reach among an audience's ids: active, not erased.
    Here, for every audience a domain registers (one forgetting it counted, and wrote
    outbox rows for, deactivated people), whether or not its own query checks."""
    return select(User.id).where(
        User.id.in_(members), User.active.is_(True), User.anonymised_at.is_(None)
    )


def require_offered(name: str, value) -> None:
    """MessagingError at `name` unless `value` is one of those the form offers now: a
    draft campaign posted by hand (or one deleted since a message was planned) named no
    campaign, and its message reached the whole staff with nothing in it."""
    param = known_audience_params().get(name)
    if param is None or str(value) in {choice for choice, _label in param.choices()}:
        return
    if name == "campaign_id":
        raise MessagingError(
            _(
                "No message can be sent about this campaign: it is a draft, or it no "
                "longer exists. Choose a published campaign."
            ),
            field=name,
        )
    raise MessagingError(_("This audience parameter is not valid."), field=name)


def _missing_param(name: str) -> str:
    """What to ask an organiser who has not chosen an audience's parameter."""
    asked = {
        "department_id": _("Choose a department."),
        "commune_id": _("Choose a commune."),
        "role": _("Choose a role."),
        "campaign_id": _("Choose a campaign."),
    }
    if name in asked:
        return asked[name]
    param = known_audience_params().get(name)
    return _("Choose the audience's %(names)s.", names=str(param.label) if param else name)


def count_waits_for(key: str, params: dict) -> str | None:
    """While a form is being filled: what the count of this audience waits for (a
    parameter not chosen yet), said as a step to take, not as a refusal; else None."""
    audience = known_audiences().get(key)
    missing = [name for name in (audience.params if audience else ()) if not params.get(name)]
    if not missing:
        return None
    steps = {
        "department_id": _("Choose a department to count the recipients."),
        "commune_id": _("Choose a commune to count the recipients."),
        "role": _("Choose a role to count the recipients."),
        "campaign_id": _("Choose a campaign to count the recipients."),
    }
    return steps.get(missing[0]) or _("Complete the audience to count the recipients.")


def audience_size(key: str, params: dict, now: datetime) -> int:
    """How many people an audience reaches now."""
    ids = audience_select(key, params, now).subquery()
    return db.session.scalar(select(func.count()).select_from(ids)) or 0


def audience_by_email(key: str, params: dict, now: datetime) -> int:
    """How many of an audience's people consented to e-mails now: the others get the
    message in their portal inbox only."""
    ids = audience_select(key, params, now)
    consented = select(User.id).where(User.id.in_(ids), User.email_opt_in.is_(True))
    return db.session.scalar(select(func.count()).select_from(consented.subquery())) or 0


# --- scheduling ------------------------------------------------------------------------


def parse_cron(expression: str) -> CronTrigger:
    """A 5-field crontab in the portal's time zone, or MessagingError with a clear message."""
    try:
        return cron_trigger(expression)
    except (ValueError, TypeError) as error:
        if invalid := invalid_cron_field(expression):  # five fields: say which is wrong
            index, value = invalid
            name, allowed = cron_fields()[index]
            message = _(
                "“%(cron)s” is not a valid cron expression: %(field)s, “%(value)s”, "
                "is not valid. Allowed: %(allowed)s.",
                cron=expression,
                field=name,
                value=value,
                allowed=allowed,
            )
        else:
            message = _(
                "“%(cron)s” is not a valid cron expression: five fields, minute hour "
                "day-of-month month day-of-week, e.g. “0 9 * * mon”.",
                cron=expression,
            )
        raise MessagingError(message, field="cron") from error


def require_valid(template: MessageTemplate, field: str | None = None) -> None:
    """TemplateInvalid with every problem of its four texts, if any (shown at `field`)."""
    problems = check_template({f: getattr(template, f) for f in TEMPLATE_FIELDS})
    if problems:
        raise TemplateInvalid(problems, field)


def _require_schedulable(template: MessageTemplate) -> None:
    """Valid, and meant for an audience: not a notice to one person, nor using its
    variables, nor deleted."""
    if template.archived_at is not None:
        raise MessagingError(_("This template was deleted: choose another one."), field="template")
    if template.key in NOTICE_TEMPLATES:
        raise MessagingError(
            _(
                "The portal sends this message to one person about something of theirs; "
                "it is not scheduled."
            ),
            field="template",
        )
    require_valid(template, field="template")
    texts = {f: getattr(template, f) for f in TEMPLATE_FIELDS}
    only_in_notices = notice_only_names(texts)
    if only_in_notices:
        raise MessagingError(
            _(
                "This template uses %(names)s, which only the portal's notices to one person "
                "give: sent to an audience, it would fail for everyone.",
                names=", ".join(only_in_notices),
            ),
            field="template",
        )


def _require_its_audience(template: MessageTemplate, audience_key: str) -> None:
    """MessagingError (at the audience) when a built-in written for one audience is sent
    to another: « Pas encore participé » to a campaign's whole scope told its participants
    they had not taken part yet."""
    if not wrong_audience(template.key, audience_key):
        return
    wanted = AUDIENCE_OF[template.key]
    audience = known_audiences().get(wanted)
    raise MessagingError(
        _(
            "“%(name)s” tells each reader they have not taken part in the campaign yet: it "
            "goes only to the audience “%(audience)s”. Choose that audience, or another "
            "template.",
            name=template_title(template),
            audience=str(audience.label) if audience is not None else wanted,
        ),
        field="audience",
    )


def latest_schedulable_day(now: datetime) -> date:
    """The last day (Paris calendar) a message may be planned for: a year from today.
    A year typed wrong (2062 for 2026, 9999) planned a message that never went."""
    today = now.astimezone(local_zone()).date()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February: the 28th next year
        return today.replace(year=today.year + 1, day=28)


def check_schedule(
    template: MessageTemplate,
    audience_key: str,
    params: dict,
    kind: str,
    now: datetime,
    at: datetime | None = None,
    cron: str | None = None,
    until: date | None = None,
) -> int:
    """How many people a schedule would reach now, or MessagingError saying why it
    cannot be made: what the organiser confirms before `schedule_message` makes it.
    `until`: a recurring message's last day (included), if it has one."""
    _require_schedulable(template)
    _require_its_audience(template, audience_key)
    size = audience_size(audience_key, params, now)
    if size == 0:
        raise MessagingError(
            _("This audience is empty: nobody would receive the message."), field="audience"
        )
    if kind == "cron":
        trigger = parse_cron(cron or "")
        if next_run(cron, now) is None:  # 31 February: confirmed, it showed "Next: –"
            raise MessagingError(
                _("This rhythm never sends: no date of the calendar matches it."),
                field="cron",
            )
        if more_than_daily(trigger, now):
            raise MessagingError(
                _(
                    "A recurring message goes out at most once a day: this rhythm would "
                    "send it more often."
                ),
                field="cron",
            )
        if until is not None:
            _require_end_after_first(cron, until, now)
    elif kind == "at":
        if at is None or at.tzinfo is None:
            raise MessagingError(_("Give the date and time of sending."), field="at")
        if at <= now:
            raise MessagingError(
                _("This date is in the past: choose a future date and time."), field="at"
            )
        latest = latest_schedulable_day(now)
        # Compared as instants: converting year 9999 to another zone overflows.
        if at >= datetime.combine(latest + timedelta(days=1), datetime.min.time(), local_zone()):
            language = current_language() if has_request_context() else "en"
            raise MessagingError(
                _(
                    "A message can be planned at most a year ahead: choose a date no later "
                    "than %(latest)s.",
                    latest=long_date(latest, language),
                ),
                field="at",
            )
    elif kind != "now":
        raise MessagingError(_("Unknown kind of schedule."), field="kind")
    first = next_run(cron, now) if kind == "cron" else (at if kind == "at" else now)
    _require_campaign_not_over(template, params, kind, first)
    _require_values_then(template, audience_key, params, first, now)
    return size


# At most this many recipients (one per department) tried when checking that a message
# can be written for its audience at a moment: each department's campaign gives its own.
VALUE_SAMPLES = 50


def missing_for_everyone(
    texts: dict, audience_key: str, params: dict, context: dict, moment: datetime, now: datetime
) -> list[str]:
    """The variables these texts use that none of the audience (as it is at `now`) would
    be given at `moment`, so that the message fails for everyone then: `results_url`
    before its campaign has ended, say. Empty when it can be written for one of them
    (a value guarded by `is defined` lacks for nobody). Tried on one person per
    department: the campaign variables are a department's campaign's, or the named one's."""
    members = audience_select(audience_key, params, now)
    sample_ids = select(func.min(User.id)).where(User.id.in_(members)).group_by(User.department_id)
    samples = list(
        db.session.scalars(select(User).where(User.id.in_(sample_ids.limit(VALUE_SAMPLES))))
    )
    if not samples:
        return []
    compiled = CompiledTemplate.from_texts(texts, "")
    values = variables_for(samples, moment, context or {})
    missing: set[str] | None = None
    for person in samples:
        language = message_language(person.locale)
        theirs = values.get(person.id, {})
        try:
            compiled.render(language, theirs)
        except UndefinedError:
            sources = (texts[f"subject_{language}"], texts[f"body_{language}"])
            lacking = set(missing_variables(sources, theirs))
            missing = lacking if missing is None else missing & lacking
            continue
        except Exception:  # too costly or the like: not a value missing
            return []
        return []  # written for this one
    return sorted(missing or ())


def _require_values_then(
    template: MessageTemplate, audience_key: str, params: dict, first: datetime, now: datetime
) -> None:
    """MessagingError (at the template) when the message could not be written for anyone
    at its first sending, for a variable with no value then: « Résultats : {{ results_url
    }} » before the campaign's end was accepted, then failed for all 42 recipients. At
    the audience when no moment would do: a variable only a campaign's audience gives."""
    texts = {field: getattr(template, field) or "" for field in TEMPLATE_FIELDS}
    named = database_id((params or {}).get("campaign_id"))
    context = {"campaign_id": named} if named is not None else {}
    missing = missing_for_everyone(texts, audience_key, params, context, first, now)
    if not missing:
        return
    # Left to each recipient's own campaign, no moment gives these: the audience must
    # name one (its scope, its participants…).
    campaign_only = [name for name in missing if name in NAMED_CAMPAIGN_ONLY]
    if named is None and campaign_only:
        raise MessagingError(
            ngettext(
                "This template uses %(names)s, which has a value only in a message about one "
                "clean-up campaign: no moment gives it to this audience. Choose the audience "
                "of a campaign (the staff in its scope, its participants…) and that campaign, "
                "or a template without it.",
                "This template uses %(names)s, which have a value only in a message about one "
                "clean-up campaign: no moment gives them to this audience. Choose the audience "
                "of a campaign (the staff in its scope, its participants…) and that campaign, "
                "or a template without them.",
                len(campaign_only),
                names=", ".join(campaign_only),
            ),
            field="audience",
        )
    language = current_language() if has_request_context() else "en"
    when = sentence_moment(first, language, local_zone())
    if missing == ["results_url"]:
        message = _(
            "This template uses results_url, the link to a campaign's results, which exists "
            "only once the campaign has ended. On %(when)s, when it would be sent, its "
            "recipients' campaign has not ended: the message would fail for everyone. Plan "
            "it after the campaign's end, or remove the link.",
            when=when,
        )
    else:
        message = _(
            "This template uses %(names)s, which will have no value for its recipients on "
            "%(when)s, when it would be sent: the message would fail for everyone. Choose "
            "another moment, or a template without it.",
            names=", ".join(missing),
            when=when,
        )
    raise MessagingError(message, field="template")


def counts_down(texts: dict) -> bool:
    """Whether these texts count down to a campaign's end (days left, « se termine … »)."""
    return uses_any(texts, COUNTDOWN_VARIABLES)


def _require_campaign_not_over(template: MessageTemplate, params: dict, kind: str, first):
    """MessagingError (at `campaign_id`) when the campaign a message is about has ended
    by its first sending and the message speaks of it as running: a recurring message (it
    went every day after the end), or one counting down to the end (« 0 jour pour … », « se
    termine . »). A one-off that does not count down (the results, a thank-you) may go."""
    campaign = ended_campaign((params or {}).get("campaign_id"), first)
    if campaign is None:
        return
    texts = {field: getattr(template, field) for field in TEMPLATE_FIELDS}
    if kind != "cron" and not counts_down(texts):
        return
    language = current_language() if has_request_context() else "en"
    names = {
        "campaign": campaign.name(language),
        "end": sentence_moment(shown_end(campaign.ends_at), language, local_zone()),
    }
    if kind == "cron":
        message = _(
            "%(campaign)s ended on %(end)s: a recurring message about it would go on after "
            "its end. Choose a campaign that has not ended.",
            **names,
        )
    else:
        message = _(
            "%(campaign)s has ended by then (on %(end)s), and this template counts down to "
            "its end: it would say 0 days left and no end. Choose a campaign still running "
            "then, or a template without its days left.",
            **names,
        )
    raise MessagingError(message, field="campaign_id")


def _require_end_after_first(cron: str, until: date, now: datetime) -> None:
    """MessagingError (at `until`) when a recurring message's last day comes before its
    first sending (it would never go), or beyond the year ahead a one-off may be planned
    for (a year typed wrong, 2062 for 2026, is no end)."""
    language = current_language() if has_request_context() else "en"
    first = next_run(cron, now)
    first_day = first.astimezone(local_zone()).date() if first is not None else None
    if first_day is not None and until < first_day:
        raise MessagingError(
            _(
                "The end date comes before the first sending, on %(first)s: choose that day "
                "or a later one.",
                first=long_date(first_day, language),
            ),
            field="until",
        )
    latest = latest_schedulable_day(now)
    if until > latest:
        raise MessagingError(
            _(
                "A recurring message can end at most a year ahead: choose a date no later "
                "than %(latest)s.",
                latest=long_date(latest, language),
            ),
            field="until",
        )


@dataclass(frozen=True)
class SameMessage:
    """The same template sent lately or planned, as the confirmation warns of it:
    `earlier` with, for each, how many of today's recipients it reaches (`overlap`), and
    `already_got`: how many of today's recipients already received it."""

    earlier: list[tuple]  # (EarlierSending, overlap)
    already_got: int


def _about_another_campaign(params: dict, earlier: dict | None) -> bool:
    """Both name a campaign, not the same one: its variables make it another message."""
    ours, theirs = (params or {}).get("campaign_id"), (earlier or {}).get("campaign_id")
    return ours not in (None, "") and theirs not in (None, "") and str(ours) != str(theirs)


def same_message(template: MessageTemplate, audience_key: str, params: dict, now: datetime):
    """What already sent, or sends, this template to some of the people this audience
    reaches now, whatever audience it was picked as (« everyone » after « a campaign's
    scope »): each earlier sending of the last SAME_MESSAGE_DAYS reaching any of them,
    each one planned, each recurring message."""
    members = audience_select(audience_key, params, now)
    found, sent_ids = [], []
    for earlier in list_same_message(template.id, now):
        if _about_another_campaign(params, earlier.params):
            continue  # another campaign's launch is another message, to the same people
        if earlier.state in ("sending", *FINISHED_SENDING):  # its outbox says who got it
            overlap = recipients_among([earlier.id], members)
            sent_ids.append(earlier.id)
        else:  # planned: whom its audience reaches now
            try:
                theirs = audience_select(earlier.audience_key, earlier.params or {}, now)
            except MessagingError:  # its campaign gone: it will be skipped, not sent
                continue
            overlap = (
                db.session.scalar(
                    select(func.count()).select_from(members.where(User.id.in_(theirs)).subquery())
                )
                or 0
            )
        if overlap:
            found.append((earlier, overlap))
    return SameMessage(found, recipients_among(sent_ids, members))


# How far ahead a recurring message's sendings are compared with the other messages about
# its campaign (as for the working hours, `first_held_run`).
SAME_DAY_RUNS = 14


def same_day_campaign_sendings(
    template: MessageTemplate,
    params: dict,
    kind: str,
    now: datetime,
    at: datetime | None = None,
    cron: str | None = None,
    until: date | None = None,
) -> list[tuple]:
    """Other templates' messages to the same campaign's people on a day this one goes (the
    Paris calendar; a recurring message's next SAME_DAY_RUNS sendings), each with its
    moment that day, soonest first: the built-in launch at the start, and one's own
    launch that morning, gave everyone two. The same template is `same_message`'s."""
    campaign_id = database_id((params or {}).get("campaign_id"))
    if campaign_id is None:
        return []
    if kind == "cron":
        ours = runs_between(cron or "", now, now + timedelta(days=366), until, SAME_DAY_RUNS)
    else:
        ours = [at if kind == "at" and at is not None else now]
    if not ours:
        return []
    zone = local_zone()
    days = {run.astimezone(zone).date() for run in ours}
    start = datetime.combine(min(days), datetime.min.time(), tzinfo=zone)
    end = datetime.combine(max(days) + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    dispatches, schedules = campaign_sendings(campaign_id, template.id, start, end, now)
    found = [(d, d.due_at) for d in dispatches if d.due_at.astimezone(zone).date() in days]
    for schedule in schedules:
        theirs = runs_between(schedule.cron or "", max(start, now), end, schedule.until)
        first = next((run for run in theirs if run.astimezone(zone).date() in days), None)
        if first is not None:
            found.append((schedule, first))
    return sorted(found, key=lambda sending: sending[1])


# The built-in messages that speak of the campaign's calendar, and the whole days left
# (as `days_left` counts them, calendar days) at which their words still hold: « Plus qu'une
# semaine » read with « Il reste 17 jours » was sent by hand 17 days before the end.
CAMPAIGN_TIMED_DAYS = {
    "campaign-reminder": range(7, 9),
    "campaign-last-48h": range(1, 3),
}
CAMPAIGN_TIMED = ("campaign-launch", "campaign-results", *CAMPAIGN_TIMED_DAYS)
# Built-ins about one campaign whose words hold at any moment while it runs (no calendar
# check): they still name it, so they need it chosen as the calendar-timed ones do.
CAMPAIGN_NAMED = (*CAMPAIGN_TIMED, "campaign-not-participated", "campaign-extended")


@dataclass(frozen=True)
class TimingMismatch:
    """A built-in campaign message going out when its words do not fit the calendar.

    `days_left` at that moment (0: no campaign running for its recipients then);
    `running_before`: the campaign was already running a day earlier (a late launch)."""

    key: str
    campaign_name: str
    days_left: int
    running_before: bool = False
    ends_when: str = ""  # "today at 23:22": whole days said "1 day" minutes before the end


def campaign_timing_mismatch(
    template: MessageTemplate, audience_key: str, params: dict, when: datetime, language: str
) -> TimingMismatch | None:
    """Whether a campaign-timed built-in would go out at `when` saying what the calendar
    contradicts, as one of its recipients would read it (names in `language`); None when
    it fits, or when no campaign domain gives the days left."""
    if template.key not in CAMPAIGN_TIMED or "days_left" not in known_variables():
        return None
    sample_id = db.session.scalar(audience_select(audience_key, params, when).limit(1))
    sample = db.session.get(User, sample_id) if sample_id is not None else None
    if sample is None:
        return None

    # The campaign the audience names, as `create_dispatch` passes it on; else the one in
    # the recipient's own scope (two running campaigns: the form's, not the other one).
    named = database_id(params.get("campaign_id"))
    context = {"campaign_id": named} if named is not None else {}

    def campaign_at(moment: datetime) -> tuple[str, int, str]:
        reader = [_InLanguage(sample, language)]
        values = variables_for(reader, moment, context).get(sample.id, {})
        name, ends = str(values.get("campaign_name", "")), str(values.get("ends_when", ""))
        return name, getattr(values.get("days_left"), "value", 0), ends

    name, left, ends = campaign_at(when)
    if template.key in CAMPAIGN_TIMED_DAYS:
        fits = left in CAMPAIGN_TIMED_DAYS[template.key]
    elif template.key == "campaign-results":
        fits = left == 0 and bool(name)
    else:  # the launch: running now, and not yet a day before
        before_name, before_left, _ends = campaign_at(when - timedelta(days=1))
        running_before = bool(left and before_left and before_name == name)
        if left and not running_before:
            return None
        return TimingMismatch(template.key, name, left, running_before, ends)
    return None if fits else TimingMismatch(template.key, name, left, ends_when=ends)


def require_campaign_named(
    template: MessageTemplate, audience_key: str, params: dict, context: dict, now: datetime
) -> None:
    """MessagingError (at `campaign_id`) when a built-in campaign message names no campaign
    that gives its variables: its texts leave out what they lack, so everyone would read
    « C'est parti : la campagne » with no name nor dates. The campaign is the context's,
    else the audience's `campaign_id` (as `create_dispatch` passes it on)."""
    if template.key not in CAMPAIGN_NAMED:
        return
    named = context.get("campaign_id", params.get("campaign_id"))
    if named in (None, ""):
        raise MessagingError(
            _("This message speaks of one campaign: choose the campaign it is about."),
            field="campaign_id",
        )
    campaign_id = database_id(named)
    sample_id = db.session.scalar(audience_select(audience_key, params, now).limit(1))
    sample = db.session.get(User, sample_id) if sample_id is not None else None
    values = {}
    if campaign_id is not None and sample is not None:
        values = variables_for([sample], now, {"campaign_id": campaign_id}).get(sample.id, {})
    if "campaign_name" not in values:
        raise MessagingError(
            _(
                "There is no campaign %(campaign)s to give this message its name and dates.",
                campaign=named,
            ),
            field="campaign_id",
        )


def schedule_message(
    template: MessageTemplate,
    audience_key: str,
    params: dict,
    kind: str,
    now: datetime,
    actor=None,
    at: datetime | None = None,
    cron: str | None = None,
    once: str | None = None,
    until: date | None = None,
) -> Dispatch | Schedule:
    """Schedule a template for an audience: now, at a time, or recurring (cron), then
    until the day `until` (included) when given.

    `once`: the token of the organiser's confirmation. A second call with it fails on
    the unique key (IntegrityError) rather than sending to everyone again."""
    if kind != "cron":
        until = None  # a date left in its field while sending once is not used
    check_schedule(template, audience_key, params, kind, now, at=at, cron=cron, until=until)
    dedupe_key = confirmation_key(once) if once else None
    if kind == "cron":
        schedule = Schedule(
            template_id=template.id,
            audience_key=audience_key,
            audience_params=params,
            kind="cron",
            cron=(cron or "").strip(),
            until=until,
            created_by_id=getattr(actor, "id", None),
            created_at=now,
            dedupe_key=dedupe_key,
        )
        db.session.add(schedule)
        db.session.flush()
        summary = audit_summary(schedule.cron, until)
        record_audit(actor, "create", "messaging_schedule", schedule.id, now, summary)
        return schedule
    due = at if kind == "at" else now
    dispatch = create_dispatch(
        template, audience_key, params, due, now, actor=actor, dedupe_key=dedupe_key
    )
    record_audit(actor, "create", "messaging_dispatch", dispatch.id, now, template.key)
    return dispatch


def create_dispatch(
    template: MessageTemplate,
    audience_key: str,
    params: dict,
    due_at: datetime,
    now: datetime,
    *,
    actor=None,
    context: dict | None = None,
    schedule: Schedule | None = None,
    dedupe_key: str | None = None,
) -> Dispatch:
    """A dispatch due at `due_at`; its outbox is written when it comes due."""
    context = dict(context or {})
    campaign_id = database_id(params.get("campaign_id")) if params else None
    if campaign_id is not None and "campaign_id" not in context:
        # The participants of campaign X read about X: left to its variables, each
        # recipient read about the campaign of their own scope.
        context["campaign_id"] = campaign_id
    dispatch = Dispatch(
        template_id=template.id,
        schedule_id=schedule.id if schedule else None,
        audience_key=audience_key,
        audience_params=params or {},
        context=context,
        dedupe_key=dedupe_key,
        due_at=due_at,
        status="scheduled",
        created_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    db.session.add(dispatch)
    db.session.flush()
    return dispatch


def cancel_dispatch(dispatch: Dispatch, actor, now: datetime) -> bool:
    """Cancel a dispatch that has not started sending; False when it was cancelled
    already (a page left open in another tab): the first cancel is the one recorded.

    Only while it is still scheduled, in one conditional UPDATE: a sender starting it at
    this very moment (`_start_sending`) wins or loses as a whole, and the page never says
    "Cancelled" of a dispatch that goes out."""
    cancelled = db.session.execute(
        update(Dispatch)
        .where(Dispatch.id == dispatch.id, Dispatch.status == "scheduled")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(dispatch, ["status"])
    if cancelled != 1 and dispatch.status == "cancelled":
        return False
    if cancelled != 1:
        raise MessagingError(_("Only a dispatch that has not started can be cancelled."))
    record_audit(actor, "cancel", "messaging_dispatch", dispatch.id, now)
    return True


def deactivate_schedule(schedule: Schedule, actor, now: datetime) -> bool:
    """Stop a recurring schedule; it stays listed as stopped, by whom and when. False
    when it was stopped already (two tabs): the first stop is the one recorded."""
    if not schedule.active:
        return False
    schedule.active = False
    schedule.stopped_at = now
    schedule.stopped_by_id = getattr(actor, "id", None)
    db.session.flush()
    record_audit(actor, "deactivate", "messaging_schedule", schedule.id, now)
    return True


def last_sending(schedule: Schedule) -> datetime | None:
    """When a recurring schedule last sent (its latest dispatch not cancelled)."""
    return db.session.scalar(
        select(func.max(Dispatch.due_at)).where(
            Dispatch.schedule_id == schedule.id, Dispatch.status != "cancelled"
        )
    )


def dispatch_for_schedule(schedule: Schedule, now: datetime) -> Dispatch | None:
    """One occurrence of a recurring schedule (at most one per minute, even if fired twice).

    Never two within MIN_INTERVAL (less the lateness a run may have), whatever the stored
    rhythm: a schedule saved before the once-a-day rule may fire every few minutes; its
    extra occurrences are skipped."""
    if not schedule.active:
        return None
    if schedule.until is not None and now - RUN_LATENESS > last_moment(schedule.until):
        # Past its last day: a job left in the store (a scheduler not yet synced) sends
        # nothing. An occurrence of its last evening run a little late still goes.
        log.info("schedule %s ended on %s: nothing sent", schedule.id, schedule.until)
        return None
    campaign = ended_with_campaign(schedule, now)
    if campaign is not None and db.session.scalar(
        select(Dispatch.id)
        .where(Dispatch.schedule_id == schedule.id, Dispatch.due_at >= campaign.ends_at)
        .limit(1)
    ):
        # Its first run after the end was skipped, its reason on its dispatch's page
        # (`why_not_sendable`); the next ones leave nothing more to read.
        log.info("schedule %s ended with its campaign %s: nothing sent", schedule.id, campaign.id)
        return None
    if wrong_audience(schedule.template.key, schedule.audience_key) and _told_wrong_audience(
        schedule
    ):
        # Its first run was skipped, its reason on its dispatch's page; the next ones
        # leave nothing more to read.
        log.info("schedule %s goes to an audience its template refuses: nothing sent", schedule.id)
        return None
    key = f"schedule:{schedule.id}:{now.strftime('%Y%m%d%H%M')}"
    if db.session.scalar(select(Dispatch.id).where(Dispatch.dedupe_key == key)):
        return None
    last = last_sending(schedule)
    if last is not None and now - last < MIN_INTERVAL - RUN_LATENESS:
        log.warning(
            "schedule %s skipped at %s: it last sent at %s, less than %s ago (cron %r)",
            schedule.id,
            now.isoformat(),
            last.isoformat(),
            MIN_INTERVAL,
            schedule.cron,
        )
        return None
    return create_dispatch(
        schedule.template,
        schedule.audience_key,
        schedule.audience_params,
        now,
        now,
        schedule=schedule,
        dedupe_key=key,
    )


def _told_wrong_audience(schedule: Schedule) -> bool:
    """Whether a run of this schedule was already skipped for going to an audience its
    template refuses (`SKIP_WRONG_AUDIENCE`)."""
    skipped = db.session.scalars(
        select(Dispatch.context).where(
            Dispatch.schedule_id == schedule.id, Dispatch.status == "skipped"
        )
    )
    return any((context or {}).get(NOT_SENT) == SKIP_WRONG_AUDIENCE for context in skipped)


# --- campaign events -------------------------------------------------------------------

CAMPAIGN_EVENTS = (
    ("launch", "campaign-launch"),
    ("reminder", "campaign-reminder"),
    ("last-48h", "campaign-last-48h"),
)


# Who receives each campaign message. The launch, the reminder and the last 48 hours
# go to every person in the campaign's scope (its departments, or everyone), so
# people who have not joined yet are invited too; the results go to the people who
# took part. The audiences are the clean-up domain's; without it, everyone.
CAMPAIGN_AUDIENCES = {
    "launch": "campaign-scope",
    "reminder": "campaign-scope",
    "last-48h": "campaign-scope",
    "results": "campaign-participants",
    "extended": "campaign-scope",
}


def _campaign_audience(event: str, campaign) -> tuple[str, dict]:
    key = CAMPAIGN_AUDIENCES[event]
    if key in known_audiences():
        return key, {"campaign_id": campaign.id}
    return "everyone", {}


# The campaign messages counted from its end: an extension moves them.
CAMPAIGN_END_EVENTS = ("reminder", "last-48h")


def campaign_message_moments(campaign, now: datetime) -> dict[str, datetime]:
    """The built-in messages a publication at `now` schedules, each event's moment, in
    `CAMPAIGN_EVENTS`' order: the launch at the start, a reminder a week before the end,
    the last 48 hours. A short campaign has no reminder; past moments are not sent late;
    last 48 hours with no working hour in them have no message. The publish question
    lists these (clean-up asks through `campaign_messages_asked`): what it says is what
    `schedule_campaign_messages` creates."""
    moments = {
        "launch": max(campaign.starts_at, now),
        "reminder": campaign.ends_at - timedelta(days=7),
        "last-48h": campaign.ends_at - timedelta(hours=48),
    }
    planned = {}
    for event, _key in CAMPAIGN_EVENTS:
        due = _campaign_working_moment(event, moments[event], campaign, now)
        if due is None or due < now or (event != "launch" and due <= campaign.starts_at):
            continue
        planned[event] = due
    return planned


def schedule_campaign_messages(
    campaign, now: datetime, events: tuple[str, ...] | None = None
) -> list[Dispatch]:
    """On publication: launch at the start, a reminder a week before the end, the last 48 hours.

    `events`: only those. A dispatch already scheduled moves to the new moment; one that
    has started, or been sent or cancelled, stays as it is.
    """
    planned = campaign_message_moments(campaign, now)
    created = []
    for event, key in CAMPAIGN_EVENTS:
        if events is not None and event not in events:
            continue
        due = planned.get(event)
        dedupe = f"campaign:{campaign.id}:{event}"
        existing = db.session.scalar(select(Dispatch).where(Dispatch.dedupe_key == dedupe))
        left_out = due is None
        if existing is not None:
            if existing.status != "scheduled":
                continue  # started, sent or cancelled: it stays as it is
            if left_out and campaign.ends_at <= now:
                # Ended early: listed as not sent, with the day the campaign ended,
                # among the sent and cancelled ones, rather than vanishing.
                _mark_not_sent(existing, now)
            elif left_out:
                # Dates corrected so that this message no longer fits (« Plus qu'une
                # semaine » before the start, or at once): it goes, and comes back if
                # a later correction leaves room for it again.
                db.session.delete(existing)
            else:  # republished or extended: new dates
                existing.due_at = due
            continue
        if left_out:
            continue
        template = template_by_key(key)
        audience, params = _campaign_audience(event, campaign)
        created.append(
            create_dispatch(
                template,
                audience,
                params,
                due,
                now,
                context={"campaign_id": campaign.id},
                dedupe_key=dedupe,
            )
        )
    db.session.flush()
    return created


def _campaign_working_moment(event: str, due: datetime, campaign, now: datetime) -> datetime | None:
    """A reminder's moment moved into MAIL_WORKING_HOURS, so that nobody reads
    « Dernières 48 heures » on a Sunday morning: the next window while it leaves a day
    before the end, else (one week left) the last working hour before `due`. The last 48
    hours never leave them: the first working moment before the end, or None (no such
    message) when the whole of them is outside the working hours. The launch stays at the
    start: its inbox copies go then, its e-mails wait for the window as any e-mail does
    (moved, a campaign published or starting on a Saturday was told of on Monday)."""
    if event == "launch" or within_working_hours(due):
        return due
    later = next_working_window(due)
    if event == "last-48h":
        # Sent earlier, it would say « Dernières 48 heures » above « se termine dans
        # 3 jours »: late in the last 48 hours is better than a subject that is false.
        return later if later is not None and later < campaign.ends_at else None
    if later is not None and later <= campaign.ends_at - timedelta(hours=24):
        return later
    zone = local_zone()
    local = due.astimezone(zone).replace(tzinfo=None)
    spans = _working_hours().intervals(local - timedelta(days=7), local)
    opened = [
        (start, end) for start, end, state, _note in spans if state == opening_hours.State.OPEN
    ]
    if not opened:
        return due
    start, end = opened[-1]
    earlier = max(start, end - timedelta(hours=1)).replace(tzinfo=zone).astimezone(due.tzinfo)
    return earlier if now <= earlier and campaign.starts_at < earlier else due


def follow_campaign_end(campaign, now: datetime) -> list[Dispatch]:
    """On extension: the reminder and the last 48 hours not sent yet move with the end
    (one a short campaign had no room for is scheduled if the new end leaves some)."""
    return schedule_campaign_messages(campaign, now, CAMPAIGN_END_EVENTS)


def organiser_messages_about(campaign_id: int) -> list[Dispatch]:
    """The one-off dispatches an organiser scheduled about a campaign and still to go,
    soonest first: not its built-in messages (`campaign:<id>:…`), which follow its dates."""
    dispatches = db.session.scalars(
        select(Dispatch)
        .where(
            Dispatch.status == "scheduled",
            Dispatch.schedule_id.is_(None),
            Dispatch.audience_key.not_in((NOTICE_AUDIENCE, TEST_AUDIENCE)),
        )
        .order_by(Dispatch.due_at, Dispatch.id)
    )
    return [
        dispatch
        for dispatch in dispatches
        if database_id((dispatch.context or {}).get("campaign_id")) == campaign_id
        and not (dispatch.dedupe_key or "").startswith(f"campaign:{campaign_id}:")
    ]


def drop_messages_of_ended_campaign(campaign, now: datetime) -> list[Dispatch]:
    """At a campaign's end (closed early): the messages about it that would be skipped
    when due (`why_not_sendable`: one counting down to its end) are marked not sent at
    once, their reason on their page, rather than listed as scheduled until their date
    while the end-now question says they will not go."""
    if getattr(campaign, "published_at", None) is None or campaign.ends_at > now:
        return []
    return [
        dispatch
        for dispatch in organiser_messages_about(campaign.id)
        if why_not_sendable(dispatch, now) == SKIP_CAMPAIGN_ENDED and _mark_not_sent(dispatch, now)
    ]


def _mark_not_sent(dispatch: Dispatch, now: datetime) -> bool:
    """A scheduled dispatch about a campaign ended before its date marked not sent now, its
    reason kept (`campaign_ended`); False if a sender started it meanwhile."""
    skipped = db.session.execute(
        update(Dispatch)
        .where(Dispatch.id == dispatch.id, Dispatch.status == "scheduled")
        .values(
            status="skipped",
            completed_at=now,
            context={**(dispatch.context or {}), NOT_SENT: SKIP_CAMPAIGN_ENDED},
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(dispatch, ["status", "completed_at", "context"])
    return skipped == 1


def reschedulable(dispatch: Dispatch) -> bool:
    """Whether a dispatch may move to another date: a one-off an organiser scheduled, not
    started; not a recurring message's run, a notice, a test, nor a built-in campaign
    message (those follow the campaign's dates)."""
    return (
        dispatch.status == "scheduled"
        and dispatch.schedule_id is None
        and dispatch.audience_key not in (NOTICE_AUDIENCE, TEST_AUDIENCE)
        and not (dispatch.dedupe_key or "").startswith("campaign:")
    )


def reschedule_dispatch(dispatch: Dispatch, actor, due_at: datetime, now: datetime) -> bool:
    """Move a one-off dispatch an organiser scheduled to another moment, checked as a new
    one would be (future, within a year, a countdown not after its campaign's end);
    audited with both moments. False when the moment is the same."""
    if not reschedulable(dispatch):
        raise MessagingError(
            _("Only a message scheduled once, not yet sent, can be moved to another date."),
            field="at",
        )
    if due_at == dispatch.due_at:
        return False
    params = dispatch.audience_params or {}
    check_schedule(dispatch.template, dispatch.audience_key, params, "at", now, at=due_at)
    before = dispatch.due_at
    moved = db.session.execute(
        update(Dispatch)
        .where(Dispatch.id == dispatch.id, Dispatch.status == "scheduled")
        .values(due_at=due_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(dispatch, ["status", "due_at"])
    if moved != 1:  # a sender started it meanwhile
        raise MessagingError(
            _("Only a message scheduled once, not yet sent, can be moved to another date."),
            field="at",
        )
    summary = f"due_at {before.isoformat()} -> {due_at.astimezone(UTC).isoformat()}"
    record_audit(actor, "reschedule", "messaging_dispatch", dispatch.id, now, summary)
    return True


def schedule_campaign_results(campaign, now: datetime) -> Dispatch | None:
    """On closing: the results message, once."""
    return _campaign_message_once(campaign, "results", f"campaign:{campaign.id}:results", now)


def announce_extension(campaign, now: datetime) -> Dispatch | None:
    """On an extension the organiser asked to tell: « Campagne prolongée » to the
    campaign's people (its scope), due now, once per new end."""
    end = campaign.ends_at.astimezone(UTC).strftime("%Y%m%d%H%M")
    dedupe = f"campaign:{campaign.id}:extended:{end}"
    if campaign.ends_at <= now:
        return None
    return _campaign_message_once(campaign, "extended", dedupe, now)


def _campaign_message_once(campaign, kind: str, dedupe: str, now: datetime) -> Dispatch | None:
    """The built-in `campaign-<kind>` to the campaign's people, due now, unless a dispatch
    with this `dedupe` key exists already."""
    if db.session.scalar(select(Dispatch.id).where(Dispatch.dedupe_key == dedupe)):
        return None
    audience, params = _campaign_audience(kind, campaign)
    return create_dispatch(
        template_by_key(f"campaign-{kind}"),
        audience,
        params,
        now,
        now,
        context={"campaign_id": campaign.id},
        dedupe_key=dedupe,
    )


def send_notice(
    template_key: str, user_id: int, context: dict, now: datetime, dedupe_key: str
) -> Dispatch | None:
    """A message to one person, due now: in their inbox, and by e-mail if they consented.

    Delivered by the scheduler's next tick like any dispatch; `dedupe_key` makes a second
    call for the same event (a signal sent twice) a no-op.
    """
    if db.session.scalar(select(Dispatch.id).where(Dispatch.dedupe_key == dedupe_key)):
        return None
    return create_dispatch(
        template_by_key(template_key),
        NOTICE_AUDIENCE,
        {"user_id": user_id},
        now,
        now,
        context=context,
        dedupe_key=dedupe_key,
    )


def review_notice(
    entry_id: int,
    campaign_id: int,
    user_id: int,
    accepted: bool,
    now: datetime,
    decided: dict | None = None,
):
    """Tell the author of a reviewed clean-up entry whether it counts, and why not, as it
    was decided (`decided`: the entry's figures then, kept in the dispatch's context).

    Each decision is told: an entry accepted, then corrected and flagged again, is
    decided a second time. The key names the decision's moment (a decision is recorded
    once: deciding an entry no longer flagged is refused), so the second is not taken
    for the first told again."""
    context = {"campaign_id": campaign_id, "entry_id": entry_id}
    if decided:
        context["decided"] = dict(decided)  # the reason's language with it (rendering)
    return send_notice(
        "entry-accepted" if accepted else "entry-rejected",
        user_id,
        context,
        now,
        f"entry:{entry_id}:reviewed:{now:%Y%m%dT%H%M%S.%f}",
    )


def custody_notice(return_id: int, user_id: int, step: str, now: datetime, occurrence: int = 1):
    """Tell the owner of a returned device what an agent recorded: received, wiped, its
    outcome. `occurrence`: which step of that kind in the return's chain (a receipt undone,
    then recorded again, is a second "received"); the same step told twice is told once."""
    key = f"return:{return_id}:{step}"  # the first keeps the key notices were sent with
    return send_notice(
        "device-custody",
        user_id,
        {"return_id": return_id, "step": step},
        now,
        key if occurrence <= 1 else f"{key}:{occurrence}",
    )


def waiting_return_notice(return_id: int, user_id: int, now: datetime):
    """Remind the owner of a declared device that no agent has received it yet."""
    return send_notice(
        "device-return-reminder",
        user_id,
        {"return_id": return_id, "step": "declared"},
        now,
        f"return:{return_id}:reminder",
    )


def point_closed_notices(
    point_id: int, note: str, owners: dict[int, list[int]], now: datetime
) -> list[Dispatch]:
    """Tell each person whose declarations still wait at a point just closed: one notice
    per person and closure, naming all their devices there (recycling words it), in the
    `device-custody` template; `owners` maps each person to their returns' ids."""
    closure = now.strftime("%Y%m%dT%H%M%S%f")  # a point closed again later is told again
    dispatches = []
    for user_id, return_ids in owners.items():
        context = {"closed_point_id": point_id, "return_ids": list(return_ids),
                   "closure_note": note or ""}  # fmt: skip
        dedupe = f"point:{point_id}:closed:{closure}:{user_id}"
        if dispatch := send_notice("device-custody", user_id, context, now, dedupe):
            dispatches.append(dispatch)
    return dispatches


def decision_notice(request_id: int, user_id: int, approved: bool, now: datetime):
    """Tell a person an admin's decision on their equipment or service request."""
    return send_notice(
        "request-approved" if approved else "request-refused",
        user_id,
        {"request_id": request_id},
        now,
        f"request:{request_id}:decided",
    )


# --- the outbox ------------------------------------------------------------------------


def skip_if_not_sendable(dispatch: Dispatch, now: datetime) -> bool:
    """Mark a due dispatch "skipped" when what it names is no longer offered (a campaign
    still a draft, or deleted, since it was planned; a department gone): its message
    would name no campaign, or reach nobody meant. The reason ("campaign" or "audience")
    is kept in its context for the dispatch's page. False when it may go."""
    reason = why_not_sendable(dispatch, now)
    if reason is None:
        return False
    dispatch.status, dispatch.completed_at = "skipped", now
    dispatch.context = {**(dispatch.context or {}), NOT_SENT: reason}
    db.session.flush()
    log.warning("dispatch %s not sent: %s", dispatch.id, reason)
    return True


def why_not_sendable(dispatch: Dispatch, now: datetime) -> str | None:
    """ "campaign" when the campaign a dispatch is about is no longer offered (a draft, or
    deleted), "audience" when its audience no longer exists, "campaign_ended" when that
    campaign has ended (closed early too) and the dispatch speaks of it as running: a
    recurring message's, or one counting down to the end; "no_value" when no recipient
    would be given a variable it uses (`results_url` of a campaign extended past it,
    the message would fail for everyone); "wrong_audience" for a built-in written for one
    audience planned for another before that was refused (« Pas encore participé » to a
    campaign's whole scope). None when it may go, and
    always for a notice or a test (to one person, about something of theirs)."""
    if dispatch.audience_key in (NOTICE_AUDIENCE, TEST_AUDIENCE):
        return None
    if wrong_audience(dispatch.template.key, dispatch.audience_key):
        return SKIP_WRONG_AUDIENCE
    named = (dispatch.context or {}).get("campaign_id")
    try:
        if named is not None:
            require_offered("campaign_id", named)
        audience_select(dispatch.audience_key, dispatch.audience_params, now)
    except MessagingError as error:
        return "campaign" if error.field == "campaign_id" else "audience"
    if named is not None and ended_campaign(named, now) is not None:
        kept = dispatch.sent_text or text_sent_by(dispatch.template)
        texts = {field: kept.get(field) or "" for field in TEMPLATE_FIELDS}
        if dispatch.schedule_id is not None or counts_down(texts):
            return SKIP_CAMPAIGN_ENDED
    kept = dispatch.sent_text or text_sent_by(dispatch.template)
    texts = {field: kept.get(field) or "" for field in TEMPLATE_FIELDS}
    audience = dispatch.audience_key, dispatch.audience_params
    if missing_for_everyone(texts, *audience, dispatch.context or {}, now, now):
        # Planned before a campaign's end, which moved past it (extended).
        return SKIP_NO_VALUE
    return None


def _start_sending(dispatch: Dispatch, now: datetime) -> bool:
    """Move a scheduled dispatch to "sending", only if it is still scheduled: False when
    an organiser cancelled it meanwhile. The row stays locked to this transaction, so a
    cancel arriving now waits for it and then finds the dispatch started."""
    started = db.session.execute(
        update(Dispatch)
        .where(Dispatch.id == dispatch.id, Dispatch.status == "scheduled")
        .values(status="sending", prepared_at=now, sent_text=text_sent_by(dispatch.template))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(dispatch, ["status", "prepared_at", "sent_text"])
    return started == 1


def text_sent_by(template: MessageTemplate) -> dict:
    """What a dispatch keeps of its template when it starts: its name and four texts."""
    return {"name": template.name, **{field: getattr(template, field) for field in TEMPLATE_FIELDS}}


def compiled_for(dispatch: Dispatch) -> CompiledTemplate:
    """The text a dispatch sends: the one kept when it started (an e-mail held until
    Monday goes with the words its inbox copy went with on Friday), else its template's."""
    kept = dispatch.sent_text
    if kept:
        return CompiledTemplate.from_texts(kept, kept.get("name") or dispatch.template.name)
    return CompiledTemplate.compile(dispatch.template)


def text_of_dispatch(dispatch: Dispatch) -> dict | None:
    """The name and texts a dispatch sent, for its page: those kept when it started, else
    (sent before they were kept) its template's while unchanged since; None when they are
    no longer known, or not yet (still scheduled: its template's current text goes)."""
    if dispatch.sent_text:
        return dispatch.sent_text
    template = dispatch.template
    if dispatch.prepared_at is not None and template.updated_at <= dispatch.prepared_at:
        return text_sent_by(template)
    return None


def prepare_dispatch(dispatch: Dispatch, now: datetime) -> int | None:
    """Write the outbox: one row per recipient and channel, in one INSERT … SELECT; None,
    writing nothing, when the dispatch is no longer scheduled (cancelled at the last
    moment, or started by another sender).

    E-mail rows of people who did not consent are written as skipped at once, and their
    inbox rows too for an audience whose messages need it (`needs_consent`). The rows
    are numbered person by person, so a claimed batch holds both rows of each person:
    their variables are computed and their message rendered once for the two channels.
    """
    if not _start_sending(dispatch, now):
        return None
    ids = audience_select(dispatch.audience_key, dispatch.audience_params, now).subquery()
    recipients = (
        select(User.id, User.email_opt_in, User.locale).where(User.id.in_(select(ids))).subquery()
    )
    consented = recipients.c.email_opt_in.is_(True)
    # An encouragement (`needs_consent`): its inbox copy needs the consent too.
    consent_only = needs_consent(dispatch.audience_key)
    per_channel = []
    for channel in ("inbox", "email"):
        checked = channel == "email" or consent_only
        status = case((consented, "pending"), else_="skipped") if checked else literal("pending")
        no_reason = cast(null(), String)  # typed: PostgreSQL unites it with the e-mail's
        reason = case((consented, no_reason), else_=SKIP_NO_CONSENT) if checked else no_reason
        per_channel.append(
            select(
                literal(dispatch.id).label("dispatch_id"),
                recipients.c.id.label("user_id"),
                literal(channel).label("channel"),
                status.label("status"),
                reason.label("error"),
                literal(0).label("attempts"),
                recipients.c.locale.label("locale"),
            )
        )
    rows = union_all(*per_channel).subquery()
    columns = ["dispatch_id", "user_id", "channel", "status", "error", "attempts", "locale"]
    source = select(*(rows.c[name] for name in columns)).order_by(rows.c.user_id, rows.c.channel)
    db.session.execute(insert(Delivery).from_select(columns, source))
    count = db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.dispatch_id == dispatch.id, Delivery.channel == "inbox")
    )
    dispatch.recipients = count or 0
    db.session.flush()
    return dispatch.recipients


# The calendar `PH` (public holidays) follows in MAIL_WORKING_HOURS: the portal's.
WORKING_HOURS_COUNTRY = "FR"


@lru_cache(maxsize=8)
def _parsed_working_hours(expression: str) -> opening_hours.OpeningHours:
    return opening_hours.OpeningHours(expression, country=WORKING_HOURS_COUNTRY)


def _working_hours() -> opening_hours.OpeningHours:
    """MAIL_WORKING_HOURS, with the French public holidays (`PH off`: no e-mail on 25 Dec)."""
    return _parsed_working_hours(current_app.config["MAIL_WORKING_HOURS"].strip())


def within_working_hours(now: datetime) -> bool:
    """True when e-mail may go out (MAIL_WORKING_HOURS, in the portal's time zone)."""
    expression = current_app.config.get("MAIL_WORKING_HOURS") or "24/7"
    if expression.strip() == "24/7":
        return True
    local = now.astimezone(local_zone()).replace(tzinfo=None)
    return _working_hours().is_open(local)


def next_working_window(now: datetime) -> datetime | None:
    """When e-mail may go out next (now if open), as an aware UTC datetime."""
    if within_working_hours(now):
        return now
    local = now.astimezone(local_zone()).replace(tzinfo=None)
    change = _working_hours().next_change(local)
    return change.replace(tzinfo=local_zone()).astimezone(now.tzinfo) if change else None


def first_held_run(expression: str, now: datetime, runs: int = 14) -> tuple | None:
    """(run, when its e-mails go) for the first of a rhythm's next `runs` sendings that
    falls outside MAIL_WORKING_HOURS, or None: its inbox copies go at once, its e-mails
    wait for the working hours, where those of several days arrive together."""
    try:
        trigger = cron_trigger(expression)
    except (ValueError, TypeError):
        return None
    run = trigger.get_next_fire_time(None, now)
    for _sending in range(runs):
        if run is None:
            return None
        if not within_working_hours(run):
            window = next_working_window(run)
            return (run, window) if window else None
        run = trigger.get_next_fire_time(run, run + timedelta(seconds=1))
    return None


def email_paused_until(now: datetime) -> datetime | None:
    """When e-mails waiting for the working hours (the right to disconnect) go out next;
    None while e-mail may go out now."""
    return None if within_working_hours(now) else next_working_window(now)


def _claimable(dispatch_id: int, now: datetime, email_open: bool):
    conditions = [
        Delivery.dispatch_id == dispatch_id,
        Delivery.status == "pending",
        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
    ]
    if not email_open:
        conditions.append(Delivery.channel == "inbox")  # the inbox is never held back
    return and_(*conditions)


def claim_batch(dispatch_id: int, now: datetime, size: int, lease_seconds: int) -> str | None:
    """Claim up to `size` due rows for this sender; returns the claim token (None: nothing).

    PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so concurrent senders take different rows.
    SQLite: a conditional UPDATE (one writer at a time) re-checks the row is still free.
    The caller commits at once so that the claim is visible to other senders.
    """
    token = secrets.token_hex(16)
    condition = _claimable(dispatch_id, now, within_working_hours(now))
    values = {
        "claim_token": token,
        "claimed_until": now + timedelta(seconds=lease_seconds),
        "attempts": Delivery.attempts + 1,
    }
    if db.engine.dialect.name == "postgresql":
        ids = db.session.scalars(
            select(Delivery.id)
            .where(condition)
            .order_by(Delivery.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        ).all()
        if not ids:
            return None
        db.session.execute(
            update(Delivery).where(Delivery.id.in_(ids)).values(**values),
            execution_options={"synchronize_session": False},
        )
        return token
    chosen = select(Delivery.id).where(condition).order_by(Delivery.id).limit(size)
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(chosen.scalar_subquery()), condition)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    return token if result.rowcount else None


def leased_elsewhere(dispatch_id: int, now: datetime) -> int:
    """Due rows still held by a sender's lease (alive, or killed and not yet expired)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.dispatch_id == dispatch_id,
                Delivery.status == "pending",
                Delivery.claimed_until >= now,
                or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
            )
        )
        or 0
    )


def _reason_noted(values: dict, context: dict | None, language: str) -> dict:
    """A person's variables with the organiser's reason followed by « (in French) » when
    it is written in another language than their message: the plain text says so, and
    the HTML copies mark the reason with its `lang` (`foreign_reason`)."""
    foreign = foreign_reason(context, language)
    if foreign is None or values.get("review_reason") != foreign.text:
        return values
    return {**values, "review_reason": f"{foreign.text} {foreign.note}"}


@dataclass
class BatchResult:
    delivered: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0
    left: int = 0  # not sent before the lease ran short: claimable again at once


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base… (MESSAGING_RETRY_SECONDS)."""
    base = current_app.config["MESSAGING_RETRY_SECONDS"]
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def deliver_claimed(
    dispatch: Dispatch,
    token: str,
    compiled: CompiledTemplate,
    mailer,
    now: datetime,
    variables: RecipientVariables | None = None,
    *,
    consent_required: bool = True,
    locale: str | None = None,
    list_unsubscribe: bool = True,
) -> BatchResult:
    """Render and deliver the rows claimed with `token`; one bulk UPDATE of their statuses.

    `variables` carries the dispatch's variables from batch to batch (computed here when
    absent); `consent_required=False` e-mails a person who has not consented (a test
    message they asked for); `locale` writes every row in that language rather than
    each person's (a test in the language its author chose); `list_unsubscribe=False`
    leaves out the unsubscribe headers (a test, which is no mailing to leave).
    """
    started = time.monotonic()
    rows = db.session.execute(
        select(
            Delivery.id,
            Delivery.user_id,
            Delivery.channel,
            Delivery.attempts,
            # What a held e-mail's inbox copy said (`_hold_emails`), or its last attempt.
            Delivery.locale.label("kept_locale"),
            Delivery.subject.label("kept_subject"),
            Delivery.body.label("kept_body"),
            User.email,
            User.email_opt_in,
            User.locale,
            (User.active.is_(True) & User.anonymised_at.is_(None)).label("reachable"),
            exists()
            .where(
                ErasureRequest.user_id == Delivery.user_id,
                ErasureRequest.executed_at.is_(None),
                ErasureRequest.cancelled_at.is_(None),
            )
            .label("erasure_pending"),
        )
        .outerjoin(User, User.id == Delivery.user_id)
        # Claimed rows are pending: the claim index finds them without reading the outbox.
        .where(
            Delivery.dispatch_id == dispatch.id,
            Delivery.status == "pending",
            Delivery.claim_token == token,
        )
        .order_by(Delivery.id)
    ).all()
    if variables is None:
        variables = RecipientVariables(dispatch.id, dispatch.context)
    people = variables.for_users({row.user_id for row in rows if row.email}, now)
    max_attempts = current_app.config["MESSAGING_MAX_ATTEMPTS"]
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    consent_only = needs_consent(dispatch.audience_key)
    rendered: dict[int, tuple[str, str] | Exception] = {}
    updates, outgoing, result = [], [], BatchResult()
    # Inbox copies delivered apart from their e-mail (held for the working hours): what
    # they were rendered as, kept with the waiting e-mail until it goes.
    emails_here = {row.user_id for row in rows if row.channel == "email"}
    held: list[dict] = []
    # Inbox copies of people who have not chosen a language yet: written in both.
    unchosen: dict[int, dict] = {}
    # E-mails whose inbox copy went before (held for the working hours, or retried): they
    # are rendered afresh, their times said from now, unless their message no longer holds.
    late = {row.user_id for row in rows if row.channel == "email" and row.kept_subject is not None}
    stale = late_email_skips(dispatch, late, people, now, variables.late) if late else {}
    for row in rows:
        language = locale or message_language(row.locale)
        change = {
            "row_id": row.id,
            "status": "pending",
            "attempts": row.attempts,
            "locale": language,
            "subject": None,
            "body": None,
            "error": None,
            "delivered_at": None,
            "next_attempt_at": None,
            "other_text": None,
        }
        updates.append(change)
        if row.email is None or not row.reachable:
            change.update(status="skipped", error=SKIP_INACTIVE)
            result.skipped += 1
            continue
        if consent_only and consent_required and not row.email_opt_in:  # withdrawn since
            change.update(status="skipped", error=SKIP_NO_CONSENT)
            result.skipped += 1
            continue
        if row.channel == "email" and row.user_id in stale:
            change.update(status="skipped", error=stale[row.user_id])
            result.skipped += 1
            continue
        if row.user_id not in rendered:
            values = _reason_noted(people.get(row.user_id, {}), dispatch.context, language)
            try:
                rendered[row.user_id] = compiled.render(language, values)
            except Exception as error:  # a missing variable for this person: fail this row
                rendered[row.user_id] = error
        content = rendered[row.user_id]
        if isinstance(content, Exception):
            # Stored as the variables it lacked: Jinja's English text read raw on the page.
            texts = dispatch.sent_text or text_sent_by(dispatch.template)
            sources = (texts.get(f"subject_{language}"), texts.get(f"body_{language}"))
            missing = missing_variables(sources, people.get(row.user_id, {}))
            code = render_error_code(missing)
            if not missing:  # a line that fails for their values: where, and why
                values = _reason_noted(people.get(row.user_id, {}), dispatch.context, language)
                failed_at = where_render_fails(texts, language, values)
                code = render_failure_code(*failed_at) if failed_at else code
            change.update(status="failed", error=code[:500])
            result.failed += 1
            continue
        subject, body = content
        change.update(subject=subject, body=body)
        if row.channel == "inbox":
            links = people.get(row.user_id, {})
            change.update(
                body=portal_copy(body, [links.get(name) for name in EMAIL_ONLY_LINKS]),
                status="delivered",
                delivered_at=now,
            )
            if row.user_id not in emails_here:
                held.append(
                    {"user": row.user_id, "locale": language, "subject": subject, "body": body}
                )
            if locale is None and row.locale not in LOCALES:
                unchosen[row.user_id] = change
            result.delivered += 1
            continue
        if row.erasure_pending:  # their portal copy stays; no more e-mail to them
            change.update(status="skipped", subject=None, body=None, error=SKIP_ERASURE_PENDING)
            result.skipped += 1
            continue
        if consent_required and not row.email_opt_in:
            change.update(status="skipped", subject=None, body=None, error=SKIP_NO_CONSENT)
            result.skipped += 1
            continue
        message = build_email(
            to=row.email,
            subject=subject,
            body=body,
            locale=language,
            unsubscribe_url=people[row.user_id]["unsubscribe_url"],
            sender=sender,
            list_unsubscribe=list_unsubscribe,
            asked_for=not consent_required,
            foreign=foreign_reason(dispatch.context, language),
        )
        outgoing.append((row, change, message))
    # The claim's lease runs from the claim, just before this: past three quarters of it
    # (a slow mail server), the rest is left for the next claim rather than sent while
    # another sender may already be taking the same rows.
    lease = current_app.config["MESSAGING_CLAIM_SECONDS"]
    stop_at = started + lease * 0.75
    errors = mailer.send_many([message for _row, _change, message in outgoing], stop_at)
    kinds: dict[str, int] = {}  # the errors' classes, for the log
    details: dict[str, str] = {}  # one text per class, for the log (addresses masked)
    given_up = 0
    for (row, change, _message), error in zip(outgoing, errors, strict=True):
        if error is None:
            change.update(status="delivered", delivered_at=now)
            result.delivered += 1
            continue
        if error is LEFT_FOR_LATER:  # unsent, as if never claimed: no attempt spent on it
            change.update(
                locale=row.kept_locale,
                subject=row.kept_subject,
                body=row.kept_body,
                attempts=row.attempts - 1,
            )
            result.left += 1
            continue
        # SMTP or network failure: retry with backoff, then give up with the reason (its
        # kind, said in words on the dispatch's page; the exception's text to the log).
        reason = email_error_code(error)
        kinds[type(error).__name__] = kinds.get(type(error).__name__, 0) + 1
        details.setdefault(type(error).__name__, str(error))
        if row.attempts >= max_attempts:
            change.update(status="failed", error=reason)
            result.failed += 1
            given_up += 1
        else:
            change.update(error=reason, next_attempt_at=now + retry_delay(row.attempts))
            result.retrying += 1
    if kinds:
        _log_email_failures(dispatch.id, len(outgoing), kinds, result.retrying, given_up, details)
    if unchosen:
        _write_in_the_other_language(dispatch, compiled, unchosen, now)
    if updates:
        # Core executemany: the ORM's per-row bookkeeping costs more than the statement.
        db.session.execute(_STATUS_UPDATE, updates)
    _hold_emails(dispatch.id, held)
    db.session.flush()
    return result


def _write_in_the_other_language(
    dispatch: Dispatch, compiled, changes: dict[int, dict], now: datetime
) -> None:
    """The inbox copies of people who had not chosen a language (never signed in: written
    in the default one) written in the other language too, with the values of the same
    moment, into each change's `other_text`: their inbox shows the one they then read
    the portal in. A copy that cannot be written in it keeps the one language."""
    other = next(code for code in LOCALES if code != DEFAULT_LOCALE)
    people = db.session.scalars(select(User).where(User.id.in_(changes.keys()))).all()
    values = variables_for([_InLanguage(person, other) for person in people], now, dispatch.context)
    for user_id, change in changes.items():
        mine = values.get(user_id, {})
        try:
            subject, body = compiled.render(other, _reason_noted(mine, dispatch.context, other))
        except Exception:  # noqa: S112 - a value missing in this language: one language kept
            continue
        links = [mine.get(name) for name in EMAIL_ONLY_LINKS]
        change["other_text"] = {
            "locale": other,
            "subject": subject,
            "body": portal_copy(body, links),
        }


# The variables that count down to a campaign's end, said from the moment of rendering.
COUNTDOWN_VARIABLES = ("days_left", "days_left_text", "ends_when")


def _counting_down(values: dict) -> bool:
    """Whether these variables give a campaign's countdown (days left, or to come)."""
    left = values.get("days_left")
    return bool(getattr(left, "value", left))


def late_email_skips(
    dispatch: Dispatch,
    user_ids: set[int],
    people: dict,
    now: datetime,
    known: dict | None = None,
):
    """{user id: skip reason} for the e-mails among these, which waited past their inbox
    copies (held for the working hours, or retried), whose message no longer holds now:
    their dispatch would be skipped if it came due now (`SKIP_NOT_SENDABLE`), or the
    countdown their inbox copy gave has run out (`SKIP_CAMPAIGN_ENDED`: a « se termine
    demain » sent on Saturday, its campaign over by Monday). `people`: their variables
    now. A notice or a test is to one person about something of theirs: it always goes.
    `known`: what was decided for this dispatch in this delivery run (`RecipientVariables
    .late`), filled here, so that a 20,000-recipient dispatch decides it once, not per batch."""
    if dispatch.audience_key in (NOTICE_AUDIENCE, TEST_AUDIENCE):
        return {}
    known = {} if known is None else known
    if "not_sendable" not in known:
        known["not_sendable"] = why_not_sendable(dispatch, now)
    if known["not_sendable"] in (SKIP_CAMPAIGN_ENDED, SKIP_NO_VALUE, SKIP_WRONG_AUDIENCE):
        return dict.fromkeys(user_ids, known["not_sendable"])
    if known["not_sendable"]:
        return dict.fromkeys(user_ids, SKIP_NOT_SENDABLE)
    if "counts_down" not in known:
        kept = dispatch.sent_text or text_sent_by(dispatch.template)
        texts = {field: kept.get(field) or "" for field in TEMPLATE_FIELDS}
        known["counts_down"] = dispatch.prepared_at is not None and counts_down(texts)
    over = [user_id for user_id in user_ids if not _counting_down(people.get(user_id, {}))]
    if not over or not known["counts_down"]:
        return {}
    ran = _countdown_ran(dispatch, over, known.setdefault("ran", {}))
    return {user_id: SKIP_CAMPAIGN_ENDED for user_id in over if user_id in ran}


def _countdown_ran(dispatch: Dispatch, user_ids: list[int], ran: dict) -> set[int]:
    """Those of these people whose inbox copy counted down to a campaign's end (days left
    when the dispatch started), from the campaign's dates as the clean-up variables read
    them, not by computing every variable again: the campaign the dispatch names, else
    each person's department's. `ran` caches it for the campaign named (key "named") or
    per department id."""
    then = dispatch.prepared_at
    named = (dispatch.context or {}).get("campaign_id")
    if named is not None:
        if "named" not in ran:
            campaign = cleanup_queries.get_campaign(database_id(named) or 0)
            # Not started yet when it went: its countdown was said from its start.
            ran["named"] = campaign is not None and max(then, campaign.starts_at) < campaign.ends_at
        return set(user_ids) if ran["named"] else set()
    departments = dict(
        db.session.execute(select(User.id, User.department_id).where(User.id.in_(user_ids)))
        .tuples()
        .all()
    )
    # A message naming no campaign counted down to the running one in each person's scope.
    new = set(departments.values()) - ran.keys()
    if new:
        mine = cleanup_queries.campaigns_by_department(then, new)
        ran.update({d: d in mine and mine[d].state(then) == RUNNING for d in new})
    return {user_id for user_id, department in departments.items() if ran[department]}


_ADDRESS = re.compile(r"[^\s<>'\"(),;:]+@[^\s<>'\"(),;:]+")


def _log_email_failures(
    dispatch_id: int,
    tried: int,
    kinds: dict[str, int],
    retrying: int,
    given_up: int,
    details: dict[str, str] | None = None,
) -> None:
    """Say in the log that e-mails of a batch did not go (the mail server down): a
    WARNING per batch, an ERROR when some are given up. Ids, counts, the errors' classes
    and one text of each (the only place it is kept), its addresses masked."""
    errors = ", ".join(f"{name} x{count}" for name, count in sorted(kinds.items()))
    said = "; ".join(
        f"{name}: {_ADDRESS.sub('…@…', text)}" for name, text in sorted((details or {}).items())
    )
    log.warning(
        "dispatch %s: %s of %s e-mails not sent (%s); %s to retry, %s given up [%s]",
        dispatch_id,
        sum(kinds.values()),
        tried,
        errors,
        retrying,
        given_up,
        said,
    )
    if given_up:
        log.error(
            "dispatch %s: %s e-mails given up after %s attempts (%s); "
            "`flask messaging retry-failed --dispatch %s` sends them again",
            dispatch_id,
            given_up,
            current_app.config["MESSAGING_MAX_ATTEMPTS"],
            errors,
            dispatch_id,
        )


def _back_to_outbox(conditions, **rewritten) -> int:
    """Put the deliveries matching `conditions` back in the outbox as if never tried (no
    attempt, error, retry time or claim), with the `rewritten` columns too; how many."""
    return db.session.execute(
        update(Delivery)
        .where(*conditions)
        .values(
            status="pending",
            attempts=0,
            error=None,
            next_attempt_at=None,
            claim_token=None,
            claimed_until=None,
            **rewritten,
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def retry_failed_emails(now: datetime, dispatch_id: int | None = None) -> int:
    """Put the e-mails given up (failed) back in the outbox, with a fresh count of
    attempts, for the next delivery run: those of one dispatch, or of all. Only to people
    who still consent, are active and not being erased, and whose inbox copy is not
    deleted; their dispatch is sending again. How many."""
    reachable = select(User.id).where(
        User.email_opt_in.is_(True),
        User.active.is_(True),
        User.anonymised_at.is_(None),
        ~exists().where(
            ErasureRequest.user_id == User.id,
            ErasureRequest.executed_at.is_(None),
            ErasureRequest.cancelled_at.is_(None),
        ),
    )
    conditions = [
        Delivery.channel == "email",
        Delivery.status == "failed",
        Delivery.deleted_at.is_(None),
        Delivery.user_id.in_(reachable),
    ]
    if dispatch_id is not None:
        conditions.append(Delivery.dispatch_id == dispatch_id)
    dispatch_ids = set(db.session.scalars(select(Delivery.dispatch_id).where(*conditions)))
    if not dispatch_ids:
        return 0
    count = _back_to_outbox(conditions)
    db.session.execute(
        update(Dispatch)
        .where(Dispatch.id.in_(dispatch_ids), Dispatch.status.in_(FINISHED_SENDING))
        .values(status="sending", completed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return count


def _unrendered(dispatch_id: int):
    """The conditions of a dispatch's rows whose message could not be written (never
    delivered: nothing went to that person on that channel)."""
    return (
        Delivery.dispatch_id == dispatch_id,
        Delivery.status == "failed",
        or_(Delivery.error == "render", Delivery.error.like("render%:%")),
    )


def unrendered_count(dispatch: Dispatch) -> int:
    """How many people a finished dispatch's message could not be written for."""
    if dispatch.status not in FINISHED_SENDING:
        return 0
    return (
        db.session.scalar(
            select(func.count(func.distinct(Delivery.user_id))).where(*_unrendered(dispatch.id))
        )
        or 0
    )


def may_resend_unrendered(dispatch: Dispatch, viewer) -> bool:
    """Whether this person may send a dispatch again to those it could not be written
    for: its author, or an admin (not a test, whose author sends another)."""
    if dispatch.audience_key in (TEST_AUDIENCE, NOTICE_AUDIENCE) or viewer is None:
        return False
    return viewer.has_role("admin") or (
        dispatch.created_by_id is not None and dispatch.created_by_id == viewer.id
    )


def template_fixed_since(dispatch: Dispatch) -> bool:
    """Whether the dispatch's template has changed since it sent its text."""
    return (dispatch.sent_text or {}) != text_sent_by(dispatch.template)


def resend_unrendered(dispatch: Dispatch, actor, now: datetime) -> int:
    """Send a finished dispatch again to the people its message could not be written for,
    with its template's text as fixed since; nobody else: their rows were delivered, and a
    message reaches each person at most once per dispatch and channel (one row each).
    The dispatch is sending again; its other recipients keep what they received. How
    many rows go again; MessagingError when there is none, or the text is unchanged."""
    template = dispatch.template
    if unrendered_count(dispatch) == 0:
        raise MessagingError(_("Nobody is left whose message could not be written."))
    if template.archived_at is not None:
        raise MessagingError(_("Its template has been deleted since."))
    if not template_fixed_since(dispatch):
        raise MessagingError(_("Fix the template first: unchanged, it would fail for them again."))
    require_valid(template)
    # The text is written again, from the template as fixed.
    count = _back_to_outbox(_unrendered(dispatch.id), subject=None, body=None)
    dispatch.sent_text = text_sent_by(template)
    dispatch.status = "sending"
    dispatch.completed_at = None
    db.session.flush()
    summary = f"{_RESENT_PREFIX}{count}"  # the audit log words it (resent_in_words)
    record_audit(actor, "resend_unrendered", "messaging_dispatch", dispatch.id, now, summary)
    return count


# What `resend_unrendered` stores in the audit log, before the count of deliveries.
_RESENT_PREFIX = "sent again where it failed to render: "


def resent_in_words(summary: str) -> str | None:
    """A sending again's stored summary as the audit log shows it ("3 deliveries that
    had failed"); None for another."""
    count = summary.removeprefix(_RESENT_PREFIX)
    if count == summary or not count.isdigit():
        return None
    return ngettext(
        "%(num)s delivery that had failed", "%(num)s deliveries that had failed", int(count)
    )


def _hold_emails(dispatch_id: int, copies: list[dict]) -> None:
    """Write into each person's waiting e-mail (held for the working hours, or in the next
    batch) the message rendered for their inbox copy: it goes as the inbox copy went,
    in the same language and with the same figures, rendered once for both channels. A
    person's own message, erased with the inbox copy when they delete it."""
    waiting = _DELIVERY.c.channel == "email", _DELIVERY.c.status == "pending"
    if copies:  # only those waiting: most people's e-mail was skipped for want of consent
        waiting_ids = set(
            db.session.scalars(
                select(_DELIVERY.c.user_id).where(
                    _DELIVERY.c.dispatch_id == dispatch_id,
                    _DELIVERY.c.user_id.in_([copy["user"] for copy in copies]),
                    *waiting,
                )
            )
        )
        copies = [copy for copy in copies if copy["user"] in waiting_ids]
    if copies:  # Core executemany, as the statuses are written
        db.session.execute(
            update(_DELIVERY)
            .where(
                _DELIVERY.c.dispatch_id == dispatch_id,
                _DELIVERY.c.user_id == bindparam("user"),
                *waiting,
                _DELIVERY.c.subject.is_(None),
                _DELIVERY.c.deleted_at.is_(None),
            )
            .values(
                locale=bindparam("locale"), subject=bindparam("subject"), body=bindparam("body")
            ),
            copies,
        )


_DELIVERY = Delivery.__table__
_STATUS_UPDATE = (
    update(_DELIVERY)
    # A message deleted while its e-mail was being sent stays deleted, without content.
    .where(_DELIVERY.c.id == bindparam("row_id"), _DELIVERY.c.deleted_at.is_(None))
    .values(
        status=bindparam("status"),
        attempts=bindparam("attempts"),
        locale=bindparam("locale"),
        subject=bindparam("subject"),
        body=bindparam("body"),
        other_text=bindparam("other_text"),
        error=bindparam("error"),
        delivered_at=bindparam("delivered_at"),
        next_attempt_at=bindparam("next_attempt_at"),
        claim_token=None,
        claimed_until=None,
    )
)


def finished_status(delivered: int, failed: int) -> str:
    """What a dispatch with nothing pending any more ended as: "done" (sent), "failed"
    (rows failed, none delivered: never read as sent) or "partial" (some failed)."""
    if failed and not delivered:
        return "failed"
    return "partial" if failed else "done"


def complete_if_done(dispatch: Dispatch, now: datetime) -> bool:
    """Mark the dispatch finished when no row is pending any more: done, failed or
    partial (`finished_status`)."""
    counts = dict(
        db.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.dispatch_id == dispatch.id)
            .group_by(Delivery.status)
        )
        .tuples()
        .all()
    )
    if counts.get("pending", 0) == 0 and dispatch.status == "sending":
        dispatch.status = finished_status(counts.get("delivered", 0), counts.get("failed", 0))
        dispatch.completed_at = now
        db.session.flush()
        return True
    return False


# --- the inbox and consent -------------------------------------------------------------


def _own_inbox_message(user, delivery_id: int) -> Delivery | None:
    return db.session.scalar(
        select(Delivery).where(
            Delivery.id == delivery_id,
            Delivery.user_id == user.id,
            Delivery.channel == "inbox",
            Delivery.status == "delivered",
            Delivery.deleted_at.is_(None),
        )
    )


def mark_read(user, delivery_id: int, now: datetime) -> Delivery | None:
    """Mark one of the user's own inbox messages read (None when it is not theirs)."""
    delivery = _own_inbox_message(user, delivery_id)
    if delivery is not None and delivery.read_at is None:
        delivery.read_at = now
        db.session.flush()
    return delivery


def mark_all_read(user, now: datetime) -> int:
    """Mark every unread message of the user's inbox read; how many were unread."""
    return db.session.execute(
        update(Delivery)
        .where(
            Delivery.user_id == user.id,
            Delivery.channel == "inbox",
            Delivery.status == "delivered",
            Delivery.read_at.is_(None),
            Delivery.deleted_at.is_(None),
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def _erase_deleted(user, dispatch_ids, now: datetime) -> None:
    """The person's copies of these messages, inbox and e-mail, lose their content and
    leave the inbox and the export, and a failed e-mail its error's text (which may hold
    the address); their statuses and the error's kind stay, so the delivered and opened
    counts are unchanged. An e-mail still waiting (for the working hours, or to be
    retried) is not sent: skipped, the message it copies deleted by its reader (its own
    reason, not a want of consent)."""
    theirs = (Delivery.user_id == user.id, Delivery.dispatch_id.in_(dispatch_ids))
    db.session.execute(
        update(Delivery)
        .where(*theirs, Delivery.channel == "email", Delivery.status == "pending")
        .values(
            status="skipped",
            error=SKIP_DELETED,
            next_attempt_at=None,
            claim_token=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    codes = [
        {"row_id": row_id, "error": error_code(error)}
        for row_id, error in db.session.execute(
            select(Delivery.id, Delivery.error).where(*theirs, Delivery.error.is_not(None))
        )
        if error_code(error) != error
    ]
    db.session.execute(
        update(Delivery)
        .where(*theirs)
        .values(deleted_at=now, subject=None, body=None, locale=None, other_text=None)
        .execution_options(synchronize_session=False)
    )
    if codes:  # Core executemany, as `deliver_claimed` writes statuses
        db.session.execute(update(_DELIVERY).where(_DELIVERY.c.id == bindparam("row_id")), codes)


def delete_message(user, delivery_id: int, now: datetime) -> bool:
    """Delete one of the user's own inbox messages; False when it is not theirs."""
    delivery = _own_inbox_message(user, delivery_id)
    if delivery is None:
        return False
    _erase_deleted(user, [delivery.dispatch_id], now)
    return True


def delete_read_messages(user, now: datetime) -> int:
    """Delete every message the user has read; how many left the inbox."""
    read = db.session.scalars(
        select(Delivery.dispatch_id).where(
            Delivery.user_id == user.id,
            Delivery.channel == "inbox",
            Delivery.status == "delivered",
            Delivery.read_at.is_not(None),
            Delivery.deleted_at.is_(None),
        )
    ).all()
    if read:
        _erase_deleted(user, read, now)
    return len(read)


def unsubscribe(user_id: int, now: datetime) -> User | None:
    """Withdraw e-mail consent at once (pending e-mails to this person are then skipped)."""
    user = db.session.get(User, user_id)
    if user is None:
        return None
    if user.email_opt_in:
        user.email_opt_in = False
        user.email_opt_in_changed_at = now
        record_consent_change(user, False, "email_link", now)
    db.session.flush()
    return user


# How long after unsubscribing the page still offers to undo it (a click by mistake); later,
# consent is given back from the profile, after signing in. Short: the page stays in the
# browser's history, where anyone using that browser later finds its "Undo".
UNDO_UNSUBSCRIBE = timedelta(minutes=30)


UNDO_SALT = "empreinte-undo-unsubscribe"


def _consent_changed_at(user: User) -> datetime | None:
    changed = user.email_opt_in_changed_at
    if changed is not None and changed.tzinfo is None:  # SQLite gives back naive UTC
        changed = changed.replace(tzinfo=UTC)
    return changed


def undo_receipt(user: User) -> str:
    """What the browser that unsubscribed keeps (in its session, never in the page) to undo
    it: signed, naming the person and the moment of that very unsubscribe. Consent withdrawn
    in the profile, by an erasure or earlier gets no receipt, so no link can turn it back on."""
    changed = _consent_changed_at(user)
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNDO_SALT)
    return serializer.dumps([user.id, changed.isoformat() if changed else ""])


def can_undo_unsubscribe(user: User, receipt: str | None, now: datetime) -> bool:
    """Whether `receipt` is that of the person's current unsubscribe, still within
    UNDO_UNSUBSCRIBE, nothing changed since: the page offers "Undo" only then."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNDO_SALT)
    try:
        user_id, at = serializer.loads(receipt or "")
    except (BadSignature, TypeError, ValueError):
        return False
    changed = _consent_changed_at(user)
    if user_id != user.id or changed is None or at != changed.isoformat():
        return False
    if user.email_opt_in or not user.active or user.anonymised_at is not None:
        return False
    return now - changed <= UNDO_UNSUBSCRIBE


def undo_unsubscribe(user: User, receipt: str | None, now: datetime) -> bool:
    """Give e-mail consent back with the receipt of the unsubscribe it undoes, within
    UNDO_UNSUBSCRIBE, while nothing changed since; False, and nothing changed, otherwise."""
    if not can_undo_unsubscribe(user, receipt, now):
        return False
    user.email_opt_in, user.email_opt_in_changed_at = True, now
    record_consent_change(user, True, "undo", now)
    return True


def send_test_message(
    template: MessageTemplate,
    user,
    now: datetime,
    mailer,
    locale: str | None = None,
    *,
    texts: dict | None = None,
    context: dict | None = None,
) -> Dispatch:
    """Deliver a template to its author's inbox and e-mail, whatever the hour, in `locale`
    (each language of a bilingual template can be tried), else in the author's own.
    `texts`: its name and four texts as the editor holds them, unsaved (what the preview
    showed), else the saved ones; `context`: the preview's (`{"campaign_id": 3}`)."""
    locale = locale if locale in LOCALES else message_language(user.locale)
    kept = text_sent_by(template)
    if texts is not None:
        kept = {"name": texts.get("name") or template.name}
        kept |= {field: plain_newlines(texts.get(field) or "") for field in TEMPLATE_FIELDS}
    context = dict(context or {})
    if earlier := _same_test_just_sent(template, user, now, locale, kept, context):
        raise TestAlreadySent(
            _(
                "This same test was sent to %(email)s at %(time)s: it is not sent again. "
                "Change the text, the language or the campaign to send another one.",
                email=user.email,
                time=format_clock(earlier.created_at.astimezone(local_zone()).time()),
            ),
            earlier,
        )
    dispatch = create_dispatch(
        template, TEST_AUDIENCE, {"user_id": user.id}, now, now, actor=user, context=context
    )
    dispatch.status, dispatch.sent_text = "sending", kept
    dispatch.recipients, dispatch.prepared_at = 1, now  # its outbox is written right here
    db.session.add_all(
        [
            Delivery(dispatch_id=dispatch.id, user_id=user.id, channel="inbox", status="pending"),
            Delivery(dispatch_id=dispatch.id, user_id=user.id, channel="email", status="pending"),
        ]
    )
    db.session.flush()
    db.session.execute(
        update(Delivery)
        .where(Delivery.dispatch_id == dispatch.id)
        .values(claim_token="test" + str(dispatch.id), attempts=1),
        execution_options={"synchronize_session": False},
    )
    name = kept["name"] or template.key
    compiled = _MarkedAsTest(CompiledTemplate.from_texts(kept, name), name, template.builtin)
    # Names, dates and hours in the language of the test, as a reader of it gets them.
    variables = RecipientVariables(dispatch.id, context)
    variables.values = variables_for([_InLanguage(user, locale)], now, context)
    values = variables.values.setdefault(user.id, {})
    values.update(test_links())
    values.update(notice_samples(template.key, locale, values))
    # A test goes to the author even without their consent: they asked for it.
    result = deliver_claimed(
        dispatch,
        "test" + str(dispatch.id),
        compiled,
        mailer,
        now,
        variables,
        consent_required=False,
        locale=locale,
        list_unsubscribe=False,
    )
    # Tried once, at the author's request, and never again: its dispatch is done at once,
    # so an e-mail left waiting for a retry (the mail server down) would wait forever.
    # It failed, as the screen says; its page counts it so.
    db.session.execute(
        update(Delivery)
        .where(Delivery.dispatch_id == dispatch.id, Delivery.status == "pending")
        .values(
            status="failed",
            error=func.coalesce(Delivery.error, TIMEOUT),
            next_attempt_at=None,
            claim_token=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    dispatch.status = "done"
    dispatch.completed_at = now
    db.session.flush()
    if result.retrying or result.failed or result.left:
        raise MessagingError(_test_failure(dispatch.id, bool(context.get("campaign_id"))))
    return dispatch


# An identical test asked again within this time is the same press (a reload, Back and
# resend, a double click), not a second test.
TEST_RESEND_WINDOW = timedelta(minutes=2)


def _same_test_just_sent(
    template: MessageTemplate, user, now: datetime, locale: str, text: dict, context: dict
) -> Dispatch | None:
    """The author's test of this template sent within TEST_RESEND_WINDOW with the same
    text, language and campaign, none of its copies failed (a failed one may be retried)."""
    recent = db.session.scalars(
        select(Dispatch)
        .where(
            Dispatch.template_id == template.id,
            Dispatch.audience_key == TEST_AUDIENCE,
            Dispatch.created_by_id == user.id,
            Dispatch.created_at >= now - TEST_RESEND_WINDOW,
        )
        .order_by(Dispatch.id.desc())
    ).all()
    for dispatch in recent:
        if dispatch.sent_text != text or (dispatch.context or {}) != context:
            continue
        copies = db.session.scalars(select(Delivery).where(Delivery.dispatch_id == dispatch.id))
        copies = list(copies)
        if all(c.status != "failed" and c.locale in (None, locale) for c in copies):
            return dispatch
    return None


def latest_test(template: MessageTemplate, user) -> Dispatch | None:
    """The author's latest test of this template (its text as it was sent)."""
    return db.session.scalar(
        select(Dispatch)
        .where(
            Dispatch.template_id == template.id,
            Dispatch.audience_key == TEST_AUDIENCE,
            Dispatch.created_by_id == user.id,
        )
        .order_by(Dispatch.id.desc())
        .limit(1)
    )


class _MarkedAsTest:
    """A template whose rendering says it is a test, in the language of the test: a test
    identical to the real message was taken for it (and its links for working ones).
    A built-in's « Dernières 48 heures / Last 48 hours » is named in that language."""

    def __init__(self, compiled: CompiledTemplate, name: str, builtin: bool = False):
        self._compiled, self._name, self._builtin = compiled, name, builtin

    def render(self, locale: str, variables: dict) -> tuple[str, str]:
        subject, body = self._compiled.render(locale, variables)
        named = SimpleNamespace(name=self._name, builtin=self._builtin)
        with force_locale(regional_locale(locale)):
            subject = _("[Test] %(subject)s", subject=subject)
            note = _(
                "This is a test of the template “%(name)s”, sent to you alone. Its "
                "unsubscribe link unsubscribes nobody.",
                name=template_title(named, locale.split("_")[0]),
            )
        return subject[:300], f"{note}\n\n{body}"


def _test_failure(dispatch_id: int, campaign_named: bool = False) -> str:
    """What became of a test that did not fully go, said as it is: why it could not be
    written (the variable with no value, as the dispatch's page says it), or where the
    test is and why the e-mail did not go (the server silent, or refusing it)."""
    # Columns, not rows: the statuses were written with Core, the session's rows are stale.
    rows = {
        channel: (status, error or "")
        for channel, status, error in db.session.execute(
            select(Delivery.channel, Delivery.status, Delivery.error).where(
                Delivery.dispatch_id == dispatch_id
            )
        )
    }
    inbox_status, inbox_error = rows.get("inbox", ("", ""))
    if inbox_status != "delivered":  # a value this person lacks
        return why_test_not_written(
            inbox_error, frozenset() if campaign_named else NAMED_CAMPAIGN_ONLY
        )
    if refused_by_server(rows.get("email", ("", ""))[1]):
        return _(
            "The test is in your inbox. The e-mail could not be sent: the mail server refused it."
        )
    return _(
        "The test is in your inbox. The e-mail could not be sent: the mail server did not answer."
    )


# --- personal data ---------------------------------------------------------------------


# A person's unsubscribe link works for whoever holds it: in an export an admin downloads,
# it would let them change that person's consent. Its token goes, its shape stays, as in
# a preview (`preview_placeholders`).
_SECRET_LINK = re.compile(r"(/messaging/unsubscribe/)[A-Za-z0-9_.\-]+")


def without_secret_links(text):
    """A message's text with its working secret links masked (`…` for their token)."""
    if isinstance(text, dict):
        return {key: without_secret_links(value) for key, value in text.items()}
    return _SECRET_LINK.sub("\\1…", text) if isinstance(text, str) else text


def export_messages(user) -> list[dict]:
    """Every message kept for the person, for the data export: their inbox and each e-mail,
    sent or not (waiting, skipped, failed, with its reason), the content while it is held;
    each status and channel named in the language in force (the export forces the
    person's), each moment with the portal's local offset. A message they deleted is in
    it too, marked deleted with when (its content is gone, its row and moments are kept);
    a message sent to them alone (a notice, a test) says what it was about (its context:
    the campaign, the entry, the return…)."""
    rows = db.session.execute(
        select(Delivery, Dispatch.prepared_at, Dispatch.audience_key, Dispatch.context)
        .join(Dispatch, Dispatch.id == Delivery.dispatch_id)
        .where(Delivery.user_id == user.id)
        .order_by(
            func.coalesce(Delivery.delivered_at, Dispatch.prepared_at).desc(),
            Delivery.id.desc(),
        )
    )
    return [
        {
            "channel": row.channel,
            "channel_name": channel_label(row.channel),
            "status": row.status,
            "status_name": delivery_status(row.status),
            "subject": row.subject,
            "body": without_secret_links(row.body),
            # Kept for someone who had not chosen a language when it was written.
            "in_other_language": without_secret_links(row.other_text),
            "error": row.error,
            # A skipped row's `error` is a code: said in words too; a failed or waiting
            # one's is the kind of failure, said in words as its dispatch's page does.
            "skip_reason_name": skip_reason(row.error) if row.status == "skipped" else None,
            "error_name": describe_error(row.error) if row.status != "skipped" else None,
            "written_at": local_iso(written_at),  # when it was put in the outbox
            "next_attempt_at": local_iso(row.next_attempt_at),
            "delivered_at": local_iso(row.delivered_at),
            "read_at": local_iso(row.read_at),
            "deleted": row.deleted_at is not None,
            "deleted_at": local_iso(row.deleted_at),
            "about": dict(context or {}) if audience in (NOTICE_AUDIENCE, TEST_AUDIENCE) else None,
        }
        for row, written_at, audience, context in rows
    ]


def templates_created(user) -> list[dict]:
    """The message templates the person created as an organiser (`staff_records`)."""
    templates = db.session.scalars(
        select(MessageTemplate)
        .where(MessageTemplate.created_by_id == user.id)
        .order_by(MessageTemplate.created_at, MessageTemplate.id)
    )
    return [
        {
            "template": template.id,
            "key": template.key,
            "name": template.name,
            "created_at": local_iso(template.created_at),
            "archived_at": local_iso(template.archived_at),
        }
        for template in templates
    ]


def schedules_of(user) -> list[dict]:
    """The recurring messages the person created or stopped as an organiser
    (`staff_records`): which template, its rhythm, when; never its audience's members."""
    schedules = db.session.execute(
        select(Schedule, MessageTemplate.key)
        .join(MessageTemplate, MessageTemplate.id == Schedule.template_id)
        .where((Schedule.created_by_id == user.id) | (Schedule.stopped_by_id == user.id))
        .order_by(Schedule.created_at, Schedule.id)
    )
    return [
        {
            "schedule": schedule.id,
            "template": key,
            "kind": schedule.kind,
            "cron": schedule.cron,
            "until": schedule.until.isoformat() if schedule.until else None,
            "created_by_you": schedule.created_by_id == user.id,
            "created_at": local_iso(schedule.created_at),
            "stopped_by_you": schedule.stopped_by_id == user.id,
            "stopped_at": local_iso(schedule.stopped_at),
        }
        for schedule, key in schedules
    ]


def dispatches_created(user) -> list[dict]:
    """The dispatches the person scheduled as an organiser (`staff_records`): which
    template, when, its state and how many it went to; never who they were."""
    dispatches = db.session.execute(
        select(Dispatch, MessageTemplate.key)
        .join(MessageTemplate, MessageTemplate.id == Dispatch.template_id)
        .where(Dispatch.created_by_id == user.id)
        .order_by(Dispatch.created_at, Dispatch.id)
    )
    return [
        {
            "dispatch": dispatch.id,
            "template": key,
            "created_at": local_iso(dispatch.created_at),
            "due_at": local_iso(dispatch.due_at),
            "status": dispatch.status,
            "status_name": dispatch_status(dispatch.status),
            "recipients": dispatch.recipients,
        }
        for dispatch, key in dispatches
    ]


def purge_message_bodies(now: datetime, days: int) -> int:
    """Retention: the body of a message delivered more than `days` ago is deleted.

    The delivery row, its status and its subject stay, so every dispatch count is
    unchanged and the inbox still lists the message. Returns how many were purged."""
    purged = db.session.execute(
        update(Delivery)
        .where(
            Delivery.status == "delivered",
            Delivery.delivered_at <= now - timedelta(days=days),
            or_(Delivery.body.is_not(None), Delivery.other_text.is_not(None)),
        )
        # The copy in the other language goes with it (its body is in it).
        .values(body=None, other_text=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    return purged


def error_code(error: str) -> str:
    """What an error says without its text: its class or kind ("SMTPRecipientsRefused",
    "render", "inactive"); the text may hold the address refused or a person's values."""
    return error.split(":", 1)[0].strip()[:60]


def purge_undelivered_contents(now: datetime, days: int) -> int:
    """Retention: a message that was never delivered (its e-mail failed or skipped) loses
    its subject, its body and its error's text `days` after its dispatch finished (or was
    written to the outbox, for one still sending), keeping the error's class.

    A delivery row has no moment of its own for a failure: its dispatch's `completed_at`
    comes after every attempt of every row, `prepared_at` is when the row was written.
    Statuses stay, so every count is unchanged. Returns how many rows were purged."""
    finished = select(Dispatch.id).where(
        func.coalesce(Dispatch.completed_at, Dispatch.prepared_at) <= now - timedelta(days=days)
    )
    given_up = (
        Delivery.status.not_in(("pending", "delivered")),  # given up: failed, skipped
        Delivery.dispatch_id.in_(finished),
    )
    purged = db.session.execute(
        update(Delivery)
        .where(*given_up, or_(Delivery.subject.is_not(None), Delivery.body.is_not(None)))
        .values(subject=None, body=None, other_text=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    codes = [
        {"row_id": row_id, "error": error_code(error)}
        for row_id, error in db.session.execute(
            select(Delivery.id, Delivery.error).where(*given_up, Delivery.error.is_not(None))
        )
        if error_code(error) != error
    ]
    if codes:  # Core executemany, as `deliver_claimed` writes statuses
        db.session.execute(update(_DELIVERY).where(_DELIVERY.c.id == bindparam("row_id")), codes)
    db.session.flush()
    return purged + len(codes)


# What a notice's context keeps past the clean-up retention: the kind of news a custody
# notice told ("received", "wiped"…) and why a dispatch was not sent. Entry, return and
# request ids, the reasons written and the figures decided go: with the deliveries they
# would tie the person again to what the clean-up retention anonymised.
NOTICE_CONTEXT_KEPT = ("step", NOT_SENT)


def strip_old_notices(now: datetime, months: int) -> int:
    """Retention: `months` after a notice to one person was sent (or cancelled), its
    dispatch no longer says what it was about nor whom: its context keeps only
    `NOTICE_CONTEXT_KEPT`, its audience loses the person's id, its dedupe key (which
    names the entry, return, request or person) goes. Template, times, status and the
    deliveries stay: the person's inbox keeps the message, every count is unchanged.
    Returns how many dispatches were stripped."""
    cutoff = months_before(now, months)
    notices = db.session.scalars(
        select(Dispatch).where(
            Dispatch.audience_key == NOTICE_AUDIENCE,
            Dispatch.status.not_in(DISPATCH_IN_PROGRESS),
            func.coalesce(Dispatch.completed_at, Dispatch.due_at) <= cutoff,
            # Not stripped yet (a stripped one is not read again each day): every notice
            # sent has a dedupe key, and one written by hand names its person.
            Dispatch.dedupe_key.is_not(None) | (cast(Dispatch.audience_params, String) != "{}"),
        )
    )
    stripped = 0
    for dispatch in notices:
        context = dispatch.context or {}
        kept = {key: value for key, value in context.items() if key in NOTICE_CONTEXT_KEPT}
        dispatch.context, dispatch.audience_params, dispatch.dedupe_key = kept, {}, None
        stripped += 1
    db.session.flush()
    return stripped


def apply_message_retention(now: datetime) -> dict[str, int]:
    """The messaging retention step (`app.core.privacy.register_retention`), with what it
    did for `flask privacy retention` to print."""
    config = current_app.config
    return {
        "message body(ies) deleted": purge_message_bodies(
            now, config["MESSAGE_BODY_RETENTION_DAYS"]
        ),
        "undelivered message content(s) deleted": purge_undelivered_contents(
            now, config["MESSAGE_BODY_RETENTION_DAYS"]
        ),
        # The clean-up retention's own period: past it, its entries no longer name anyone.
        "notice(s) stripped of whom and what": strip_old_notices(
            now, config["ACTION_RETENTION_MONTHS"]
        ),
    }


def erase_messages(user, now: datetime) -> None:
    """Erase the content of the person's messages; statuses, hence dispatch counts, stay.

    Notices to this person alone (an entry reviewed) are deleted outright: their
    existence says something about the person, and no organiser counts them.
    """
    # Sent ones through the person's own deliveries (indexed); the few not yet written
    # to the outbox through their parameters.
    notices = set(
        db.session.scalars(
            select(Delivery.dispatch_id)
            .join(Dispatch, Dispatch.id == Delivery.dispatch_id)
            .where(Delivery.user_id == user.id, Dispatch.audience_key == NOTICE_AUDIENCE)
        )
    )
    notices |= {
        dispatch.id
        for dispatch in db.session.scalars(
            select(Dispatch).where(
                Dispatch.audience_key == NOTICE_AUDIENCE, Dispatch.status == "scheduled"
            )
        )
        if database_id(dispatch.audience_params.get("user_id")) == user.id
    }
    if notices:
        db.session.execute(delete(Delivery).where(Delivery.dispatch_id.in_(notices)))
        db.session.execute(delete(Dispatch).where(Dispatch.id.in_(notices)))
    db.session.execute(
        update(Delivery)
        .where(Delivery.user_id == user.id)
        # A skip's reason is a code that says nothing of the person: the counts keep it.
        .values(
            subject=None,
            body=None,
            other_text=None,
            error=case((Delivery.error.in_(SKIP_REASONS), Delivery.error), else_=None),
            locale=None,
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
