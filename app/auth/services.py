"""Writes about people: accounts, passwords, sessions, preferences and tokens.

Services flush; the caller (request, CLI command or job) commits once.
"""

import hashlib
import hmac
import secrets
import time
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, g, has_request_context, request, session
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, exists, func, or_, select, update
from sqlalchemy.orm import lazyload, with_expression
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import (
    ROLES,
    TOKEN_NAME_LENGTH,
    ApiToken,
    EndedSession,
    ErasedAddress,
    LeaderboardVisibility,
    SignInLink,
    TokenScope,
    User,
    UserRole,
    WelcomeDismissal,
    role_names_subquery,
)
from app.cleanup.models import CleanupParticipant
from app.core.audit import record_consent_change
from app.core.forms import visible_text
from app.core.i18n import collation_key
from app.core.models import Commune, Department
from app.core.person_figures import figure_columns, remember
from app.core.sql import upsert_insert
from app.extensions import db

PSEUDONYM_WORDS = (
    "Héron", "Colibri", "Loutre", "Chêne", "Saule", "Lynx", "Mésange", "Castor", "Tilleul",
    "Aigrette", "Hérisson", "Martinet", "Cigogne", "Érable", "Renard", "Ibis", "Bouleau",
    "Pinson", "Blaireau", "Fougère", "Sterne", "Genêt", "Belette", "Cèdre", "Grive",
)  # fmt: skip

# A real hash to compare against when the e-mail is unknown, so that the answer
# takes the same time whether or not the account exists.
_TIMING_HASH = generate_password_hash(secrets.token_hex(8))


def hash_password(password: str) -> str:
    """Hash with the configured modern algorithm (scrypt by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is for the user."""


class AddressRefused(ValueError):
    """An address an admin typed (directory file, `flask users create`) that the portal
    refuses: `str()` is "invalid" (not an address) or "non-ascii" (letters the portal's
    mail cannot deliver to)."""


def deliverable_address(typed: str) -> str:
    """The address as accounts store it (normalised, lower case), or AddressRefused.

    An address with letters beyond ASCII (« élodie.françois@… », an accented domain)
    is valid, but reaching it needs a mail server speaking SMTPUTF8, which most relays
    of an authority do not: its sign-in links would never arrive. Refused where it is
    typed, with a reason, rather than failing at every sign-in."""
    typed = typed.strip()
    try:
        found = validate_email(typed, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        if typed.isascii():
            raise AddressRefused("invalid") from error
        try:  # valid but for its letters?
            validate_email(typed, check_deliverability=False)
        except EmailNotValidError:
            raise AddressRefused("invalid") from error
        raise AddressRefused("non-ascii") from error
    if not found.normalized.isascii():  # an accented domain: SMTPUTF8 again
        raise AddressRefused("non-ascii")
    return found.normalized.lower()


def pseudonyms_on_closed_boards() -> set[str]:
    """Every pseudonym a closed campaign's leaderboard still lists someone under (the label
    kept at its end, `CleanupParticipant.board_label`), whoever holds it now: read once per
    draw, as one set, rather than looked up at every try."""
    return set(
        db.session.scalars(
            select(CleanupParticipant.board_label)
            .where(
                CleanupParticipant.board_shown_as == LeaderboardVisibility.PSEUDONYM.value,
                CleanupParticipant.board_label.is_not(None),
            )
            .distinct()
        )
    )


def pseudonyms_taken() -> set[str]:
    """The pseudonyms a draw must skip: everyone's current one and every one a closed
    board keeps (`new_pseudonym(taken)` when drawing many at once)."""
    return set(db.session.scalars(select(User.pseudonym))) | pseudonyms_on_closed_boards()


def new_pseudonym(taken: set[str] | None = None) -> str:
    """A random pseudonym such as 'Héron 4821', unique in the database (or in `taken`).

    Never one a closed campaign's board still shows: whoever drew « Colibri 1233 » after
    its owner left it would seem to hold that board's rank under it."""
    kept = pseudonyms_on_closed_boards() if taken is None else taken
    while True:
        candidate = f"{secrets.choice(PSEUDONYM_WORDS)} {secrets.randbelow(9000) + 1000}"
        if candidate in kept:
            continue
        if taken is not None:
            taken.add(candidate)
            return candidate
        if db.session.scalar(select(User.id).where(User.pseudonym == candidate)) is None:
            return candidate


def draw_new_pseudonym(user: User) -> str:
    """Give the person a new random pseudonym, unique as every pseudonym is (their current
    one is still theirs in the database while drawing, so it never comes back); flushes.
    Running leaderboards show the new one from then on; a closed campaign's keeps the one
    shown at its end, which no later draw gives anyone."""
    user.pseudonym = new_pseudonym()
    db.session.flush()
    return user.pseudonym


# Separates the key of erased addresses' digests from SECRET_KEY's other uses.
_ERASED_ADDRESS_PURPOSE = b"empreinte: digest of an erased address"


def erased_address_digest(email: str, secret: str | None = None) -> str:
    """What an erasure keeps of an address: an HMAC of it under a key derived from
    SECRET_KEY (or from `secret`, a former key). The staff directory recognises the
    address with it; without the key, a list of addresses does not tell which were erased."""
    secret = current_app.config["SECRET_KEY"] if secret is None else secret
    key = hmac.new(secret.encode(), _ERASED_ADDRESS_PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, _erasable(email).encode(), hashlib.sha256).hexdigest()


def erased_address_digests(email: str) -> list[str]:
    """Every form a kept digest of this address may have, the current one first: keyed
    with SECRET_KEY, then with each former key (SECRET_KEY_FALLBACKS, newest first), then
    the unkeyed SHA-256 that erasures stored before migration 20261217_auth_erased_apart."""
    former = reversed(current_app.config.get("SECRET_KEY_FALLBACKS") or ())
    return [
        erased_address_digest(email),
        *(erased_address_digest(email, secret) for secret in former),
        hashlib.sha256(f"erased:{_erasable(email)}".encode()).hexdigest(),
    ]


def _erasable(email: str) -> str:
    """The address as its digest is made: an import's capitals and spaces aside."""
    return email.strip().lower()


def remember_erased_address(email: str) -> None:
    """Keep the current digest of an erased account's address, in place of any older form
    of it (flushes). A placeholder (`…@invalid`: released, erased) reaches nobody and
    leaves nothing to recognise."""
    if _erasable(email).endswith("@invalid"):
        return
    current, *older = erased_address_digests(email)
    db.session.execute(delete(ErasedAddress).where(ErasedAddress.digest.in_(older)))
    dialect = db.session.get_bind().dialect.name
    db.session.execute(
        upsert_insert(dialect)(ErasedAddress).values(digest=current).on_conflict_do_nothing()
    )
    db.session.flush()


def kept_erased_digests() -> set[str]:
    """Every digest of an erased address the portal keeps."""
    return set(db.session.scalars(select(ErasedAddress.digest)))


def recognise_erased_address(email: str, kept: set[str]) -> list[str]:
    """The digests among `kept` that are this address's (none: it was not erased). One
    made with a former key or none is replaced by the current form, so that the address
    is still recognised once that key is gone (flushes)."""
    forms = erased_address_digests(email)
    found = [digest for digest in forms if digest in kept]
    if found and found != forms[:1]:
        remember_erased_address(email)
    return found


def forget_erased_addresses(digests: Iterable[str]) -> None:
    """The portal has no reason left to recognise these addresses (flushes)."""
    remaining = sorted(digests)
    for start in range(0, len(remaining), 500):
        db.session.execute(
            delete(ErasedAddress).where(ErasedAddress.digest.in_(remaining[start : start + 500]))
        )
    db.session.flush()


def lock_people(ids: Iterable[int]) -> None:
    """Hold these accounts until the transaction ends, so that a check followed by a
    write about them ("at most three links", "an admin remains") runs one request at a
    time: a request reading after the wait sees what the other one wrote.

    PostgreSQL locks their rows (in id order: two requests never hold one each and wait
    for the other). SQLite has one writer for the whole database: a write, even one that
    changes nothing, takes that lock before the check reads. Written on the table, not
    the entity, so that no cached page about people is invalidated (`app/core/cache.py`).
    """
    table = User.__table__
    chosen = table.c.id.in_(sorted(set(ids)))
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(table.c.id).where(chosen).order_by(table.c.id).with_for_update())
    else:
        db.session.execute(update(table).where(chosen).values(id=table.c.id))


def find_user_by_email(email: str) -> User | None:
    """The user with this e-mail address, compared case-insensitively."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    email: str,
    display_name: str | None = None,
    *,
    roles: tuple[str, ...] = ("employee",),
    password: str | None = None,
    department_code: str | None = None,
    locale: str | None = None,
    pseudonym: str | None = None,
) -> User:
    """Create an account. Without a password the person cannot sign in with one. Its
    pseudonym is drawn (`new_pseudonym`) unless the caller holds one already."""
    email = email.strip().lower()
    if find_user_by_email(email):
        raise AccountError(f"An account already exists for {email}.")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(f"Unknown role(s): {', '.join(sorted(unknown))}.")
    department = None
    if department_code:
        department = db.session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise AccountError(f"Unknown department code: {department_code}.")
    user = User(
        email=email,
        display_name=display_name or email.split("@")[0].replace(".", " ").title(),
        pseudonym=pseudonym or new_pseudonym(),
        password_hash=hash_password(password) if password else None,
        department=department,
        commune=department.commune if department else None,
        locale=locale,
        leaderboard_visibility=LeaderboardVisibility.PSEUDONYM.value,
    )
    user.role_rows = [UserRole(role=role) for role in dict.fromkeys(("employee", *roles))]
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user whose e-mail and password match, or None."""
    user = password_holder(email, password)
    return user if user is not None and user.is_active else None


def password_holder(email: str, password: str) -> User | None:
    """The account, active or deactivated (never an erased one), whose e-mail and password
    match, or None; one password check whatever the address. Only someone who knows the
    password learns that the account is deactivated: the sign-in page tells them whom
    to ask instead of "wrong password", which they knew was right."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash or user.anonymised_at is not None:
        check_password_hash(_TIMING_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def keep_language_if_never_chosen(user: User, language: str) -> None:
    """Keep the language a person signed in with, unless they chose one.

    Messages are written when no browser is there to ask: without this, a person who
    reads the portal in English because of their browser would get them in French.
    """
    if user.locale is None:
        user.locale = language
        db.session.flush()


def welcome_dismissed(user: User) -> bool:
    """Whether this person hid the home page's welcome."""
    return db.session.get(WelcomeDismissal, user.id) is not None


def dismiss_welcome(user: User) -> None:
    """Hide the home page's welcome for this person, for good (hiding it twice, from two
    tabs at once, is no error)."""
    insert = upsert_insert(db.session.get_bind().dialect.name)
    db.session.execute(insert(WelcomeDismissal).values(user_id=user.id).on_conflict_do_nothing())
    db.session.flush()


def forget_welcome_dismissal(user: User) -> None:
    """Forget that this person hid the welcome (an erasure: the choice was theirs).
    Flushes."""
    db.session.execute(delete(WelcomeDismissal).where(WelcomeDismissal.user_id == user.id))
    db.session.flush()


def end_all_sessions(user: User) -> None:
    """Invalidate every session of this user, on every device."""
    user.session_token = secrets.token_hex(16)
    db.session.flush()


def close_access(user: User, now: datetime) -> None:
    """Every way in of a deactivated account stops for good: its sessions end, its API
    tokens are revoked and its sign-in links deleted. A reactivation gives none of them
    back: the person signs in again and creates new tokens (an account closed after a
    lost phone must not come back with the phone's token working)."""
    end_all_sessions(user)
    revoke_all_api_tokens(user, now)
    forget_sign_in_links(user)


def count_working_api_tokens(user: User) -> int:
    """How many of the person's API tokens are not revoked."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
        or 0
    )


#: How many days a revoked API token is kept (its name, dates and scope, on the owner's
#: profile and in their export), unless the settings say otherwise.
REVOKED_TOKEN_RETENTION_DAYS = 90


def purge_revoked_api_tokens(now: datetime) -> dict[str, int]:
    """Retention step: delete the API tokens revoked REVOKED_TOKEN_RETENTION_DAYS ago or
    more (by their owner, an admin's deactivation or the command line); a working token
    stays as long as it works."""
    days = int(current_app.config.get("REVOKED_TOKEN_RETENTION_DAYS", REVOKED_TOKEN_RETENTION_DAYS))
    result = db.session.execute(
        delete(ApiToken)
        .where(ApiToken.revoked_at.is_not(None), ApiToken.revoked_at <= now - timedelta(days=days))
        .execution_options(synchronize_session=False)
    )
    return {"revoked API token(s) deleted": result.rowcount}


def revoke_all_api_tokens(user: User, now: datetime) -> int:
    """Revoke every working API token of the person; returns how many were working."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password after checking the current one; ends the other sessions."""
    if not user.password_hash or not check_password_hash(user.password_hash, current_password):
        raise AccountError("wrong-password")
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)


def set_password(user: User, new_password: str) -> None:
    """Set a new password without the old one (the caller checked the person just proved
    they own the mailbox); ends the other sessions."""
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)


def update_preferences(
    user: User, *, locale: str, visibility: str, email_opt_in: bool, now: datetime
) -> None:
    """Save language, leaderboard visibility and e-mail consent.

    A change to or from showing the pseudonym draws a new one (`draw_new_pseudonym`):
    someone who noted a leaderboard under the pseudonym and reads the person's name with
    the same points after the switch has linked the two, and that pseudonym must not
    come back, neither when they switch back nor in another campaign."""
    user.locale = locale
    chosen = LeaderboardVisibility(visibility).value
    pseudonym = LeaderboardVisibility.PSEUDONYM.value
    if chosen != user.leaderboard_visibility and pseudonym in (chosen, user.leaderboard_visibility):
        draw_new_pseudonym(user)
    user.leaderboard_visibility = chosen
    if user.email_opt_in != email_opt_in:
        user.email_opt_in = email_opt_in
        user.email_opt_in_changed_at = now
        record_consent_change(user, email_opt_in, "profile", now)
    db.session.flush()


def list_communes() -> list[Commune]:
    """The communes a person may name as their work commune, in alphabetical order."""
    return sorted(db.session.scalars(select(Commune)), key=lambda c: collation_key(c.name))


def set_work_commune(user: User, commune_id: int | None) -> None:
    """The person's work commune: collection points are listed nearest first from it, and
    clean-up entries, commune messages and commune staff counts place them there. None:
    their department's commune as it is now, stored (left empty when there is none). An
    id no commune holds changes nothing. Flushes."""
    if commune_id is None:
        # Stored, not left to a fallback: only the recycling sorting had one, so an empty
        # commune took the person out of their department's commune everywhere else.
        user.commune_id = user.department.commune_id if user.department else None
    elif db.session.get(Commune, commune_id) is not None:
        user.commune_id = commune_id
    db.session.flush()


def api_token_name_taken(user: User, name: str) -> bool:
    """True when one of the person's active tokens bears `name` (case and spaces aside):
    two "Revoke my script" buttons could not be told apart. A revoked one's name is free."""
    wanted = _name_key(name)
    names = db.session.scalars(
        select(ApiToken.name).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    return any(_name_key(taken) == wanted for taken in names)


def _name_key(name: str) -> str:
    """A token's name as a reader tells it from another: "Ra\u200bce" (a zero-width space
    inside) shows as "Race", and a run of spaces as one."""
    shown = "".join(c for c in name if unicodedata.category(c) not in ("Cf", "Cc"))
    return " ".join(shown.split()).casefold()


def create_api_token(user: User, name: str, scope: str = TokenScope.READ) -> tuple[ApiToken, str]:
    """Create a personal token; the raw value is returned once and never stored.

    Its name is required and none of the person's active tokens may bear it
    (`AccountError` otherwise, nothing created), whoever asks: the profile form checks the
    same first, to show it at its field. The person is held until the commit
    (`lock_people`): two requests at once are checked one after the other. It reads only
    unless `scope` says read and write (`TokenScope`)."""
    if scope not in set(TokenScope):
        raise AccountError(_("Choose what the token may do: read only, or read and write."))
    if not user.is_active:  # deactivated or erased: the token would never be accepted
        raise AccountError(_("This account is not active: a token of it would never work."))
    lock_people([user.id])
    name = visible_text(name)
    if not name:
        raise AccountError(_("Give the token a name."))
    if len(name) > TOKEN_NAME_LENGTH:
        raise AccountError(
            _("A token's name holds at most %(count)s characters.", count=TOKEN_NAME_LENGTH)
        )
    if api_token_name_taken(user, name):
        raise AccountError(
            _("An active token of this person is already named “%(name)s”: choose another "
              "name.", name=name)
        )  # fmt: skip
    raw = "emp_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_digest=ApiToken.digest(raw),
        prefix=raw[:10],
        scope=TokenScope(scope).value,
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_api_token(user: User, token_id: int, now: datetime) -> bool:
    """Revoke one of the user's own tokens; False when it is not theirs or not found."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        return False
    token.revoked_at = token.revoked_at or now
    db.session.flush()
    return True


def active_token(raw: str, now: datetime) -> ApiToken | None:
    """The valid, unrevoked token of an active person, or None; its use is recorded (at
    most once an hour)."""
    token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_digest == ApiToken.digest(raw), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
        token.last_used_at = now
    return token


def _session_user_statement():
    """The loader's query, built once per app: it runs on every signed-in request.

    Building the statement (the figures' subqueries, their labels) and computing its
    cache key cost more than running it on SQLite; a statement object kept and reused
    has its cache key memoised by SQLAlchemy.
    """
    statement = current_app.extensions.get("empreinte.session_user_statement")
    if statement is None:
        # One query for the person, their role names and the figures every page shows
        # about them (app/core/person_figures.py). The roles come as one text, the
        # department and commune when a page uses them: joined as objects (a row
        # object per role, made unique), they cost more than the rest of the query.
        columns = figure_columns(User.id)
        # Last: whether this browser session was signed out (a copy of its cookie).
        session_ended = (
            exists().where(EndedSession.mark == bindparam("mark")).label("session_ended")
        )
        statement = (
            select(User, *columns, session_ended)
            .options(
                with_expression(User.role_names, role_names_subquery(User.id)),
                lazyload(User.role_rows),
            )
            .where(User.id == bindparam("user_id"))
        )
        statement = (statement, tuple(column.name for column in columns))
        current_app.extensions["empreinte.session_user_statement"] = statement
    return statement


class SessionEnded(Exception):
    """This browser session was signed out ("Sign out" on its device)."""


def load_session_user(session_id: str, session_mark: str) -> User | None:
    """Flask-Login's loader: 'id:session_token', refused once the token has rotated (signed
    out on every device); SessionEnded once this session's mark was ended (signed out
    here)."""
    user_id, _sep, session_token = session_id.partition(":")
    if not user_id.isdigit() or not session_token:
        return None
    statement, figure_names = _session_user_statement()
    row = db.session.execute(statement, {"user_id": int(user_id), "mark": session_mark}).first()
    if row is not None and row[-1]:
        raise SessionEnded
    if row is None or not row[0].is_active:
        return None
    user = row[0]
    if not secrets.compare_digest(user.session_token, session_token):
        return None
    remember(user.id, dict(zip(figure_names, row[1:-1], strict=True)))
    return user


# The browser session's mark, in the signed session cookie (see `EndedSession`).
SESSION_MARK_KEY = "mark"


# When this browser session last asked for a page, in seconds since the epoch (in the
# signed session cookie; rewritten at most once a minute, so the cookie changes seldom).
SESSION_SEEN_KEY = "seen"
_SEEN_EVERY = 60


def session_went_idle(now: float) -> bool:
    """Whether this browser session sat longer than SESSION_IDLE_MINUTES without asking
    for a page; notes this request as its latest otherwise. A copy of the cookie carries
    the same moment, so it is refused alike."""
    idle_minutes = current_app.config["SESSION_IDLE_MINUTES"]
    if not idle_minutes:
        return False
    seen = session.get(SESSION_SEEN_KEY)
    if isinstance(seen, int) and now - seen > idle_minutes * 60:
        return True
    # A part of a page asking again by itself (portal.js marks it X-Poll) is nobody's
    # activity: a receipt left open, polling every 20 s, kept a shared computer signed in.
    polled = has_request_context() and request.headers.get("X-Poll") == "1"
    if not polled and (not isinstance(seen, int) or now - seen >= _SEEN_EVERY):
        session[SESSION_SEEN_KEY] = int(now)
    return False


def _end_idle_session(session_id: str) -> None:
    """Empty this browser session, keeping only its person's language: the page saying
    that it ended, and the sign-in page after it, speak it."""
    user_id, _sep, _token = session_id.partition(":")
    person = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    language = person.locale if person is not None and person.locale else session.get("lang")
    session.clear()
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
    g.session_idle_ended = True


def load_browser_session_user(session_id: str) -> User | None:
    """`load_session_user` for the session of this request. A session opened before
    sessions had marks gets one now: from then on, signing out ends it too. A session
    idle for longer than SESSION_IDLE_MINUTES ends here (`g.session_idle_ended`)."""
    if session_went_idle(time.time()):
        _end_idle_session(session_id)
        return None
    mark = session.get(SESSION_MARK_KEY)
    if not isinstance(mark, str) or not mark:
        mark = session[SESSION_MARK_KEY] = new_session_mark()
    try:
        return load_session_user(session_id, mark)
    except SessionEnded:
        # Emptied, so that no answer signs the copy afresh (a flashed message would):
        # refreshed every few hours, it would outlive its mark's record, kept only until
        # the cookie would have expired, and sign in again once that is forgotten.
        session.clear()
        return None


def new_session_mark() -> str:
    """The random mark of a new browser session (see `EndedSession`)."""
    return secrets.token_urlsafe(24)


def end_session(session_mark: str, now: datetime) -> None:
    """Refuse this browser session from now on, copies of its cookie included, until
    the cookie would have expired anyway. Ending it twice (two tabs) is no error."""
    lifetime = current_app.permanent_session_lifetime
    dialect = db.session.get_bind().dialect.name
    db.session.execute(
        upsert_insert(dialect)(EndedSession)
        .values(mark=session_mark, kept_until=now + lifetime)
        .on_conflict_do_nothing()
    )


def purge_ended_sessions(now: datetime) -> dict[str, int]:
    """Retention step: forget the marks of sessions whose cookies have expired."""
    result = db.session.execute(delete(EndedSession).where(EndedSession.kept_until < now))
    return {"signed-out session mark(s) forgotten": result.rowcount}


# At most this many links of one person work at a time: the form's rate limit counts
# per address asking, so without it anyone could fill a colleague's mailbox with links
# (from several addresses) and keep dozens of them working at once.
OPEN_LINKS_PER_PERSON = 3


def new_sign_in_token() -> str:
    """A sign-in link's raw token, drawn before anyone knows whose it will be."""
    return secrets.token_urlsafe(32)


def create_sign_in_link(
    email: str, now: datetime, raw_token: str | None = None
) -> tuple[User, str] | None:
    """A new one-time sign-in link for the active person with this address, as
    (person, raw token); None for an unknown, inactive or erased address, or for a
    person who already has OPEN_LINKS_PER_PERSON links still working (they may use one),
    which the caller answers exactly as it answers a known one. `raw_token`: one drawn
    beforehand (`new_sign_in_token`), when the link's address was written before."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    # Counted then inserted: simultaneous requests would all count the same links.
    lock_people([user.id])
    still_working = db.session.scalar(
        select(func.count())
        .select_from(SignInLink)
        .where(
            SignInLink.user_id == user.id,
            SignInLink.used_at.is_(None),
            SignInLink.expires_at > now,
        )
    )
    if still_working >= OPEN_LINKS_PER_PERSON:
        return None
    raw = raw_token or new_sign_in_token()
    minutes = int(current_app.config["SIGN_IN_LINK_MINUTES"])
    db.session.add(
        SignInLink(
            user_id=user.id,
            token_digest=ApiToken.digest(raw),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    db.session.flush()
    return user, raw


def sign_in_link_owner_id(raw: str) -> int | None:
    """The id of the person whose link this token names, used or expired as well; None
    for a token that names no link."""
    return db.session.scalar(
        select(SignInLink.user_id).where(SignInLink.token_digest == ApiToken.digest(raw))
    )


def usable_sign_in_link(raw: str, now: datetime) -> SignInLink | None:
    """The link this token names if it can still sign its person in, else None."""
    link = db.session.scalar(
        select(SignInLink).where(SignInLink.token_digest == ApiToken.digest(raw))
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link if link.user.is_active else None


def redeem_sign_in_link(raw: str, now: datetime) -> User | None:
    """The person a usable link signs in, spending it and every other open link of
    theirs (a link forwarded or found later no longer works); None otherwise."""
    link = usable_sign_in_link(raw, now)
    if link is None:
        return None
    spent = db.session.execute(
        update(SignInLink)
        .where(SignInLink.id == link.id, SignInLink.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:  # another request spent it a moment ago
        return None
    db.session.execute(
        update(SignInLink)
        .where(SignInLink.user_id == link.user_id, SignInLink.used_at.is_(None))
        .values(used_at=now)
    )
    db.session.flush()
    return link.user


def forget_sign_in_links(user: User) -> None:
    """Delete every sign-in link of this person (erasure)."""
    db.session.execute(delete(SignInLink).where(SignInLink.user_id == user.id))


def purge_sign_in_links(now: datetime) -> dict[str, int]:
    """Retention step: delete the links spent or expired more than a day ago."""
    day_ago = now - timedelta(days=1)
    result = db.session.execute(
        delete(SignInLink).where(or_(SignInLink.expires_at < day_ago, SignInLink.used_at < day_ago))
    )
    return {"sign-in link(s) deleted": result.rowcount}
