"""The staff directory: accounts kept in step with the authority's HR export (a CSV file).

A deployment has 20,000 people; nobody creates them one by one. The export lists who
works here, with their name and department; the portal creates the missing accounts
(without a password: they sign in with a link sent by e-mail), updates names and teams,
and can deactivate those who left. Roles, passwords, languages and choices are the
person's or the admins', never the file's. A person erased at their request is not
recreated while the directory still lists them.
"""

from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.auth.models import User, UserRole
from app.auth.services import end_all_sessions, erased_address_digest, new_pseudonym
from app.core.audit import record_audit
from app.core.csv_import import ImportProblem, csv_lines
from app.core.models import Commune, Department
from app.core.reference import apply_changes
from app.extensions import db

REQUIRED_COLUMNS = ("email", "display_name")  # and optionally department, commune
MAX_ROWS = 100_000


@dataclass
class DirectoryEntry:
    email: str
    display_name: str
    department: Department | None
    commune: Commune | None


@dataclass
class DirectoryReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0
    deactivated: int = 0
    kept_with_a_role: int = 0  # missing from the file, but holding a role: left active
    not_recreated: int = 0  # listed, but erased at their request: no new account
    kept_deactivated: int = 0  # listed, but deactivated by an admin: left so
    problems: list[ImportProblem] = field(default_factory=list)

    def summary(self) -> str:
        """The counts as the audit log stores them (read back translated)."""
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.deactivated} deactivated, {self.reactivated} reactivated"
        )


def read_directory(text: str) -> tuple[list[DirectoryEntry], list[ImportProblem]]:
    """The file's people, and every problem of the file (not only the first)."""
    problems: list[ImportProblem] = []
    departments = {d.code.lower(): d for d in db.session.scalars(select(Department))}
    communes = {c.insee_code: c for c in db.session.scalars(select(Commune))}
    entries: list[DirectoryEntry] = []
    seen: dict[str, int] = {}
    for line, values in csv_lines(text, problems, required=REQUIRED_COLUMNS, max_lines=MAX_ROWS):
        entry = _read_entry(values, line, departments, communes, seen, problems)
        if entry is not None:
            seen[entry.email] = line
            entries.append(entry)
    return entries, problems


def _read_entry(values, line, departments, communes, seen, problems) -> DirectoryEntry | None:
    """One line's person, or None after adding its problems."""
    found = len(problems)
    address = None
    try:
        address = validate_email(
            values.get("email", ""), check_deliverability=False
        ).normalized.lower()
    except EmailNotValidError:
        problems.append(ImportProblem(line, "email", _("This is not a valid e-mail address.")))
    if address and address in seen:
        problems.append(
            ImportProblem(
                line, "email", _("This address is already on line %(line)s.", line=seen[address])
            )
        )
    name = values.get("display_name", "")
    if not name or len(name) > 120 or "\x00" in name:
        problems.append(
            ImportProblem(line, "display_name", _("A name is needed, of at most 120 characters."))
        )
    department = None
    if values.get("department"):
        department = departments.get(values["department"].lower())
        if department is None:
            problems.append(ImportProblem(line, "department", _("Unknown department code.")))
    commune = None
    if values.get("commune"):
        commune = communes.get(values["commune"])
        if commune is None:
            problems.append(ImportProblem(line, "commune", _("Unknown commune INSEE code.")))
    if len(problems) > found:
        return None
    return DirectoryEntry(
        address, name, department, commune or (department.commune if department else None)
    )


def sync_directory(
    text: str, now: datetime, *, deactivate_missing: bool = False, actor: User | None = None
) -> DirectoryReport:
    """Bring the accounts in step with the export (flushes; the caller commits).

    A file with any problem changes nothing: the report lists every problem instead.
    With `deactivate_missing`, active people the file no longer lists are deactivated
    (their sessions end), except those holding a role beyond employee, whom an admin
    handles. An account an admin deactivated stays so. Erased accounts are never touched, and a listed address whose account was
    erased gets no new one. A full file (`deactivate_missing`) that no longer lists an
    erased address lets the portal forget its digest: a person hired again later is
    welcome back.
    """
    entries, problems = read_directory(text)
    report = DirectoryReport(problems=problems)
    if problems:
        return report
    if deactivate_missing and not entries:
        report.problems.append(
            ImportProblem(1, "-", _("The file lists nobody: nobody was deactivated."))
        )
        return report
    people = {
        user.email.lower(): user
        for user in db.session.scalars(select(User).where(User.anonymised_at.is_(None)))
    }
    erased = set(
        db.session.scalars(
            select(User.erased_address_digest).where(User.erased_address_digest.is_not(None))
        )
    )
    listed_digests: set[str] = set()
    taken = set(db.session.scalars(select(User.pseudonym)))
    for entry in entries:
        user = people.pop(entry.email, None)
        if user is None:
            digest = erased_address_digest(entry.email)
            if digest in erased:
                listed_digests.add(digest)
                report.not_recreated += 1
                continue
            _create(entry, taken, now)
            report.created += 1
            continue
        changed = _update(user, entry)
        if not user.active and user.deactivated_by == "admin":
            report.kept_deactivated += 1
        elif not user.active:
            user.active, user.deactivated_by, user.deactivated_at = True, None, None
            report.reactivated += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    if deactivate_missing:
        privileged = set(
            db.session.scalars(select(UserRole.user_id).where(UserRole.role != "employee"))
        )
        for user in people.values():
            if not user.active:
                continue
            if user.id in privileged:
                report.kept_with_a_role += 1
                continue
            user.active, user.deactivated_by, user.deactivated_at = False, "directory", now
            end_all_sessions(user)
            report.deactivated += 1
        _forget_erased_addresses_not_listed(erased - listed_digests)
    db.session.flush()
    record_audit(actor, "sync_directory", "user_directory", "", now, report.summary())
    return report


def _forget_erased_addresses_not_listed(digests: set[str]) -> None:
    """They left: the portal has no reason left to recognise their address."""
    remaining = sorted(digests)
    for start in range(0, len(remaining), 500):
        db.session.execute(
            update(User)
            .where(User.erased_address_digest.in_(remaining[start : start + 500]))
            .values(erased_address_digest=None)
            .execution_options(synchronize_session=False)
        )


def _create(entry: DirectoryEntry, taken: set[str], now: datetime) -> User:
    user = User(
        email=entry.email,
        display_name=entry.display_name,
        pseudonym=new_pseudonym(taken),
        department=entry.department,
        commune=entry.commune,
        created_at=now,
    )
    user.role_rows = [UserRole(role="employee")]
    db.session.add(user)
    return user


def _update(user: User, entry: DirectoryEntry) -> bool:
    """Apply the file's name and teams to the account; True when something changed."""
    return apply_changes(
        user,
        {
            "display_name": entry.display_name,
            "department_id": entry.department.id if entry.department else None,
            "commune_id": entry.commune.id if entry.commune else None,
        },
    )
