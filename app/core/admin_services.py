"""Administration: roles and accounts (audited) and reads of the audit log."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask_babel import gettext
from sqlalchemy import ColumnElement, Row, Select, String, and_, cast, delete, func, or_, select
from sqlalchemy.orm import lazyload

from app.auth.directory import address_released
from app.auth.models import ROLES, User, UserRole
from app.auth.services import AccountError, close_access, lock_people
from app.core import text_search
from app.core.audit import (
    ACTION_LABELS,
    BATCH_TARGETS,
    DIRECTORY_CHANGE,
    ERASED_TEXT,
    OBJECT_LABELS,
    AuditEvent,
    NamedIds,
    about_objects_named,
    action_label,
    actor_label,
    audit_details,
    audit_names,
    audit_search_samples,
    audit_target,
    object_label,
    record_audit,
    worded_actions,
)
from app.core.i18n import collation_key, current_language, format_number
from app.core.privacy_services import active_admin_ids, export_personal_data
from app.core.time import local_plain, local_zone
from app.extensions import db
from app.recycling.models import PointAgent
from app.recycling.queries import open_points_only_staffed_by

GRANTABLE_ROLES = tuple(role for role in ROLES if role != "employee")


class OnlyAgentError(AccountError):
    """The change would leave open collection points (`points`) without anyone to
    receive their returns: the point form refuses that too."""

    def __init__(self, points: list):
        super().__init__("only-agent")
        self.points = points


def _refuse_leaving_points_unstaffed(user: User) -> None:
    """Raise OnlyAgentError when this person is the only agent of open points."""
    points = open_points_only_staffed_by(user.id)
    if points:
        raise OnlyAgentError(points)


def set_role(actor: User, user: User, role: str, granted: bool, now: datetime) -> bool:
    """Grant or revoke a role and audit it; False when nothing changed.

    Raises AccountError (message for the admin) for an unknown role, or for a
    change that would leave the portal without an admin; OnlyAgentError for revoking
    the agent role of the only agent of open points. A revoked agent leaves the points
    they were assigned to: the point's form lists only agents.
    """
    if role not in GRANTABLE_ROLES:
        raise AccountError("unknown-role")
    if user.anonymised_at is not None:
        raise AccountError("erased")
    if role == "admin" and not granted:
        if user.id == actor.id:
            raise AccountError("own-admin")
        _refuse_leaving_no_admin(user)
    holds = role in user.roles
    if holds == granted:
        return False
    if granted:
        db.session.add(UserRole(user_id=user.id, role=role))
    else:
        if role == "agent":
            _refuse_leaving_points_unstaffed(user)
            db.session.execute(delete(PointAgent).where(PointAgent.user_id == user.id))
        db.session.execute(
            UserRole.__table__.delete().where(UserRole.user_id == user.id, UserRole.role == role)
        )
    db.session.flush()
    user.forget_roles()
    record_audit(
        actor, "grant_role" if granted else "revoke_role", "user", user.id, now, f"role={role}"
    )
    return True


def _refuse_leaving_no_admin(user: User) -> None:
    """AccountError("last-admin") unless an active admin besides `user` remains.

    Every admin's account is held first, as an erasure does (`privacy_services`): two
    admins revoking each other's role at the same moment would each count the other and
    leave none; the second now counts once the first has committed. The roles are read
    again after the wait."""
    lock_people(db.session.scalars(select(UserRole.user_id).where(UserRole.role == "admin")))
    user.forget_roles()
    if not set(active_admin_ids()) - {user.id}:
        raise AccountError("last-admin")


def set_account_active(actor: User, user: User, active: bool, now: datetime) -> bool:
    """Deactivate an account (its sessions, API tokens and sign-in links stop working,
    and the staff directory will not reactivate it) or reactivate it; audited. False
    when nothing changed. Raises AccountError for one's own account or an erased one,
    for an account whose address the directory gave someone else ("address-released"),
    or for the last active admin ("last-admin"), OnlyAgentError for the only agent of open points. A deactivated agent stays
    assigned to their points, to take them up again once reactivated.
    """
    if user.anonymised_at is not None:
        raise AccountError("erased")
    if user.id == actor.id:
        raise AccountError("own-account")
    if user.active == active and (active or user.deactivated_by == "admin"):
        return False
    if active and address_released(user):
        # Its address went to a new hire: active, it would count as staff nobody can be.
        raise AccountError("address-released")
    if not active and user.active:
        if "admin" in user.roles:  # two admins deactivating each other at once
            _refuse_leaving_no_admin(user)
        _refuse_leaving_points_unstaffed(user)
    user.active = active
    user.deactivated_by = None if active else "admin"
    user.deactivated_at = None if active else now
    if not active:
        close_access(user, now)
    db.session.flush()
    action = "reactivate_account" if active else "deactivate_account"
    record_audit(actor, action, "user", user.id, now, "")
    return True


class StaffNumberTaken(AccountError):
    """Another account (`holder`) has the staff number: the column is unique."""

    def __init__(self, holder: User):
        super().__init__("staff-number-taken")
        self.holder = holder


def set_staff_number(actor: User, user: User, number: str | None, now: datetime) -> bool:
    """Give an account another staff number (None: none), audited; False when it is the
    same. The staff directory finds people by it: a person hired again under a new number
    is found again once their account has it. Raises StaffNumberTaken, AccountError for
    an erased account. Flushes."""
    if user.anonymised_at is not None:
        raise AccountError("erased")
    number = number or None
    if number == user.staff_number:
        return False
    if number is not None:
        holder = db.session.scalar(select(User).where(User.staff_number == number))
        if holder is not None:
            raise StaffNumberTaken(holder)
    summary = staff_number_summary(user.staff_number, number)
    user.staff_number = number
    db.session.flush()
    # The numbers identify the person in the staff directory: erased with them.
    record_audit(
        actor, "change_staff_number", "user", user.id, now, summary, subject_user_id=user.id
    )
    return True


def staff_number_summary(old: str | None, new: str | None) -> str:
    """The audit log's stored details of a staff number changed: `S13 -> N3001`, an
    empty side for none (worded by app.core.audit)."""
    return f"{old or ''} -> {new or ''}"


def export_person_data(actor: User, user: User, now: datetime) -> dict:
    """The person's data export, the very document their profile gives them, downloaded
    by an administrator (an access request from someone who can no longer sign in):
    audited on the person's account, so their own export lists it too. Flushes."""
    if user.anonymised_at is not None:
        raise AccountError("erased")
    record_audit(actor, "export_data", "user", user.id, now, "")
    return export_personal_data(user, now)


def record_person_viewed(actor: User, user: User, now: datetime, day_start: datetime) -> None:
    """An administrator opened the person's account page: a read of their personal data,
    audited on their account once a day per administrator (`day_start`: the local day's
    start), so that reloading the page adds no noise. Flushes."""
    seen = db.session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor_id == actor.id,
            AuditEvent.action == "view_person",
            AuditEvent.object_type == "user",
            AuditEvent.object_id == str(user.id),
            AuditEvent.at >= day_start,
        )
        .limit(1)
    )
    if seen is None:
        record_audit(actor, "view_person", "user", user.id, now, "")


def record_audit_log_download(actor: User, now: datetime) -> AuditEvent:
    """An administrator downloaded the audit log as CSV (personal data of many people):
    each download audited. Flushes."""
    return record_audit(actor, "download_audit_log", "audit_log", "csv", now, "")


def events_about_person(user: User, limit: int = 10) -> list[tuple[AuditEvent, User | None]]:
    """The latest audited changes of this person's account (roles, deactivation,
    erasure), newest first, with who made them."""
    statement = (
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id))
        # Changes only: the page's own views are in the log, not among its changes.
        .where(AuditEvent.action != "view_person")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(statement).all())


def search_users(query: str, page: int, per_page: int = 25) -> tuple[list[User], int]:
    """Accounts (not erased) whose name or e-mail holds each word of the query, accents
    and case aside: "martin chloe" finds « Chloé Martin ». All of them when empty."""
    statement = select(User).where(User.anonymised_at.is_(None))
    words = text_search.search_words(query or "")
    if words:
        text_search.prepare(db.session.connection())
    for word in words:
        # autoescape: a typed % or _ is looked for as such, not as a LIKE wildcard.
        statement = statement.where(
            or_(
                func.lower(User.email).contains(word, autoescape=True),
                text_search.folded(User.display_name).contains(word, autoescape=True),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    users = db.session.scalars(
        statement.order_by(User.email).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(users), total


def users_with_privileged_roles() -> list[User]:
    """Everyone holding a role beyond employee: the short list admins review."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(GRANTABLE_ROLES))
            .distinct()
            .order_by(User.email)
        )
    )


@dataclass
class AuditFilters:
    action: str = ""
    object_type: str = ""
    actor: str = ""  # fragment of the actor's e-mail
    text: str = ""  # words the page shows of an event (`_text_found`)
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # events written before this one (a CSV's own download)


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    """What every filter but the text asks of an event. The actor's address is looked for
    among the accounts apart: counting the events joins no account."""
    conditions = []
    if filters.action:
        conditions.append(AuditEvent.action.in_(same_named_actions(filters.action)))
    if filters.object_type:
        conditions.append(AuditEvent.object_type == filters.object_type)
    if filters.actor:
        typed = filters.actor.strip().lower()
        actors = select(User.id).where(func.lower(User.email).contains(typed, autoescape=True))
        conditions.append(AuditEvent.actor_id.in_(actors))
    if filters.since:
        conditions.append(AuditEvent.at >= filters.since)
    if filters.until:
        conditions.append(AuditEvent.at < filters.until)
    if filters.before_id is not None:
        conditions.append(AuditEvent.id < filters.before_id)
    return conditions


_NEWEST_FIRST = (AuditEvent.at.desc(), AuditEvent.id.desc())


def _text_conditions(text: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(held, shown): the events whose stored text holds `text`, accents and case aside,
    and those of them, and others, that the page is sure to show with it. A stored text
    the page words otherwise (`lifetime_years 4 -> 2.5` shown « Durée de vie : 4 → 2,5
    ans ») holds words the page does not show: `_text_found` words those as the page does."""
    typed = text_search.fold(text)
    held = text_search.folded(AuditEvent.summary).contains(typed, autoescape=True)
    shown = [
        and_(
            held,
            AuditEvent.action.not_in(worded_actions()),
            AuditEvent.summary != ERASED_TEXT,
        ),
        text_search.folded(AuditEvent.object_id).contains(typed, autoescape=True),
        *about_objects_named(text.lower()),  # a person, a point, an item… by its name
        *shown_with(text),  # « Organisateur », « créé »: the page's own words
    ]
    return held, or_(*shown)


def _text_found(text: str, conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """The events whose words on the page hold `text` (its details as worded, the name of
    its object, its action…), among those meeting `conditions`. An event whose stored text
    alone holds the words is worded as the page words it: "_" finds no edit whose
    `lifetime_years` the page shows as « Durée de vie ». Only those stored texts are read
    into Python, each once; the events themselves, their count and their page stay SQL."""
    text_search.prepare(db.session.connection())
    held, shown = _text_conditions(text)
    reworded = or_(AuditEvent.action.in_(worded_actions()), AuditEvent.summary == ERASED_TEXT)
    stored = (
        select(AuditEvent.action, AuditEvent.object_type, AuditEvent.summary)
        .where(*conditions, reworded, held)  # the cheap test first
        .distinct()
    )
    typed = text_search.fold(text)
    found: dict[tuple[str, str], list[str]] = {}
    for action, object_type, summary in db.session.execute(stored):
        if typed in text_search.fold(audit_details(action, summary, object_type)):
            found.setdefault((action, object_type), []).append(summary)
    return or_(
        shown,
        *(
            and_(
                AuditEvent.action == action,
                AuditEvent.object_type == object_type,
                AuditEvent.summary.in_(summaries),
            )
            for (action, object_type), summaries in found.items()
        ),
    )


def audit_conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    """What every filter asks of an event, the text included: for `count_audit_events`
    and `_events`, worked out once per request."""
    conditions = _conditions(filters)
    text = filters.text.strip()
    if text:
        conditions.append(_text_found(text, conditions))
    return conditions


def _events(conditions: list[ColumnElement[bool]]) -> Select:
    """(event, actor) rows of the events meeting `conditions`, newest first."""
    statement = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
    # The log names its actors: their roles are not read.
    statement = statement.options(lazyload(User.role_rows))
    return statement.where(*conditions).order_by(*_NEWEST_FIRST)


def count_audit_events(conditions: list[ColumnElement[bool]]) -> int:
    """How many events meet `conditions`: the events alone, no account joined."""
    statement = select(func.count()).select_from(AuditEvent).where(*conditions)
    return db.session.scalar(statement) or 0


def first_audit_day():
    """The local day of the log's first event (None for an empty log): "all dates"."""
    first = db.session.scalar(select(func.min(AuditEvent.at)))
    return first.astimezone(local_zone()).date() if first is not None else None


# Details stored in a fixed form that the log words in the reader's language: each
# (action, stored summary) found by its words (`audit_details`) in the reader's language.
_WORDED_DETAILS = (
    *((action, f"role={role}") for action in ("grant_role", "revoke_role") for role in ROLES),
    ("erase", "personal data erased"),
    *((action, DIRECTORY_CHANGE) for action in ("deactivate_account", "reactivate_account")),
)
# Counts stored in a fixed form: the words around the figures (« compte créé »), in the
# singular and plural, for events of an object type ("" for any), and the events that
# store such counts. An import's words name what it imported (« direction créée »).
_IMPORTED_BY_NAME = ("department", "commune")
_COUNTED_DETAILS = (
    *(
        (
            "import",
            object_type,
            ("1 created, 1 updated", "2 created, 2 updated"),
            and_(
                AuditEvent.action == "import",
                AuditEvent.object_type == object_type,
                AuditEvent.summary.contains(" created, "),
            ),
        )
        for object_type in _IMPORTED_BY_NAME
    ),
    (
        "import",
        "",
        ("1 created, 1 updated, 1 unchanged", "2 created, 2 updated, 2 unchanged"),
        and_(
            AuditEvent.action == "import",
            AuditEvent.object_type.not_in(_IMPORTED_BY_NAME),
            AuditEvent.summary.contains(" created, "),
        ),
    ),
    (
        "sync_directory",
        "",
        (
            "1 created, 1 updated, 1 deactivated, 1 reactivated",
            "2 created, 2 updated, 2 deactivated, 2 reactivated",
        ),
        AuditEvent.action == "sync_directory",
    ),
)


def shown_with(fragment: str) -> list[ColumnElement[bool]]:
    """Conditions on the events whose words on the log's page hold `fragment`, in the
    reader's language, accents and case aside, though their stored text is English keys
    and codes: an action, an object type, a role, a detail stored in a fixed form
    ("Données personnelles effacées" is stored "personal data erased"). The stored text
    is searched besides (`audit_query`)."""
    typed = text_search.fold(fragment).strip()
    if not typed:
        return []

    def holds(words) -> bool:
        return typed in text_search.fold(str(words))

    conditions: list[ColumnElement[bool]] = []
    actions = [action for action, label in ACTION_LABELS.items() if holds(label)]
    if actions:
        conditions.append(AuditEvent.action.in_(actions))
    types = [object_type for object_type, label in OBJECT_LABELS.items() if holds(label)]
    if types:
        conditions.append(AuditEvent.object_type.in_(types))
    conditions += [
        and_(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        for (object_type, object_id), label in BATCH_TARGETS.items()
        if holds(label)
    ]
    conditions += [
        and_(AuditEvent.action == action, AuditEvent.summary == summary)
        for action, summary in _WORDED_DETAILS
        if holds(audit_details(action, summary))
    ]
    if holds(audit_details("", ERASED_TEXT)):
        conditions.append(AuditEvent.summary == ERASED_TEXT)
    if holds(gettext("Anonymised person")):
        # An erased account's events read « Personne anonymisée » as their actor, and as
        # their object when they are about that account (`actor_label`, the log's table).
        erased = select(User.id).where(User.anonymised_at.is_not(None))
        conditions += [
            AuditEvent.actor_id.in_(erased),
            and_(
                AuditEvent.object_type == "user",
                AuditEvent.object_id.in_(
                    select(cast(User.id, String)).where(User.anonymised_at.is_not(None))
                ),
            ),
        ]
    # The domains' own details stored in a fixed form (a return's outcome « Donné », its
    # undone receipt), found by the words the log shows them with.
    conditions += [
        and_(AuditEvent.action == action, stored)
        for action, sample, stored in audit_search_samples()
        if holds(audit_details(action, sample))
    ]
    if not any(character.isdigit() for character in typed):
        # The words only: "1 compte" is not every import that created accounts.
        conditions += [
            condition
            for action, object_type, samples, condition in _COUNTED_DETAILS
            if any(holds(re.sub(r"\d", "", audit_details(action, s, object_type))) for s in samples)
        ]
    return conditions


def list_audit_events(filters: AuditFilters, page: int, per_page: int = 50):
    """One page of (event, actor) rows and the total count: only that page is read. A
    search counts what it finds while reading the page: one scan of the words, not two."""
    conditions = audit_conditions(filters)
    offset = (page - 1) * per_page
    if filters.text.strip():
        counted = _events(conditions).add_columns(func.count().over())
        rows = db.session.execute(counted.limit(per_page).offset(offset)).all()
        if rows:
            return [(event, actor) for event, actor, _total in rows], rows[0][2]
        return [], count_audit_events(conditions)  # none, or a page past the end
    total = count_audit_events(conditions)
    if offset >= total:
        return [], total  # past the end: `within_pages` asks for the last page
    rows = db.session.execute(_events(conditions).limit(per_page).offset(offset))
    return list(rows.all()), total


@dataclass
class ShownObject:
    """What the log's Object cell shows of an event: `label` (« Personne », « Import CSV du
    catalogue », « Personne anonymisée »), then `name` (a name, « #12 », or nothing), a
    link to `endpoint` with `link_args` when there is one. `plain` is what the CSV's name
    column says of it (the type and the number have columns of their own)."""

    label: str
    name: str = ""
    endpoint: str = ""
    link_args: dict = field(default_factory=dict)
    plain: str = ""


def _people(events) -> dict[str, Row]:
    """The accounts the events are about (object "user"), by object id: their id, name and
    erasure only (a CSV of 100,000 events built whole accounts, roles included)."""
    ids = {int(e.object_id) for e in events if e.object_type == "user" and e.object_id.isdigit()}
    if not ids:
        return {}
    people = select(User.id, User.display_name, User.anonymised_at).where(User.id.in_(ids))
    return {str(person.id): person for person in db.session.execute(people)}


def _object_names(events) -> dict[tuple[str, str], str]:
    """{(object type, id): name} of the objects the events are about whose domain told how
    they are named (`ids_named`), in the reader's language; people have theirs apart."""
    language = current_language()
    names = {}
    for object_type, named_ids in audit_names().items():
        if object_type == "user" or not isinstance(named_ids, NamedIds):
            continue
        ids = {e.object_id for e in events if e.object_type == object_type}
        if ids:
            found = named_ids.names_of(ids, language)
            names.update({(object_type, object_id): name for object_id, name in found.items()})
    return names


def shown_objects(events) -> dict[int, ShownObject]:
    """{event id: its Object cell}, for the page and the CSV alike: a person by their name,
    an erased one as « Personne anonymisée » without name or link, a point, an item, a
    template or a campaign by its name (its number once deleted), a batch as such."""
    people, names = _people(events), _object_names(events)
    labels = {
        object_type: object_label(object_type) for object_type in {e.object_type for e in events}
    }
    shown = {}
    for event in events:
        label = labels[event.object_type]
        person = people.get(event.object_id) if event.object_type == "user" else None
        name = names.get((event.object_type, event.object_id))
        target = audit_target(event.object_type, event.object_id)
        if person is not None and person.anonymised_at is not None:
            anonymised = gettext("Anonymised person")
            cell = ShownObject(anonymised, plain=anonymised)
        elif person is not None:
            link = {"user_id": person.id}
            name = person.display_name
            cell = ShownObject(label, name, "admin.person", link, plain=name)
        elif name and event.object_type == "collection_point":
            link = {"point_id": int(event.object_id)}
            cell = ShownObject(label, name, "recycling.edit_point", link, plain=name)
        elif name:
            cell = ShownObject(label, name, plain=name)
        elif target:
            cell = ShownObject(target, plain=target)
        elif event.object_type == "user" and event.object_id.isdigit():
            user = {"user_id": int(event.object_id)}
            cell = ShownObject(label, f"#{event.object_id}", "admin.person", user)
        elif event.object_id not in ("", "-"):
            cell = ShownObject(label, f"#{event.object_id}")
        else:
            cell = ShownObject(label)
        shown[event.id] = cell
    return shown


def csv_cut_notice(limit: int, total: int) -> str:
    """What the CSV's last line and the page say of a file cut at `limit` events."""
    return gettext(
        "The file holds the first %(limit)s rows of %(total)s: narrow the dates.",
        limit=format_number(limit),
        total=format_number(total),
    )


def audit_csv_rows(filters: AuditFilters, limit: int, batch: int = 1000):
    """The CSV's rows for the filtered log, as the page reads (`audit_csv_header`): local
    time, actor, action, object type, object id and details in the reader's words, the
    object's name; then the action's and object type's codes and the details as stored,
    for a machine or a formula that filtered on them. The events are read as the rows are
    written, `batch` at a time (the names of their objects in one query per type), each
    stored text worded once. Past `limit` events, a last line says how many the filters
    found (`csv_cut_notice`). A search's stored texts are worded here, before the file
    starts; the events are read as it is."""
    conditions = audit_conditions(filters)
    statement = _events(conditions).limit(limit + 1).execution_options(yield_per=batch)
    return _csv_rows(statement, conditions, limit)


def _csv_rows(statement: Select, conditions, limit: int):
    # Each stored text and key worded once: a log repeats them, and wording costs.
    details, action_words, type_words = map(cache, (audit_details, action_label, object_label))
    written, cut = 0, False
    # Read as the rows are written, and closed whenever the download ends (PostgreSQL
    # keeps a cursor open on the server meanwhile).
    with db.session.execute(statement) as result:
        for rows in result.partitions():
            if written + len(rows) > limit:
                rows, cut = rows[: limit - written], True
            shown = shown_objects([event for event, _actor in rows])
            for event, actor in rows:
                yield (
                    local_plain(event.at),
                    actor_label(actor),  # « Système » for the system's events, as on the page
                    action_words(event.action),
                    type_words(event.object_type),
                    event.object_id,
                    details(event.action, event.summary, event.object_type),
                    shown[event.id].plain,
                    event.action,
                    event.object_type,
                    event.summary,
                )
            written += len(rows)
    if cut:
        yield (csv_cut_notice(limit, count_audit_events(conditions)),)


def same_named_actions(action: str) -> list[str]:
    """The actions the reader's language names as `action` (« Refus » of a request and of
    an entry, which English tells apart as "Refused" and "Rejected"): one choice of the
    filter menu finds them all."""
    name = action_label(action)
    return sorted({action, *(key for key in ACTION_LABELS if action_label(key) == name)})


def labelled_menu(keys, label) -> list[tuple[str, str]]:
    """(key, label) for a filter menu, in the reader's alphabetical order (accents and
    capitals aside, `collation_key`), one entry per label: keys named alike share the
    first one's."""
    named: dict[str, str] = {}
    for key in sorted(keys):
        named.setdefault(label(key), key)
    return sorted(((key, name) for name, key in named.items()), key=lambda p: collation_key(p[1]))


def audit_choices() -> tuple[list[str], list[str]]:
    """The actions and object types the portal records (`ACTION_LABELS`, `OBJECT_LABELS`),
    for the filter menus: from the code, not from two scans of the log for each page. One
    no event has yet finds none."""
    return sorted(ACTION_LABELS), sorted(OBJECT_LABELS)
