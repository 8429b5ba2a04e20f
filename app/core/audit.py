"""The admin audit log: who changed which object, and when. Append-only: an erasure takes
out the free text the events copied about the person (`erase_audit_texts`), never an event.

An event about a person's object (an entry reviewed, a request decided, a device received)
records that person when it is written (`subject_user_id`, found through the domain's
`register_audit_subject`): the object may be deleted afterwards (an entry withdrawn, whose id
SQLite may even give to the next one), and the event still says whose it was. Their export,
their erasure and the retention periods find it by that column, not through the object; the
column is cleared once the event no longer belongs to them (their erasure, retention).
An event about an account whose details copy text typed about its person (an API token's
name, a staff number) names that person too (`record_audit`'s `subject_user_id`): their
erasure leaves "text erased" in its place.
Deleting an object leaves its events as they are: the log is the controller's record of
who decided what, and the reason stays readable until the person's erasure or the
retention period takes it out."""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import Flask, current_app, has_request_context
from flask_babel import force_locale, get_locale, gettext, lazy_pgettext, ngettext, pgettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Select,
    String,
    and_,
    cast,
    exists,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.models import role_label
from app.core import text_search
from app.core.csv_import import item_counts
from app.core.i18n import format_kg_co2e, format_number, labeller
from app.core.types import UTCDateTime
from app.extensions import db

#: The longest summary an audit event stores, in characters.
SUMMARY_LENGTH = 500

#: What the staff directory's import stores on each account it deactivates or reactivates
#: (`app.auth.directory`), apart from an admin's own (de)activation, which stores nothing.
DIRECTORY_CHANGE = "staff directory"

#: What an event stores in place of a text erased with the person it was about (a reason
#: typed about them); the log words it in the reader's language.
ERASED_TEXT = "text erased"


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))  # e.g. "create", "update", "publish"
    object_type: Mapped[str] = mapped_column(String(40))  # e.g. "catalogue_item", "campaign"
    object_id: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(SUMMARY_LENGTH), default="")
    # Whose object the event is about, as it was when the event was written (None: nobody's,
    # or no longer theirs since an erasure or retention): see the module's docstring.
    subject_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )


@dataclass(frozen=True)
class AuditSubject:
    """How a domain's object type names its person (`register_audit_subject`)."""

    # (object id as events store it) -> a Select of the user id it belongs to (or none).
    owner_of: Callable[[str], Select]
    # (summary) -> what an event keeps once it no longer belongs to the person: the part
    # the domain's services wrote in a fixed form, "" when none. None: nothing is kept.
    kept_text: Callable[[str], str] | None = None


def register_audit_subject(
    app: Flask,
    object_type: str,
    owner_of: Callable[[str], Select],
    kept_text: Callable[[str], str] | None = None,
) -> None:
    """A domain says whose its objects of `object_type` are: every event recorded about one
    stores its person (`AuditEvent.subject_user_id`), kept when the object is deleted, so that
    the person's export, erasure and retention find it. `kept_text` as for
    `erase_audit_texts`' `fixed_part`."""
    app.extensions.setdefault("empreinte.audit_subjects", {})[object_type] = AuditSubject(
        owner_of, kept_text
    )


def _audit_subjects() -> dict[str, AuditSubject]:
    return current_app.extensions.get("empreinte.audit_subjects", {})


def _fitted(summary: str) -> str:
    """The summary as stored: one that does not fit ends with "…", so that a reader knows
    it was cut."""
    if len(summary) <= SUMMARY_LENGTH:
        return summary
    return summary[: SUMMARY_LENGTH - 1] + "…"


# Events that still hold a text to erase, or still name the person they are about.
_NOT_FORGOTTEN = or_(
    AuditEvent.subject_user_id.is_not(None),
    and_(AuditEvent.summary != "", AuditEvent.summary != ERASED_TEXT),
)


def _forget(events, fixed_part: Callable[[str], str] | None) -> None:
    """The events lose the text they copied and the person they were about (flushes)."""
    for event in events:
        if event.summary not in ("", ERASED_TEXT):
            event.summary = (fixed_part(event.summary) if fixed_part else "") or ERASED_TEXT
        event.subject_user_id = None
    db.session.flush()


def erase_audit_texts(
    object_type: str, object_ids: Select, fixed_part: Callable[[str], str] | None = None
) -> None:
    """Erasure: the events about these objects (`object_ids` selects their ids as events
    store them) lose the text they copied (an organiser's reason, a decision note), which
    gives way to `ERASED_TEXT`, and the person they were about; the events themselves stay,
    as the controller's record of who decided what, and when. `fixed_part(summary)` keeps
    what a service wrote in a fixed form ("" when none). Flushes."""
    _forget(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == object_type,
                AuditEvent.object_id.in_(object_ids),
                _NOT_FORGOTTEN,
            )
        ).all(),
        fixed_part,
    )


def erase_subject_audit_texts(user_id: int) -> None:
    """Erasure of a person: every event about an object that was theirs when it was written,
    deleted since or not, loses its copied text (but each domain's fixed part) and its link
    to them. The domains' erasers do the same for the events about the objects they still
    hold, older events written before the log kept their person included. Flushes."""
    subjects = _audit_subjects()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_user_id == user_id)
    ).all()
    for object_type in {event.object_type for event in events}:
        subject = subjects.get(object_type)
        _forget(
            [event for event in events if event.object_type == object_type],
            subject.kept_text if subject else None,
        )


def erase_gone_audit_texts(
    object_type: str,
    objects: Select,
    before: datetime,
    fixed_part: Callable[[str], str] | None = None,
) -> None:
    """Retention of the events about objects deleted since: `objects` selects the ids (as
    events store them) of the objects that exist and when each became what it is (an
    entry's logging time), so an id given again to a newer object is no alibi; every event
    of `object_type` written before `before` about none of them loses its text (but
    `fixed_part`) and its person. A deleted object's period ran from a moment after its
    events (a deleted entry's campaign was still running when it went), so an event older
    than the cutoff is past it. Flushes."""
    object_id, since = objects.subquery().c
    _forget(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == object_type,
                AuditEvent.at <= before,
                _NOT_FORGOTTEN,
                ~exists().where(object_id == AuditEvent.object_id, since <= AuditEvent.at),
            )
        ).all(),
        fixed_part,
    )


def record_audit(
    actor,
    action: str,
    object_type: str,
    object_id: object,
    now: datetime,
    summary: str = "",
    *,
    subject_user_id: int | None = None,
) -> AuditEvent:
    """Append an audit event for a change made by an organiser, agent or admin, with the
    person whose object it is about, when its domain registered them (flushes).

    `subject_user_id` names that person where no domain does: an event about an account
    whose summary copies text typed about them (a token's name, a staff number) names
    its owner, so that their erasure takes the text out (`erase_subject_audit_texts`)."""
    subject = _audit_subjects().get(object_type)
    if subject_user_id is None and subject is not None:
        subject_user_id = db.session.scalar(subject.owner_of(str(object_id)))
    event = AuditEvent(
        at=now,
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=_fitted(summary),
        subject_user_id=subject_user_id,
    )
    db.session.add(event)
    db.session.flush()
    return event


# What the audit log and its CSV show for the stored keys (the CSV keeps them too). Actions
# are nouns in French (« Publication »), which agree with no object.
ACTION_LABELS = {
    "accept": lazy_pgettext("audit", "Accepted"),
    "approved": lazy_pgettext("audit", "Approved"),
    "cancel": lazy_pgettext("audit", "Cancelled"),
    "change_department": lazy_pgettext("audit", "Department changed"),
    "change_staff_number": lazy_pgettext("audit", "Staff number changed"),
    "close": lazy_pgettext("audit", "Closed"),
    # A signed correction of a recorded certificate, slip or recipient (recycling).
    "correct": lazy_pgettext("audit", "Corrected"),
    "create": lazy_pgettext("audit", "Created"),
    # An API token made or revoked at the command line (`flask tokens`).
    "create_token": lazy_pgettext("audit", "API token created"),
    "deactivate": lazy_pgettext("audit", "Stopped"),
    "delete": lazy_pgettext("audit", "Deleted"),
    "deactivate_account": lazy_pgettext("audit", "Account deactivated"),
    "email_consent_given": lazy_pgettext("audit", "E-mail consent given"),
    "email_consent_withdrawn": lazy_pgettext("audit", "E-mail consent withdrawn"),
    "discontinue": lazy_pgettext("audit", "Withdrawn from the catalogue"),
    "erase": lazy_pgettext("audit", "Erased"),
    # A scheduled dispatch moved to another date (messaging).
    "reschedule": lazy_pgettext("audit", "Moved to another date"),
    # A finished dispatch sent again, its template fixed, to those its message could not
    # be written for (messaging).
    "resend_unrendered": lazy_pgettext(
        "audit", "Sent again to the people it could not be written for"
    ),
    # An administrator downloaded the person's data export for them (a plain msgid: the
    # catalogue tooling adds no context entries).
    "export_data": _l("Personal data export downloaded"),
    # Reads of personal data by an administrator: a person's account page (once a day
    # per administrator and person) and each download of the log itself as CSV.
    "view_person": _l("Account page viewed"),
    "download_audit_log": _l("Audit log downloaded as CSV"),
    # The staff directory as CSV (`app.auth.directory.directory_csv`): everyone's address.
    "download_directory": _l("Staff directory downloaded as CSV"),
    "extend": lazy_pgettext("audit", "Extended"),
    "grant_role": lazy_pgettext("audit", "Role granted"),
    "import": lazy_pgettext("audit", "Imported"),
    "outcome": lazy_pgettext("audit", "Outcome recorded"),
    "publish": lazy_pgettext("audit", "Published"),
    "reactivate_account": lazy_pgettext("audit", "Account reactivated"),
    "receive": lazy_pgettext("audit", "Receipt confirmed"),
    "refused": lazy_pgettext("audit", "Refused"),
    "reject": lazy_pgettext("audit", "Rejected"),
    "reopen": lazy_pgettext("audit", "Reopened"),
    "restore": lazy_pgettext("audit", "Built-in text restored"),
    "revoke_role": lazy_pgettext("audit", "Role revoked"),
    "revoke_token": lazy_pgettext("audit", "API token revoked"),
    "set_alternatives": lazy_pgettext("audit", "Alternatives set"),
    "set_budget": lazy_pgettext("audit", "Budget set"),
    "sync_directory": lazy_pgettext("audit", "Directory synchronised"),
    "update": lazy_pgettext("audit", "Updated"),
    # What a staff directory import changed of one account (`app.auth.directory`).
    "update_from_directory": lazy_pgettext("audit", "Changed by the staff directory"),
    "wipe": lazy_pgettext("audit", "Data wipe recorded"),
}
OBJECT_LABELS = {
    "audit_log": _l("Audit log"),
    "catalogue_budget": _l("Carbon budget"),
    "catalogue_item": _l("Catalogue item"),
    "catalogue_request": _l("Equipment request"),
    "cleanup_action": _l("Clean-up entry"),
    "cleanup_action_type": _l("Clean-up action type"),
    "cleanup_campaign": _l("Clean-up campaign"),
    "collection_point": _l("Collection point"),
    "commune": _l("Commune"),
    "department": _l("Department"),
    "device_return": _l("Device return"),
    "messaging_dispatch": _l("Dispatch"),
    "messaging_schedule": _l("Recurring message"),
    "messaging_template": _l("Message template"),
    "user": _l("Person"),
    "user_directory": _l("Staff directory"),
}

# Events about many objects at once, stored with a keyword for their id.
BATCH_TARGETS = {
    ("catalogue_item", "csv"): _l("Catalogue CSV import"),
    ("audit_log", "csv"): _l("Audit log CSV file"),
    ("user_directory", "csv"): _l("Staff directory CSV file"),
}


def audit_target(object_type: str, object_id: str) -> str | None:
    """Words for an event's target that is no single object ("Catalogue CSV import"),
    else None."""
    label = BATCH_TARGETS.get((object_type, object_id))
    return str(label) if label is not None else None


action_label = labeller(ACTION_LABELS)
object_label = labeller(OBJECT_LABELS)


def audit_csv_header(zone: str) -> tuple[str, ...]:
    """The audit CSV's column names in the reader's language, words in English as in
    French. The first six read as the page does; the last four (`audit_csv_rows`) give
    the object's name, then the stored codes and details."""
    return (
        pgettext("audit csv", "Date and time (%(zone)s)", zone=zone),
        pgettext("audit csv", "Actor"),
        pgettext("audit csv", "Action"),
        pgettext("audit csv", "Object type"),
        pgettext("audit csv", "Object number"),
        pgettext("audit csv", "Details"),
        pgettext("audit csv", "Object name"),
        pgettext("audit csv", "Action code"),
        pgettext("audit csv", "Object type code"),
        pgettext("audit csv", "Details as stored"),
    )


def actor_label(actor) -> str:
    """Who made an event, as the log shows it: an erased account keeps no address (its
    placeholder would only say it was erased, and when), so it reads as the person it
    was made about reads: « Personne anonymisée »."""
    if actor is None:
        return gettext("System")
    if actor.anonymised_at is not None:
        return gettext("Anonymised person")
    return actor.email


# Details that some events store in a fixed form (written by the services in this code),
# read back in the reader's language. Anything else (a name, a key, a reason typed by
# an organiser) is shown as stored. The CSV words them as the page does (and keeps the
# stored text in a last column); the search finds them by the words shown.
_ROLE = re.compile(r"role=(\w+)")
_IMPORT = re.compile(r"(\d+) created, (\d+) updated(?:, (\d+) unchanged)?")
_BUDGET = re.compile(r"(\d{4}): (\d+(?:\.(\d+))?)")
_DIRECTORY = re.compile(r"(\d+) created, (\d+) updated, (\d+) deactivated, (\d+) reactivated")


def _role(match) -> str:
    return role_label(match[1])


def _import(match, object_type: str) -> str:
    """An import's counts, named for what it imported: the departments and communes say
    so, any other import (the catalogue's) counts items."""
    created, updated = int(match[1]), int(match[2])
    if object_type == "department":
        return " · ".join(
            (
                ngettext("%(count)s department created", "%(count)s departments created",
                         created, count=format_number(created)),
                ngettext("%(count)s department updated", "%(count)s departments updated",
                         updated, count=format_number(updated)),
            )
        )  # fmt: skip
    if object_type == "commune":
        return " · ".join(
            (
                ngettext("%(count)s commune created", "%(count)s communes created",
                         created, count=format_number(created)),
                ngettext("%(count)s commune updated", "%(count)s communes updated",
                         updated, count=format_number(updated)),
            )
        )  # fmt: skip
    # The catalogue's import also says how many stayed as they were (group 3).
    unchanged = int(match[3]) if match[3] is not None else None
    return item_counts(created, updated, unchanged)


def _directory(match) -> str:
    created, updated, deactivated, reactivated = (int(group) for group in match.groups())
    return " · ".join(
        (
            ngettext("%(count)s account created", "%(count)s accounts created", created,
                     count=format_number(created)),
            ngettext("%(count)s updated", "%(count)s updated", updated,
                     count=format_number(updated)),
            ngettext("%(count)s deactivated", "%(count)s deactivated", deactivated,
                     count=format_number(deactivated)),
            ngettext("%(count)s reactivated", "%(count)s reactivated", reactivated,
                     count=format_number(reactivated)),
        )
    )  # fmt: skip


def _budget(match) -> str:
    # The decimals stored, as typed (1234.5 is « 1 234,5 », 1500.0 is « 1 500 »): rounded
    # to the unit, the log said 1 234 for a budget of 1 234,5.
    decimals = len(match[3].rstrip("0")) if match[3] else 0
    return gettext(
        "%(year)s: %(amount)s",
        year=match[1],
        amount=format_kg_co2e(Decimal(match[2]), decimals),
    )


# How a person changed their e-mail consent, as `record_consent_change` stores it.
CONSENT_WAYS = {
    "profile": _l("In the profile"),
    "email_link": _l("By the link in an e-mail"),
    "undo": _l("Unsubscribe undone"),
}
# The way, then the version of the consent's wording the person read and its language
# ("profile wording fr 1a2b3c4d5e6f"); events written before the version was kept hold
# the way alone.
_CONSENT_WAY = re.compile(
    "(?P<way>{})(?: wording (?P<language>[a-z]{{2}}) (?P<version>[0-9a-f]{{12}}))?".format(
        "|".join(CONSENT_WAYS)
    )
)

#: The e-mail consent as the profile asks for it: its checkbox's label and hint
#: (`PreferencesForm.email_opt_in`). Each consent event keeps the version of these words
#: in the language they were shown in (`consent_wording_version`): a new wording, or a
#: new translation of it, is a new version.
CONSENT_LABEL = _l("Send me encouragement and campaign news by e-mail")
CONSENT_HINT = _l(
    "Service messages stay in your portal inbox. You can withdraw your consent at any time."
)


def consent_wording(language: str) -> str:
    """The consent's wording (`CONSENT_LABEL`, then `CONSENT_HINT`, one line each) as it
    reads in `language`."""
    with force_locale(language):
        return f"{CONSENT_LABEL}\n{CONSENT_HINT}"


def consent_wording_version(language: str) -> str:
    """The version of the consent's wording in `language`: the first 12 hexadecimal
    digits of the SHA-256 of `consent_wording(language)` in UTF-8."""
    return hashlib.sha256(consent_wording(language).encode("utf-8")).hexdigest()[:12]


def _shown_language(user) -> str:
    """The language the person reads the portal in now: the request's, else their own."""
    locale = get_locale() if has_request_context() else None
    if locale is not None:
        return locale.language  # "fr", whatever region formats its dates
    return user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")


def consent_way_label(way: str) -> str:
    """How a consent change was made, in the reader's language (the stored key if unknown)."""
    label = CONSENT_WAYS.get(way)
    return str(label) if label is not None else way


def read_consent_summary(summary: str) -> dict | None:
    """A consent event's stored summary as its parts: how (`way`), and the wording's
    `language` and `version` (None for an event written before they were kept); None when
    the summary is not a consent's (erased)."""
    match = _CONSENT_WAY.fullmatch(summary)
    return match.groupdict() if match else None


def record_consent_change(user, given: bool, how: str, now: datetime) -> AuditEvent:
    """Keep a dated trace of a person's e-mail consent given or withdrawn, how (a
    `CONSENT_WAYS` key), and the version of the consent's wording in the language the
    person reads the portal in (`consent_wording_version`): their export shows its
    history, not only the latest (flushes)."""
    action = "email_consent_given" if given else "email_consent_withdrawn"
    language = _shown_language(user)
    summary = f"{how} wording {language} {consent_wording_version(language)}"
    return record_audit(user, action, "user", user.id, now, summary)


def _staff_numbers(match: re.Match) -> str:
    """`S13 -> N3001` as the log reads it, a missing number said."""
    return "{} → {}".format(
        *(number or gettext("no staff number") for number in (match[1], match[2]))
    )


_DETAILS = {
    "change_staff_number": (re.compile(r"(.*) -> (.*)"), _staff_numbers),
    "email_consent_given": (_CONSENT_WAY, lambda m: consent_way_label(m["way"])),
    "email_consent_withdrawn": (_CONSENT_WAY, lambda m: consent_way_label(m["way"])),
    "grant_role": (_ROLE, _role),
    "revoke_role": (_ROLE, _role),
    "set_budget": (_BUDGET, _budget),
    "sync_directory": (_DIRECTORY, _directory),
    "erase": (re.compile("personal data erased"), lambda _m: gettext("Personal data erased")),
    "deactivate_account": (
        re.compile(DIRECTORY_CHANGE),
        lambda _m: gettext("No longer in the staff directory"),
    ),
    "reactivate_account": (
        re.compile(DIRECTORY_CHANGE),
        lambda _m: gettext("Listed in the staff directory again"),
    ),
}


def register_audit_details(
    app: Flask,
    action: str,
    words: Callable[[str], str | None],
    object_types: tuple[str, ...] = (),
) -> None:
    """A domain reads back the details it writes for `action`: `words(summary)` gives them
    in the reader's language, or None to show the stored text.

    Several domains may read one action ("create" of a recurring message words its cron
    expression): each returns None for details it does not recognise, and the first
    that words them is shown. `object_types` keep the words to the domain's own events
    where two domains write summaries of the same shape (an item's and a campaign's
    renaming)."""
    registered = app.extensions.setdefault("empreinte.audit_details", {})
    registered.setdefault(action, []).append((object_types, words))


def register_audit_search(app: Flask, action: str, sample: str, stored) -> None:
    """The log's "Containing" search finds a domain's events of `action` whose summary is
    of a fixed form (`stored`, a condition on `AuditEvent`) by the words the log shows
    for `sample`, one such summary: the domain's words only turn summaries into words,
    so the search cannot run them backwards."""
    app.extensions.setdefault("empreinte.audit_search", []).append((action, sample, stored))


def audit_search_samples() -> list:
    """What the domains registered with `register_audit_search`: (action, sample, stored)."""
    return current_app.extensions.get("empreinte.audit_search", [])


def worded_actions() -> set[str]:
    """The actions whose details the log may show in other words than stored (the domains'
    and `_DETAILS`); any other's are shown as stored."""
    return {*current_app.extensions.get("empreinte.audit_details", {}), *_DETAILS, "import"}


def audit_details(action: str, summary: str, object_type: str = "") -> str:
    """An event's details as the audit log shows them (the domains' words, `_DETAILS`);
    `object_type`, the event's, names what an import's counts are of."""
    if summary == ERASED_TEXT:
        return gettext("Text erased with the person's data")
    for own_types, domain_words in current_app.extensions.get("empreinte.audit_details", {}).get(
        action, ()
    ):
        if own_types and object_type and object_type not in own_types:
            continue
        worded = domain_words(summary)
        if worded:
            return worded
    if action == "import" and (counted := _IMPORT.fullmatch(summary)):
        return _import(counted, object_type)
    pattern, words = _DETAILS.get(action, (None, None))
    match = pattern.fullmatch(summary) if pattern else None
    return words(match) if match else summary


def register_audit_names(app: Flask, object_type: str, named_ids: Callable[[str], Select]) -> None:
    """A domain tells how to find its objects by name: `named_ids(fragment)` selects the
    ids, as events store them, of those whose name holds `fragment` (lower case). The
    log's "Containing" filter then finds every event about them, whatever each event's
    details say (a point's closure stores only its reason)."""
    app.extensions.setdefault("empreinte.audit_names", {})[object_type] = named_ids


class NamedIds:
    """`named_ids` for a table whose id is the events' object id, named by `names`: finds
    its objects by any of the names, accents and case aside (« ecran » finds « Écran 24
    pouces »), and gives the log the name it shows for each (`names_of`), so that an event
    the search finds by a name shows that name."""

    def __init__(self, model, *names):
        self.model = model
        self.names = names

    def __call__(self, fragment: str) -> Select:
        typed = text_search.fold(fragment)
        holds = [text_search.folded(name).contains(typed, autoescape=True) for name in self.names]
        return select(cast(self.model.id, String)).where(or_(*holds))

    def shown_name(self, language: str):
        """The column the log shows: the name in the reader's language where names come in
        languages (`name_fr`, `name_en`), else the one called a name, else the first (a
        catalogue item is shown by its name, not by its code, which its details give)."""
        keys = {column.key: column for column in self.names}
        for key in (f"name_{language}", "name", "display_name"):
            if key in keys:
                return keys[key]
        return self.names[0]

    def names_of(self, object_ids, language: str) -> dict[str, str]:
        """{object id as events store it: name shown} of those of `object_ids` that exist."""
        ids = {int(i) for i in object_ids if i.isdigit() and len(i) < 19}  # a BIGINT at most
        if not ids:
            return {}
        rows = db.session.execute(
            select(self.model.id, self.shown_name(language)).where(self.model.id.in_(ids))
        )
        return {str(object_id): name for object_id, name in rows if name}


def ids_named(model, *names) -> NamedIds:
    """`named_ids` for a table whose id is the events' object id, named by `names`."""
    return NamedIds(model, *names)


def audit_names() -> dict[str, Callable[[str], Select]]:
    """What the domains registered with `register_audit_names`, by object type."""
    return current_app.extensions.get("empreinte.audit_names", {})


def about_objects_named(fragment: str) -> list[ColumnElement[bool]]:
    """Conditions on events about an object whose name holds `fragment` (lower case)."""
    return [
        and_(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(named_ids(fragment)))
        for object_type, named_ids in audit_names().items()
    ]
