"""Privacy by design: export everything held about a person, erase it on request,
and apply the retention periods.

Each domain declares its personal data with `app.core.privacy.register_personal_data`
and its retention step with `app.core.privacy.register_retention`; this module
calls them all. Services flush; the caller (request, CLI command, job) commits.
"""

import calendar
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, exists, or_, select

from app.auth.identity import user_identity
from app.auth.models import (
    ApiToken,
    LeaderboardVisibility,
    SignInLink,
    User,
    UserRole,
    role_label,
    token_scope_label,
)
from app.auth.services import (
    end_all_sessions,
    forget_sign_in_links,
    forget_welcome_dismissal,
    lock_people,
    remember_erased_address,
    welcome_dismissed,
)
from app.cleanup.models import CleanupCampaign, CleanupParticipant
from app.core.audit import (
    AuditEvent,
    action_label,
    audit_details,
    consent_way_label,
    consent_wording,
    consent_wording_version,
    erase_subject_audit_texts,
    read_consent_summary,
    record_audit,
)
from app.core.i18n import labeller, regional_locale
from app.core.mail import OutgoingEmail
from app.core.privacy import (
    CORE_SECTIONS,
    EXPORT_SECTIONS,
    RetentionDone,
    personal_data_entries,
    retention_hooks,
    retention_step_domain,
    staff_record_exports,
)
from app.core.privacy_mail import erasure_confirmation, send_erasure_confirmations
from app.core.privacy_models import ErasureRequest
from app.core.time import local_iso, utcnow
from app.extensions import db
from app.recycling.models import CollectionPoint, PointAgent

EXPORT_FORMAT = "empreinte-export/1"


# Each language in its own words, as the profile's choice shows it.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

# The preferences form's words for each leaderboard visibility.
VISIBILITY_NAMES = {
    LeaderboardVisibility.PSEUDONYM.value: _l("My pseudonym"),
    LeaderboardVisibility.NAME.value: _l("My name"),
    LeaderboardVisibility.HIDDEN.value: _l("Hidden (my points still count for my department)"),
}


def export_language(user: User) -> str:
    """The language the person reads the portal in: their choice, French when they made none
    (the export is theirs, whoever asks for it and whatever the caller's browser says)."""
    if user.locale in current_app.config["LANGUAGES"]:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


# Who deactivated an account (`User.deactivated_by`), in words.
DEACTIVATED_BY_NAMES = {"admin": _l("Administrator"), "directory": _l("Staff directory")}

# Who made a change to the person's account, as the export names them: by their role, never
# by name (the actor's identity is another person's data). Every change to an account is
# made from the administration pages, which only admins reach; the scheduled jobs act as
# the portal itself.
ACTOR_NAMES = {
    "admin": _l("An administrator"),
    # Someone who decided about the person's objects: an organiser, an agent or an admin.
    "staff": _l("A staff member"),
    "system": _l("The portal, automatically"),
    "self": _l("You"),
}
actor_label = labeller(ACTOR_NAMES)
deactivated_by_label = labeller(DEACTIVATED_BY_NAMES)

# A sign-in link's state, in words: a sign-in with one link spends the person's others.
SIGN_IN_LINK_STATUS_NAMES = {
    "open": _l("Still working"),
    "spent": _l("Spent by a sign-in"),
    "expired": _l("Expired unused"),
}
sign_in_link_status_label = labeller(SIGN_IN_LINK_STATUS_NAMES)


def sign_in_links_history(user: User, now: datetime) -> list[dict]:
    """The person's sign-in links still kept (a day after use or expiry): when each was
    asked for, until when it worked and when it was spent, oldest first; never its digest."""
    history = []
    for link in db.session.scalars(
        select(SignInLink).where(SignInLink.user_id == user.id).order_by(SignInLink.id)
    ):
        if link.used_at is not None:
            status = "spent"
        else:
            status = "open" if link.expires_at > now else "expired"
        history.append(
            {
                "created_at": local_iso(link.created_at),
                "expires_at": local_iso(link.expires_at),
                "used_at": local_iso(link.used_at),
                "status": status,
                "status_name": sign_in_link_status_label(status),
            }
        )
    return history


# The columns of a participation row that say which campaign and whose it is: the export
# gives the campaign by id and name instead, and the person is the export's own.
PARTICIPATION_KEYS = ("id", "campaign_id", "user_id")


# How a closed campaign's individual leaderboard shows the person (`board_shown_as`), in
# words: the choice they had made when it ended.
board_shown_as_label = labeller(VISIBILITY_NAMES)


def campaigns_joined(user: User, language: str) -> list[dict]:
    """The clean-up campaigns the person joined, in the order they joined them: when they
    joined, when they last logged (or changed) an action there, and every other column of
    their participation row, so that one added to it later is in the export too.

    Among them, for a campaign that has ended, how its leaderboard shows them for good
    (`board_shown_as`, with its name) and under which label (`board_label`: the name or
    pseudonym it showed at its end, whatever they chose since): the person's data, since
    that label stands for them there. Both are null while the campaign runs."""
    participant = CleanupParticipant.__table__
    about_them = [column for column in participant.c if column.name not in PARTICIPATION_KEYS]
    rows = db.session.execute(
        select(CleanupCampaign.id, CleanupCampaign.name_fr, CleanupCampaign.name_en, *about_them)
        .join(participant, participant.c.campaign_id == CleanupCampaign.id)
        .where(participant.c.user_id == user.id)
        .order_by(participant.c.joined_at, participant.c.id)
    )
    joined = []
    for campaign_id, name_fr, name_en, *values in rows:
        entry = {"campaign": campaign_id, "campaign_name": name_en if language == "en" else name_fr}
        for column, value in zip(about_them, values, strict=True):
            entry[column.name] = local_iso(value) if isinstance(value, datetime) else value
        shown_as = entry["board_shown_as"]
        entry["board_shown_as_name"] = board_shown_as_label(shown_as) if shown_as else None
        joined.append(entry)
    return joined


def profile_section(user: User, language: str, now: datetime) -> dict:
    """What the core holds about the person: account and its status, preferences, tokens,
    sign-in links, the collection points they are an agent of, the clean-up campaigns they
    joined; their department and commune by code and by name."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()
    visibility = user.leaderboard_visibility
    return user_identity(user) | {
        # The stored codes ("agent", "fr") come with their names in the person's language.
        "role_names": [str(role_label(role)) for role in sorted(user.roles)],
        "locale_name": LANGUAGE_NAMES.get(user.locale) if user.locale else None,
        "leaderboard_visibility_name": str(VISIBILITY_NAMES.get(visibility, visibility)),
        # Hidden with « Masquer ce message de bienvenue »: the row says only that, no date.
        "welcome_hidden": welcome_dismissed(user),
        "department_name": user.department.name(language) if user.department else None,
        "commune_name": user.commune.name if user.commune else None,
        "staff_number": user.staff_number,
        # What the admin's page of the account shows ("Signs in with"); never the hash.
        "has_password": user.password_hash is not None,
        "sso_subject": user.sso_subject,
        "created_at": local_iso(user.created_at),
        "anonymised_at": local_iso(user.anonymised_at),
        "active": user.active,
        "deactivated_at": local_iso(user.deactivated_at),
        "deactivated_by": user.deactivated_by,
        "deactivated_by_name": (
            deactivated_by_label(user.deactivated_by) if user.deactivated_by else None
        ),
        "collection_points": [
            {"id": point_id, "name": name}
            for point_id, name in db.session.execute(
                select(CollectionPoint.id, CollectionPoint.name)
                .join(PointAgent, PointAgent.point_id == CollectionPoint.id)
                .where(PointAgent.user_id == user.id)
                .order_by(CollectionPoint.name, CollectionPoint.id)
            )
        ],
        "cleanup_campaigns": campaigns_joined(user, language),
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "scope": token.scope,
                "scope_name": token_scope_label(token.scope),
                "created_at": local_iso(token.created_at),
                "last_used_at": local_iso(token.last_used_at),
                "revoked_at": local_iso(token.revoked_at),
            }
            for token in tokens
        ],
        "sign_in_links": sign_in_links_history(user, now),
        "erasure_requests": [
            {
                "requested_at": local_iso(request.requested_at),
                "executed_at": local_iso(request.executed_at),
                "cancelled_at": local_iso(request.cancelled_at),
            }
            for request in db.session.scalars(
                select(ErasureRequest)
                .where(ErasureRequest.user_id == user.id)
                .order_by(ErasureRequest.id)
            )
        ],
    }


def consents_section(user: User) -> dict:
    """The consents the person gave, when they last changed them, each change with the
    version of the consent's wording they read (`history`), and the wording's text and
    version in each language of the portal, to match those versions with."""
    return {
        "email_opt_in": user.email_opt_in,
        "email_opt_in_changed_at": local_iso(user.email_opt_in_changed_at),
        "history": consent_history(user),
        "wording": {
            language: {
                "version": consent_wording_version(language),
                "text": consent_wording(language),
            }
            for language in current_app.config["LANGUAGES"]
        },
    }


def consent_history(user: User) -> list[dict]:
    """Each e-mail consent the person gave or withdrew, oldest first: when, how, and the
    version of the wording they read, in which language (None when not kept then)."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "user",
            AuditEvent.object_id == str(user.id),
            AuditEvent.action.in_(("email_consent_given", "email_consent_withdrawn")),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    history = []
    for event in events:
        parts = read_consent_summary(event.summary) or {}
        history.append(
            {
                "at": local_iso(event.at),
                "given": event.action == "email_consent_given",
                "how": parts.get("way"),
                "how_name": consent_way_label(parts["way"]) if parts else None,
                "wording_language": parts.get("language"),
                "wording_version": parts.get("version"),
            }
        )
    return history


def _events_since(object_type: str, owned):
    """Events about one of `owned`'s objects (its first column the id as the log stores
    it, its second when the object became the person's): an id SQLite gave again to a
    newer object does not bring the events about the one deleted before."""
    object_id, since = owned.c
    return and_(
        AuditEvent.object_type == object_type,
        exists().where(object_id == AuditEvent.object_id, AuditEvent.at >= since),
    )


def audit_events_section(user: User) -> list[dict]:
    """The audit log's events about the person's account (a role granted, the account
    deactivated), about their objects (a request decided, an entry reviewed, a device
    received), deleted since or not, and those they wrote themselves as staff (an entry they
    rejected, a template they created, an erasure they carried out), oldest first, worded as
    the log words them; the actor named by role.

    An event they wrote says what the log stores (the object's id, the reason they typed),
    nothing looked up about the person it concerned; a reason erased with that person reads
    as erased here too."""
    account = and_(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id))
    # Events written before the log kept their person (`subject_user_id`): found through
    # the objects the domains still hold for them.
    theirs = [
        _events_since(object_type, owned.subquery())
        for object_type, owned in (
            entry.audited(user) for entry in personal_data_entries() if entry.audited
        )
    ]
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                account,
                AuditEvent.subject_user_id == user.id,
                AuditEvent.actor_id == user.id,
                *theirs,
            )
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    rows = []
    for event in events:
        if event.actor_id is None:
            actor = "system"
        elif event.actor_id == user.id:
            actor = "self"
        else:  # changes to an account are made by admins; to one's objects, by staff
            actor = "admin" if event.object_type == "user" else "staff"
        rows.append(
            {
                "at": local_iso(event.at),
                "object_type": event.object_type,
                "object": event.object_id,
                "action": event.action,
                "action_name": action_label(event.action),
                "details": audit_details(event.action, event.summary, event.object_type),
                "actor": actor,
                "actor_name": actor_label(actor),
            }
        )
    return rows


def executed_erasures(user: User) -> list[dict]:
    """The erasure requests the person carried out as an admin: when, and nothing of whom
    (that person is erased)."""
    return [
        {"executed_at": local_iso(executed_at)}
        for executed_at in db.session.scalars(
            select(ErasureRequest.executed_at)
            .where(ErasureRequest.executed_by_id == user.id)
            .order_by(ErasureRequest.executed_at, ErasureRequest.id)
        )
    ]


def staff_records_section(user: User) -> dict:
    """The rows naming the person as the staff member who created, reviewed, decided or
    carried them out, kind by kind (`register_staff_records`), every kind listed even when
    empty."""
    exports = {"erasures_executed": executed_erasures} | staff_record_exports()
    return {kind: exports[kind](user) for kind in sorted(exports)}


def export_personal_data(user: User, now: datetime) -> dict:
    """One JSON-able document with every section, empty lists for absent domains.

    Stored codes come with their names in the person's language: the domains' exports
    read the locale in force, so the whole document is written under theirs. Moments are
    ISO 8601 with the portal's local offset, the day and hour its pages show.
    """
    language = export_language(user)
    document: dict = {"format": EXPORT_FORMAT, "exported_at": local_iso(now)}
    with force_locale(regional_locale(language)):
        document["profile"] = profile_section(user, language, now)
        document["consents"] = consents_section(user)
        document["audit_events"] = audit_events_section(user)
        document["staff_records"] = staff_records_section(user)
        for section in EXPORT_SECTIONS[len(CORE_SECTIONS) :]:
            document[section] = []
        for entry in personal_data_entries():
            if entry.section in CORE_SECTIONS:
                continue  # the core's own sections cannot be replaced by a domain
            document[entry.section] = entry.export(user)
    return document


# --- Erasure -----------------------------------------------------------------


def pending_erasure(user: User) -> ErasureRequest | None:
    """The person's open erasure request, if any."""
    return db.session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.user_id == user.id,
            ErasureRequest.executed_at.is_(None),
            ErasureRequest.cancelled_at.is_(None),
        )
    )


def request_erasure(user: User, now: datetime) -> ErasureRequest:
    """Record the person's wish to be erased (idempotent: one open request at most)."""
    existing = pending_erasure(user)
    if existing is not None:
        return existing
    request = ErasureRequest(user_id=user.id, requested_at=now)
    db.session.add(request)
    db.session.flush()
    return request


def cancel_erasure(user: User, now: datetime) -> bool:
    """Withdraw the open request; False when there was none."""
    request = pending_erasure(user)
    if request is None:
        return False
    request.cancelled_at = now
    db.session.flush()
    return True


def list_pending_erasures(page: int, per_page: int = 50) -> tuple[list[ErasureRequest], int]:
    """Open requests, oldest first, and their total count."""
    query = select(ErasureRequest).where(
        ErasureRequest.executed_at.is_(None), ErasureRequest.cancelled_at.is_(None)
    )
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(ErasureRequest.requested_at, ErasureRequest.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def anonymise_user(user: User, now: datetime) -> None:
    """Strip the account of everything that identifies the person.

    The row stays (with its department and commune) so that the totals derived
    from the person's actions and returns do not move; it can never sign in again. Of
    the address a keyed digest is kept apart (`ErasedAddress`, joined to nothing), so
    that the staff directory does not recreate them.
    """
    placeholder = f"Anonyme {user.id}"
    remember_erased_address(user.email)
    user.email = f"erased-{user.id}@invalid"
    user.staff_number = None
    user.sso_subject = None
    user.display_name = placeholder
    user.pseudonym = placeholder
    user.password_hash = None
    user.locale = None
    user.leaderboard_visibility = LeaderboardVisibility.HIDDEN.value
    if user.email_opt_in:
        user.email_opt_in = False
    user.email_opt_in_changed_at = now
    user.active = False
    user.anonymised_at = now
    db.session.execute(
        delete(UserRole).where(UserRole.user_id == user.id, UserRole.role != "employee")
    )
    # Deleted, not revoked: nothing needs them once the account can never sign in, and a
    # revoked row would keep its dates, the erasure's among them.
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    forget_sign_in_links(user)
    forget_welcome_dismissal(user)
    end_all_sessions(user)
    db.session.flush()
    user.forget_roles()


def erase_user(user: User, now: datetime, actor: User | None = None) -> OutgoingEmail | None:
    """Erase a person: every domain's eraser, then the account itself (flushes).

    Returns the e-mail telling them so, written to their address before it is wiped, for
    the boundary to send once committed (`privacy_mail.send_erasure_confirmations`); None
    when the account was erased already."""
    confirmation = None
    if user.anonymised_at is None:
        confirmation = erasure_confirmation(user, export_language(user), now)
        for entry in personal_data_entries():
            entry.erase(user, now)
        # The events about objects that were theirs, deleted since included.
        erase_subject_audit_texts(user.id)
        anonymise_user(user, now)
        record_audit(actor, "erase", "user", user.id, now, "personal data erased")
    for request in db.session.scalars(
        select(ErasureRequest).where(
            ErasureRequest.user_id == user.id,
            ErasureRequest.executed_at.is_(None),
            ErasureRequest.cancelled_at.is_(None),
        )
    ):
        request.executed_at = now
        request.executed_by_id = getattr(actor, "id", None)
    db.session.flush()
    return confirmation


class ErasureRefused(ValueError):
    """A request an admin may not carry out from the page (`str()` says why):
    "own-request", or "last-admin" when no other active admin would remain."""


def active_admin_ids() -> list[int]:
    """The active, not erased accounts holding the admin role."""
    return list(
        db.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "admin", User.active.is_(True), User.anonymised_at.is_(None))
        )
    )


def _refuse_leaving_no_admin(user: User) -> None:
    """ErasureRefused("last-admin") unless an active admin besides `user` remains.

    Every admin's account is held first: two admins erasing each other at the same
    moment would each count the other and leave none; the second now counts after the
    first has committed."""
    lock_people(db.session.scalars(select(UserRole.user_id).where(UserRole.role == "admin")))
    if not set(active_admin_ids()) - {user.id}:
        raise ErasureRefused("last-admin")


def execute_erasure_request(request_id: int, actor: User, now: datetime) -> OutgoingEmail | None:
    """An admin carries out a pending request; returns the person's confirmation to send
    once committed (`erase_user`), None when the request is not pending.

    Raises ErasureRefused for the admin's own request (another admin decides, as staff
    never sign off their own work) and for one that would leave no active admin. The
    scheduled job and `flask privacy erase` refuse neither: erasure is the person's
    right, and the command says when no admin remains."""
    request = db.session.get(ErasureRequest, request_id)
    if request is None or not request.pending:
        return None
    if request.user_id == actor.id:
        raise ErasureRefused("own-request")
    _refuse_leaving_no_admin(request.user)
    return erase_user(request.user, now, actor=actor)


def execute_due_erasures(
    now: datetime, delay_days: int, confirmations: list[OutgoingEmail] | None = None
) -> int:
    """Carry out every request older than the delay; returns how many people were erased.
    Each person's confirmation (`erase_user`) is added to `confirmations`, for the caller
    to send once committed."""
    due = db.session.scalars(
        select(ErasureRequest).where(
            ErasureRequest.executed_at.is_(None),
            ErasureRequest.cancelled_at.is_(None),
            ErasureRequest.requested_at <= now - timedelta(days=delay_days),
        )
    ).all()
    for request in due:
        confirmation = erase_user(request.user, now)
        if confirmation is not None and confirmations is not None:
            confirmations.append(confirmation)
    return len(due)


# --- Retention ---------------------------------------------------------------


#: How long an account deactivated by an administrator or the staff directory (a person
#: who left) is kept before it is erased, unless the settings say otherwise.
DEACTIVATED_ACCOUNT_RETENTION_MONTHS = 12


def _months_before(moment: datetime, months: int) -> datetime:
    """The same instant `months` calendar months earlier (day clamped to the month's end):
    the months the privacy notice says."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


def deactivated_account_retention_months() -> int:
    return int(
        current_app.config.get(
            "DEACTIVATED_ACCOUNT_RETENTION_MONTHS", DEACTIVATED_ACCOUNT_RETENTION_MONTHS
        )
    )


def erase_departed_accounts(now: datetime) -> dict[str, int]:
    """Retention step: erase (`erase_user`, as the erasure job does) every account an
    administrator or the staff directory deactivated more than
    DEACTIVATED_ACCOUNT_RETENTION_MONTHS ago and that stayed so; never one deactivated for
    less. Totals stay as they are. Says how many people were erased."""
    limit = _months_before(now, deactivated_account_retention_months())
    departed = db.session.scalars(
        select(User)
        .where(
            User.active.is_(False),
            User.anonymised_at.is_(None),
            User.deactivated_by.in_(("admin", "directory")),
            User.deactivated_at.is_not(None),
            User.deactivated_at <= limit,
        )
        .order_by(User.id)
    ).all()
    for user in departed:
        erase_user(user, now)
    return {"departed account(s) erased": len(departed)}


def apply_retention(now: datetime) -> list[tuple[str, RetentionDone]]:
    """Run every registered retention hook, in order; returns each one's domain and what
    it did (`RetentionDone`)."""
    done = [(retention_step_domain(hook), hook(now)) for hook in retention_hooks()]
    db.session.flush()
    return done


# --- Scheduled jobs (one commit each) ---------------------------------------


def erasure_job() -> None:
    """Scheduled: execute the requests whose delay has passed, then tell each person."""
    confirmations: list[OutgoingEmail] = []
    execute_due_erasures(utcnow(), current_app.config["ERASURE_DELAY_DAYS"], confirmations)
    db.session.commit()
    send_erasure_confirmations(confirmations)


def retention_job() -> None:
    """Scheduled: anonymise or purge what is past its retention period."""
    apply_retention(utcnow())
    db.session.commit()


# --- Erasures to carry out again after a restore ----------------------------


def list_erasures_since(since: datetime) -> list[tuple[int, datetime]]:
    """The accounts erased since `since` (the audit log's `erase` events: an erasure
    request, an administrator's, `flask privacy erase`, the departed accounts' retention),
    oldest first: each account's id and when it was erased. A database restored from a
    backup taken before then holds these people again."""
    return [
        (int(object_id), at)
        for object_id, at in db.session.execute(
            select(AuditEvent.object_id, AuditEvent.at)
            .where(
                AuditEvent.action == "erase",
                AuditEvent.object_type == "user",
                AuditEvent.at >= since,
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    ]


def erase_again(user_ids: list[int], now: datetime) -> list[int]:
    """Erase again, as the first time (`erase_user`), the accounts of `user_ids` a restored
    database holds unerased; the ids erased (flushes). No e-mail: the people were told the
    first time."""
    erased = []
    for user_id in dict.fromkeys(user_ids):
        user = db.session.get(User, user_id)
        if user is not None and user.anonymised_at is None:
            erase_user(user, now)
            erased.append(user_id)
    return erased
