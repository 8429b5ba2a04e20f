"""Administration: roles and accounts (audited) and reads of the audit log."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import ColumnElement, Select, String, and_, cast, delete, func, or_, select

from app.auth.models import ROLES, User, UserRole
from app.auth.services import AccountError, close_access
from app.core import text_search
from app.core.audit import (
    ACTION_LABELS,
    BATCH_TARGETS,
    DIRECTORY_CHANGE,
    ERASED_TEXT,
    OBJECT_LABELS,
    AuditEvent,
    about_objects_named,
    action_label,
    audit_details,
    audit_search_samples,
    record_audit,
)
from app.core.i18n import collation_key
from app.core.privacy_services import export_personal_data
from app.extensions import db
from app.recycling.models import CollectionPoint, PointAgent
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
    holds = role in user.roles
    if holds == granted:
        return False
    if granted:
        db.session.add(UserRole(user_id=user.id, role=role))
    else:
        if role == "admin" and user.id == actor.id:
            raise AccountError("own-admin")
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


def set_account_active(actor: User, user: User, active: bool, now: datetime) -> bool:
    """Deactivate an account (its sessions, API tokens and sign-in links stop working,
    and the staff directory will not reactivate it) or reactivate it; audited. False
    when nothing changed. Raises AccountError for one's own account or an erased one,
    OnlyAgentError for the only agent of open points. A deactivated agent stays
    assigned to their points, to take them up again once reactivated.
    """
    if user.anonymised_at is not None:
        raise AccountError("erased")
    if user.id == actor.id:
        raise AccountError("own-account")
    if user.active == active and (active or user.deactivated_by == "admin"):
        return False
    if not active and user.active:
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


def export_person_data(actor: User, user: User, now: datetime) -> dict:
    """The person's data export, the very document their profile gives them, downloaded
    by an administrator (an access request from someone who can no longer sign in):
    audited on the person's account, so their own export lists it too. Flushes."""
    if user.anonymised_at is not None:
        raise AccountError("erased")
    record_audit(actor, "export_data", "user", user.id, now, "")
    return export_personal_data(user, now)


def events_about_person(user: User, limit: int = 10) -> list[tuple[AuditEvent, User | None]]:
    """The latest audited changes of this person's account (roles, deactivation,
    erasure), newest first, with who made them."""
    statement = (
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id))
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
    text: str = ""  # fragment of the summary or of the object's id (an item's code)
    since: datetime | None = None
    until: datetime | None = None


def audit_query(filters: AuditFilters) -> Select:
    """Audit events with their actor, newest first, narrowed by the filters."""
    statement = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
    if filters.action:
        statement = statement.where(AuditEvent.action.in_(same_named_actions(filters.action)))
    if filters.object_type:
        statement = statement.where(AuditEvent.object_type == filters.object_type)
    if filters.actor:
        statement = statement.where(
            func.lower(User.email).contains(filters.actor.strip().lower(), autoescape=True)
        )
    if filters.text.strip():
        fragment = filters.text.strip().lower()
        statement = statement.where(
            or_(
                func.lower(AuditEvent.summary).contains(fragment, autoescape=True),
                func.lower(AuditEvent.object_id).contains(fragment, autoescape=True),
                *about_objects_named(fragment),  # a person, a point, a template… by its name
                *shown_with(fragment),  # « Organisateur », « créé »: the page's own words
            )
        )
    if filters.since:
        statement = statement.where(AuditEvent.at >= filters.since)
    if filters.until:
        statement = statement.where(AuditEvent.at < filters.until)
    return statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


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
    """One page of (event, actor) rows and the total count."""
    statement = audit_query(filters)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


def people_in_events(rows) -> dict[int, User]:
    """The accounts the listed events are about (object "user"), by id: the log names
    them rather than showing a number."""
    ids = {
        int(event.object_id)
        for event, _actor in rows
        if event.object_type == "user" and event.object_id.isdigit()
    }
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def points_in_events(rows) -> dict[int, CollectionPoint]:
    """The collection points the listed events are about, by id: the log names them as it
    names people (a point deleted since keeps its number)."""
    ids = {
        int(event.object_id)
        for event, _actor in rows
        if event.object_type == "collection_point" and event.object_id.isdigit()
    }
    if not ids:
        return {}
    found = db.session.scalars(select(CollectionPoint).where(CollectionPoint.id.in_(ids)))
    return {point.id: point for point in found}


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
    """The actions and object types present in the log, for the filter menus."""
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    types = db.session.scalars(
        select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)
    )
    return list(actions), list(types)
