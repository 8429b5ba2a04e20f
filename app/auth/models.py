"""People: users, their roles and their personal API tokens."""

import enum
import hashlib
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from app.core.i18n import labeller
from app.core.models import Commune, Department
from app.core.time import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

ROLES = ("employee", "organiser", "agent", "admin")
ROLE_LABELS = {
    "employee": _l("Employee"),
    "organiser": _l("Organiser"),
    "agent": _l("Collection agent"),
    "admin": _l("Administrator"),
}

role_label = labeller(ROLE_LABELS)


class LeaderboardVisibility(enum.StrEnum):
    NAME = "name"
    PSEUDONYM = "pseudonym"
    HIDDEN = "hidden"


class User(UserMixin, db.Model):
    """A person who uses the portal. Personal data is kept to the minimum."""

    __tablename__ = "user_account"
    __cache_namespace__ = "people"  # names and visibility on cached leaderboards

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The staff directory's number for the person (matricule), when its export has one:
    # it finds the account again after a change of address.
    staff_number: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    # The identity provider's stable identifier (`sub`) for the person, kept at their
    # first single sign-on: it finds them again if the provider's address changes.
    sso_subject: Mapped[str | None] = mapped_column(String(255), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    pseudonym: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("commune.id"), index=True)
    leaderboard_visibility: Mapped[str] = mapped_column(
        String(10), default=LeaderboardVisibility.PSEUDONYM.value
    )
    email_opt_in: Mapped[bool] = mapped_column(default=False)
    email_opt_in_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rotated by "Sign out on all my devices", a password change and a deactivation, so
    # that every existing session ends ("Sign out" ends only the browser's own).
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    active: Mapped[bool] = mapped_column(default=True)
    # Who deactivated the account, and when: "admin" (only an admin reactivates it) or
    # "directory" (no longer in the staff export; listed again, it is reactivated).
    deactivated_by: Mapped[str | None] = mapped_column(String(10))
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What an erasure keeps of the address is in `ErasedAddress`, never on this row.

    department: Mapped[Department | None] = relationship()
    commune: Mapped[Commune | None] = relationship()
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    # The role names as one 'employee,organiser' text, when the query asked for them
    # (`with_expression(User.role_names, role_names_subquery(User.id))`): the session
    # loader reads them with the person instead of building a row object per role.
    role_names: Mapped[str | None] = query_expression()

    @property
    def roles(self) -> set[str]:
        loaded = self.__dict__
        if "role_rows" not in loaded and loaded.get("role_names") is not None:
            return {name for name in loaded["role_names"].split(",") if name}
        return {row.role for row in self.role_rows}

    def forget_roles(self) -> None:
        """After the roles changed in the database: read them again on next use."""
        db.session.expire(self, ["role_rows", "role_names"])

    def has_role(self, *roles: str) -> bool:
        """True when the user holds any of the given roles (admins hold them all)."""
        mine = self.roles
        return "admin" in mine or any(role in mine for role in roles)

    @property
    def is_active(self) -> bool:
        return self.active and self.anonymised_at is None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def first_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else ""

    def public_name(self) -> str | None:
        """The name shown on leaderboards, or None when the user chose to be hidden."""
        if self.leaderboard_visibility == LeaderboardVisibility.NAME:
            return self.display_name
        if self.leaderboard_visibility == LeaderboardVisibility.PSEUDONYM:
            return self.pseudonym
        return None

    def __repr__(self) -> str:
        return f"<User {self.id}>"


def role_names_subquery(user_id_column):
    """The person's role names as one comma-separated text ('' when none)."""
    return (
        select(func.coalesce(func.aggregate_strings(UserRole.role, ","), ""))
        .where(UserRole.user_id == user_id_column)
        .scalar_subquery()
    )


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20), index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


#: The longest name of an API token, in characters.
TOKEN_NAME_LENGTH = 80


class TokenScope(enum.StrEnum):
    """What a personal API token may do: read only (GET, HEAD, OPTIONS), or read and write
    whatever its owner may. A new token reads only unless its owner chooses otherwise."""

    READ = "read"
    READ_WRITE = "read_write"


TOKEN_SCOPE_LABELS = {
    TokenScope.READ.value: _l("Read only"),
    TokenScope.READ_WRITE.value: _l("Read and write"),
}

token_scope_label = labeller(TOKEN_SCOPE_LABELS)


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_LENGTH))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    # Least privilege: a row written without a scope reads only (the migration gave the
    # tokens already there read and write, as they had).
    scope: Mapped[str] = mapped_column(
        String(10), default=TokenScope.READ.value, server_default=TokenScope.READ.value
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @staticmethod
    def digest(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()

    @property
    def writes(self) -> bool:
        """True when the token may change data, not only read it."""
        return self.scope == TokenScope.READ_WRITE.value


class SignInLink(db.Model):
    """A one-time sign-in link sent by e-mail. Only its SHA-256 digest is stored; it works
    once, until `expires_at`, and a sign-in with any link spends the person's others."""

    __tablename__ = "sign_in_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class ErasedAddress(db.Model):
    """The keyed digest of an address whose account was erased at the person's request
    (`erased_address_digest()`): the staff directory then opens no new account for them.
    Forgotten when a full directory import no longer lists the address.

    The digest is the whole row, and its key: no person, no date, no serial id (and no
    hidden rowid on SQLite), so nothing joins a digest to the anonymised account or ranks
    it among the erasures. Whoever holds the address and SECRET_KEY can still tell that
    the address was erased, and no more."""

    __tablename__ = "erased_address"
    __table_args__ = {"sqlite_with_rowid": False}

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)


class EndedSession(db.Model):
    """A browser session signed out ("Sign out" on one device).

    Sessions are signed cookies: signing out replaces the browser's cookie, but a copy
    of the old one taken earlier would still sign its holder in until it expires. Each
    session carries a random mark (`SESSION_MARK_KEY`); once signed out, the mark is kept
    here until the cookie would have expired anyway, and the session loader refuses it.
    Nothing else is stored: not whose session it was, nor the device."""

    __tablename__ = "ended_session"

    mark: Mapped[str] = mapped_column(String(64), primary_key=True)
    kept_until: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class WelcomeDismissal(db.Model):
    """A person who hid the home page's welcome (what the portal is, the pseudonym it chose
    for them): the row is the whole record, no date. Kept apart from `user_account` so that
    reading or creating an account does not depend on it."""

    __tablename__ = "welcome_dismissal"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
