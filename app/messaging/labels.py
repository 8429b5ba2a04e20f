"""What organisers read of a dispatch's states, in their language (never the stored keys)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, pgettext

from app.core.i18n import current_language, format_day, labeller
from app.messaging.builtins import wrong_audience
from app.messaging.delivery_errors import describe_error

# In French a dispatch (un envoi) is "programmé", a campaign (une campagne) "programmée".
DISPATCH_STATUSES = {
    "scheduled": lazy_pgettext("dispatch", "Scheduled"),
    "sending": lazy_pgettext("dispatch", "Being sent"),
    "done": lazy_pgettext("dispatch", "Sent"),
    # Finished with failures: none delivered (« Envoyé » read as a success), or some.
    "failed": lazy_pgettext("dispatch", "Failed: nothing delivered"),
    "partial": lazy_pgettext("dispatch", "Partly sent: some deliveries failed"),
    "cancelled": lazy_pgettext("dispatch", "Cancelled"),
    "skipped": lazy_pgettext("dispatch", "Not sent"),
}
# Why a dispatch was skipped when it came due (its context's "not_sent").
NOT_SENT_REASONS = {
    "campaign": _l(
        "Not sent: the campaign it is about is a draft or no longer exists, so the "
        "message would have named no campaign."
    ),
    "audience": _l("Not sent: its audience no longer exists (a department, commune or role)."),
    "campaign_ended": _l(
        "Not sent: the campaign it is about had ended. A recurring message about a "
        "campaign stops at its end, and a countdown would have said 0 days left."
    ),
    "no_value": _l(
        "Not sent: when it came due, a variable it uses had no value for any of its "
        "recipients (the link to a campaign's results exists only once the campaign has "
        "ended, and it had been extended), so it would have failed for everyone."
    ),
    "wrong_audience": _l(
        "Not sent: this message tells each reader they have not taken part in the campaign "
        "yet, so it goes only to staff in scope who have not taken part; it was planned for "
        "another audience before that was refused, and would have reached people who took "
        "part. Schedule it again for that audience."
    ),
}
# A template's texts as the editor names them (the audit log and the refusal of a save
# from an older editor say which changed).
TEMPLATE_FIELD_LABELS = {
    "name": _l("Name"),
    "subject_fr": _l("Subject in French"),
    "body_fr": _l("Message in French"),
    "subject_en": _l("Subject in English"),
    "body_en": _l("Message in English"),
}
# A dispatch in these states still changes: its page keeps following it.
DISPATCH_IN_PROGRESS = ("scheduled", "sending")
# A dispatch whose outbox was written and whose rows are all settled (`complete_if_done`).
FINISHED_SENDING = ("done", "partial", "failed")

DELIVERY_STATUSES = {
    "pending": _l("Waiting"),
    "delivered": _l("Delivered"),
    "skipped": _l("Skipped"),
    "failed": _l("Failed"),
}

# Why a delivery was skipped (its `error` column's code); None for rows skipped before
# the reason was kept.
SKIP_REASONS = {
    "no_consent": _l("No consent to e-mails"),
    "inactive": _l("Account deactivated or erased"),
    "erasure_pending": _l("Account erasure requested"),
    "deleted": _l("Inbox copy deleted by its reader before the e-mail went"),
    "not_sendable": _l(
        "Its campaign became a draft or was deleted, or its audience no longer exists, "
        "before the e-mail could go"
    ),
    "campaign_ended": _l("The campaign it counted down to had ended before the e-mail could go"),
    "no_value": _l("A variable it uses no longer had a value when the e-mail could go"),
    "wrong_audience": _l(
        "The message tells its reader they have not taken part yet, and its audience was "
        "not only those who have not"
    ),
    None: _l("Reason not recorded"),
}

# An inbox copy skipped for want of consent: only a message that needs it on both channels
# (an encouragement, `audiences.CONSENT_ONLY_AUDIENCES`) skips one; said as the schedule form
# and the confirmation say it (« Boîte de réception du portail, sans consentement aux
# e-mails » read as if the inbox needed that consent for every message).
INBOX_NO_CONSENT = _l(
    "No consent to e-mails: this message encourages, so only people who accept e-mails "
    "receive it, in their inbox too"
)


# In their own context: the catalogue's "E-mail" service is « Messagerie » in French,
# which would name the e-mail channel like the portal's own inbox.
CHANNELS = {
    "inbox": lazy_pgettext("channel", "Portal inbox"),
    "email": lazy_pgettext("channel", "E-mail"),
}

# Skipped before its date (its campaign ended early): it has not failed to go, it will not.
WILL_NOT_BE_SENT = lazy_pgettext("dispatch", "Will not be sent")
ENDED_BEFORE_ITS_DATE = _l(
    "Will not be sent: the campaign it is about was ended before this message's date, "
    "and the message counted down to its end (it would have said 0 days left)."
)

# A sending planned for an audience its built-in refuses, before that was refused: it
# stays listed until its date, and goes nowhere then (`services.why_not_sendable`).
WRONG_AUDIENCE_WILL_NOT_GO = _l(
    "Will not be sent: this message tells each reader they have not taken part in the "
    "campaign yet, so it goes only to staff in scope who have not taken part; it was planned "
    "for another audience before that was refused. Stop or cancel it, and schedule it again "
    "for that audience."
)

dispatch_status = labeller(DISPATCH_STATUSES)


def will_not_go(sending) -> bool:
    """Whether a dispatch still scheduled, or a recurring message, is for an audience its
    built-in refuses (planned before that was refused): it will be skipped when due."""
    status = getattr(sending, "status", "scheduled")
    return status == "scheduled" and wrong_audience(sending.template.key, sending.audience_key)


def dropped_before_due(dispatch) -> bool:
    """Whether a dispatch was marked not sent before its date (its campaign ended early)."""
    return (
        dispatch.status == "skipped"
        and dispatch.completed_at is not None
        and dispatch.completed_at < dispatch.due_at
    )


def dispatch_state(dispatch) -> str:
    """A dispatch's status as its page and the list say it: "Will not be sent" for one
    dropped before its date (with the day its campaign ended, when that is why), else its
    status's label."""
    if dropped_before_due(dispatch):
        if (dispatch.context or {}).get("not_sent") == "campaign_ended":
            return pgettext(
                "dispatch",
                "Will not be sent: campaign ended on %(date)s",
                date=format_day(dispatch.completed_at),
            )
        return str(WILL_NOT_BE_SENT)
    if will_not_go(dispatch):
        return str(WILL_NOT_BE_SENT)
    return dispatch_status(dispatch.status)


def why_not_sent(dispatch) -> str:
    """Why a skipped dispatch did not go, or will not."""
    if will_not_go(dispatch):
        return str(WRONG_AUDIENCE_WILL_NOT_GO)
    if (
        dropped_before_due(dispatch)
        and (dispatch.context or {}).get("not_sent") == "campaign_ended"
    ):
        return str(ENDED_BEFORE_ITS_DATE)
    return not_sent_reason((dispatch.context or {}).get("not_sent", ""))


delivery_status = labeller(DELIVERY_STATUSES)
channel_label = labeller(CHANNELS)
not_sent_reason = labeller(NOT_SENT_REASONS)
skip_reason = labeller(SKIP_REASONS)


def skip_reason_on(channel: str, reason: str | None) -> str:
    """Why a channel's rows were skipped, in words (`skip_reason`, but an inbox copy
    skipped for want of consent says why an inbox copy needed it)."""
    if channel == "inbox" and reason == "no_consent":
        return str(INBOX_NO_CONSENT)
    return skip_reason(reason)


def template_title(template, language: str | None = None) -> str:
    """A template's name in one language: a built-in's "Dernières 48 heures / Last 48
    hours" gives the half of `language` (the page's when None), the other half when that
    one is empty ("Rappel / "). An organiser's name stays whole, " / " and all
    (« Questions / réponses » is one name, not a French and an English one)."""
    name = template.name or ""
    halves = name.split(" / ")
    if not template.builtin or len(halves) != 2:
        return name
    french, english = (half.strip() for half in halves)
    wanted = english if (language or current_language()) == "en" else french
    return wanted or french or english


def init_app(app) -> None:
    app.jinja_env.globals.update(
        template_title=template_title,
        dispatch_status=dispatch_status,
        dispatch_state=dispatch_state,
        why_not_sent=why_not_sent,
        will_not_go=will_not_go,
        delivery_status=delivery_status,
        channel_label=channel_label,
        not_sent_reason=not_sent_reason,
        skip_reason=skip_reason,
        skip_reason_on=skip_reason_on,
        delivery_error=describe_error,
        dispatch_in_progress=DISPATCH_IN_PROGRESS,
    )


# What the template editor adds to a variable's help: how it reads inside a sentence.
# The hours stand alone from a capital (« Du lundi au vendredi »); `|lower` puts them in a
# French sentence, but would write "monday to friday" in English, where days keep theirs.
VARIABLE_NOTES = {
    "nearest_collection_point_hours": _l(
        "%(filter)s suits French sentences only (« du lundi au vendredi… »): English day "
        "names keep their capital (“Monday to Friday…”).",
        filter="|lower",
    ),
}
# A rank or a department's figures may have no value: printed, they say why; in a
# condition, they are none, and compare as nothing (« 1 342 » was once read as 0).
_NO_VALUE_NOTE = _l(
    "Compared as a number (%(condition)s); with no value, it is none and every comparison "
    "with it is false.",
    condition="{% if rank <= 10 %}",
)
VARIABLE_NOTES.update(rank=_NO_VALUE_NOTE, team_rank=_NO_VALUE_NOTE, team_points=_NO_VALUE_NOTE)
