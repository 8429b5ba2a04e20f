"""The staff directory: accounts kept in step with the authority's HR export (a CSV file).

A deployment has 20,000 people; nobody creates them one by one. The export lists who
works here, with their name and department; the portal creates the missing accounts
(without a password: they sign in with a link sent by e-mail), updates names and teams,
and can deactivate those who left. Roles, passwords, languages and choices are the
person's or the admins', never the file's. A person erased at their request is not
recreated while the directory still lists them.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from sqlalchemy import insert, select

from app.auth.models import User, UserRole
from app.auth.services import (
    AddressRefused,
    close_access,
    deliverable_address,
    forget_erased_addresses,
    kept_erased_digests,
    new_pseudonym,
    pseudonyms_taken,
    recognise_erased_address,
)
from app.core.audit import DIRECTORY_CHANGE, AuditEvent, record_audit
from app.core.csv_import import ImportProblem, csv_lines, required_name
from app.core.csv_safety import spreadsheet_csv
from app.core.i18n import collation_key, format_number
from app.core.models import Commune, Department
from app.core.reference import apply_changes
from app.extensions import db

REQUIRED_COLUMNS = ("email", "display_name")
OPTIONAL_COLUMNS = ("department", "commune", "staff_number")
# The other headings an HR export or a spreadsheet gives each column, read capitals,
# accents, spaces and underscores aside (`csv_import.heading_key`: « DÉPARTEMENT » is
# « departement »). Never a bare « Nom »: a surname column would rename everyone.
HEADINGS = {
    "email": ("e-mail", "courriel", "adresse e-mail", "adresse électronique", "email address"),
    "display_name": ("nom affiché", "nom complet", "full name"),
    "department": ("département", "direction", "department code", "code direction"),
    "commune": ("commune de travail", "work commune", "code INSEE", "INSEE code"),
    "staff_number": ("matricule", "numéro de matricule", "employee number"),
}
MAX_ROWS = 100_000
# A file that would deactivate more than this share of the active accounts (and more
# than MASS_FLOOR people, so that a small team may lose a few) is taken for a partial
# export: a one-line file once deactivated 1,973 of 2,005 accounts.
MASS_SHARE = 0.10
MASS_FLOOR = 10
# What the audit log keeps on a departed account whose address went to a new person
# (" to user <id>" naming the new account), worded by `audit_released`.
RELEASED = "address released"
_RELEASED = re.compile(r"address released(?: to user (\d+))?")


@dataclass
class DirectoryEntry:
    line: int
    email: str
    display_name: str
    department: Department | None
    commune: Commune | None
    staff_number: str | None  # the HR export's matricule, when it has the column
    # The optional columns the file has: one it lacks leaves the account's value alone
    # (a file of addresses and names once cleared every person's department).
    columns: frozenset[str] = frozenset(("department", "commune", "staff_number"))


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
    # Deactivated accounts whose address the file gives a new person: they keep their data
    # under a placeholder address, and the new person gets a new account.
    released: list[tuple[str, User]] = field(default_factory=list)  # (address, account)
    leaving: list[User] = field(default_factory=list)  # deactivated, by name
    # Department moves, named for the check: (name, address, old code, new code), a code
    # "" for no department.
    moves: list[tuple[str, str, str, str]] = field(default_factory=list)
    mass_deactivation: bool = False  # refused: the file seems to list only part of the staff
    problems: list[ImportProblem] = field(default_factory=list)

    def summary(self) -> str:
        """The counts as the audit log stores them (read back translated)."""
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.deactivated} deactivated, {self.reactivated} reactivated"
        )

    def notes(self) -> list[str]:
        """What else the import did, one sentence each, in the reader's language: said
        alike by the admin page and `flask users import`, only those that happened."""
        notes = [
            ngettext(
                "%(count)s person listed but kept deactivated (by an admin).",
                "%(count)s people listed but kept deactivated (by an admin).",
                self.kept_deactivated,
                count=format_number(self.kept_deactivated),
            )
            if self.kept_deactivated
            else "",
            ngettext(
                "%(count)s person not listed but kept active (they hold a role).",
                "%(count)s people not listed but kept active (they hold a role).",
                self.kept_with_a_role,
                count=format_number(self.kept_with_a_role),
            )
            if self.kept_with_a_role
            else "",
            ngettext(
                "%(count)s address of a departed person was given to a new person "
                "(the departed account keeps its data).",
                "%(count)s addresses of departed people were given to new people "
                "(the departed accounts keep their data).",
                len(self.released),
                count=format_number(len(self.released)),
            )
            if self.released
            else "",
            ngettext(
                "%(count)s person erased at their request was not recreated.",
                "%(count)s people erased at their request were not recreated.",
                self.not_recreated,
                count=format_number(self.not_recreated),
            )
            if self.not_recreated
            else "",
        ]
        return [note for note in notes if note]


def read_directory(text: str) -> tuple[list[DirectoryEntry], list[ImportProblem]]:
    """The file's people, and every problem of the file (not only the first)."""
    problems: list[ImportProblem] = []
    departments = {d.code.lower(): d for d in db.session.scalars(select(Department))}
    communes = {c.insee_code: c for c in db.session.scalars(select(Commune))}
    entries: list[DirectoryEntry] = []
    seen: dict[str, int] = {}  # address or ("number", staff number) -> its line
    rows = csv_lines(
        text,
        problems,
        required=REQUIRED_COLUMNS,
        max_lines=MAX_ROWS,
        # A misspelt column ("departmnt") would be skipped in silence, and with it
        # every change the file meant to make.
        allowed=(*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS),
        headings=HEADINGS,
    )
    for line, values in rows:
        if not any(values.values()):
            continue  # a row a spreadsheet emptied, saved as ";;;": no one
        entry = _read_entry(values, line, departments, communes, seen, problems)
        if entry is not None:
            entries.append(entry)
    return entries, problems


def _read_entry(values, line, departments, communes, seen, problems) -> DirectoryEntry | None:
    """One line's person, or None after adding its problems."""
    found = len(problems)
    address = None
    try:
        address = deliverable_address(values.get("email", ""))
    except AddressRefused as refused:
        # Quoted, so that the person fixing the file sees what to fix (cut: it may be junk).
        typed = values.get("email", "").strip()[:80]
        if str(refused) == "non-ascii":
            message = _(
                "This address has accented or other non-ASCII letters, which the portal's "
                "e-mails cannot reach: %(address)s. Give the person's plain ASCII address.",
                address=typed,
            )
        elif typed and typed.isprintable():
            message = _("This is not a valid e-mail address: %(address)s.", address=typed)
        else:
            message = _("This is not a valid e-mail address.")
        problems.append(ImportProblem(line, "email", message))
    if address and address in seen:
        problems.append(
            ImportProblem(
                line, "email", _("This address is already on line %(line)s.", line=seen[address])
            )
        )
    name = required_name(values, "display_name", 120, line, problems)
    department = None
    if values.get("department"):
        department = departments.get(values["department"].lower())
        if department is None:
            problems.append(
                ImportProblem(
                    line,
                    "department",
                    _("Unknown department code: %(code)s.", code=values["department"][:40]),
                )
            )
    commune = None
    if values.get("commune"):
        commune = communes.get(values["commune"])
        if commune is None:
            problems.append(
                ImportProblem(
                    line,
                    "commune",
                    _("Unknown commune INSEE code: %(code)s.", code=values["commune"][:20]),
                )
            )
    number = values.get("staff_number", "")
    if len(number) > 32 or not number.isprintable():
        problems.append(
            ImportProblem(
                line, "staff_number", _("A staff number has at most 32 printable characters.")
            )
        )
    elif number and ("number", number) in seen:
        problems.append(
            ImportProblem(
                line,
                "staff_number",
                _("This staff number is already on line %(line)s.", line=seen[("number", number)]),
            )
        )
    # A line refused for another reason still holds its address and number: a later
    # line repeating them is told now, not after this one is corrected.
    if address:
        seen.setdefault(address, line)
    if number and len(number) <= 32 and number.isprintable():
        seen.setdefault(("number", number), line)
    if len(problems) > found:
        return None
    return DirectoryEntry(
        line,
        address,
        name,
        department,
        commune or (department.commune if department else None),
        number or None,
        frozenset(column for column in OPTIONAL_COLUMNS if column in values),
    )


def sync_directory(
    text: str,
    now: datetime,
    *,
    deactivate_missing: bool = False,
    allow_mass_deactivation: bool = False,
    actor: User | None = None,
) -> DirectoryReport:
    """Bring the accounts in step with the export (flushes; the caller commits).

    A file with any problem changes nothing: the report lists every problem instead.
    With `deactivate_missing`, active people the file no longer lists are deactivated
    (their sessions end), except those holding a role beyond employee, whom an admin
    handles. An account an admin deactivated stays so. Erased accounts are never touched, and a listed address whose account was
    erased gets no new one. A full file (`deactivate_missing`) that no longer lists an
    erased address lets the portal forget its digest: a person hired again later is
    welcome back. A file that would deactivate more than MASS_SHARE of the active
    accounts is refused (`mass_deactivation`) unless `allow_mass_deactivation`.
    """
    entries, problems = read_directory(text)
    report = DirectoryReport(problems=problems)
    if problems:
        return report
    if deactivate_missing and not entries:
        report.problems.append(
            ImportProblem(None, "", _("The file lists nobody: nobody was deactivated."))
        )
        return report
    if not entries:
        # A header alone was "correct", 0 everywhere: the file said nothing, as the
        # catalogue's import tells it.
        report.problems.append(
            ImportProblem(
                None, "", _("The file has no rows, only its header: there is nothing to import.")
            )
        )
        return report
    live = db.session.scalars(select(User).where(User.anonymised_at.is_(None))).all()
    plan = _match_accounts(entries, live, report)
    if report.problems:
        return report
    if deactivate_missing:
        report.leaving = _leaving(plan, live, report)
        if _too_many(len(report.leaving), live) and not allow_mass_deactivation:
            report.mass_deactivation = True
            report.problems.append(ImportProblem(None, "", mass_deactivation_message(report, live)))
            return report
    erased = kept_erased_digests()
    listed_digests: set[str] = set()
    reactivated: list[User] = []
    taken = pseudonyms_taken()
    _release_addresses([user for _address, user in report.released])
    _free_addresses_that_move(plan)
    created: dict[str, User] = {}
    changes: list[tuple[User, str]] = []  # (account, what the import changed of it)
    codes = {d.id: d.code for d in db.session.scalars(select(Department))}
    communes = {c.id: c.insee_code for c in db.session.scalars(select(Commune))}
    for entry, user in plan:
        if user is None:
            digests = recognise_erased_address(entry.email, erased)
            if digests:
                listed_digests.update(digests)
                report.not_recreated += 1
                continue
            created[entry.email] = _create(entry, taken, now)
            report.created += 1
            continue
        before = _traced(user)
        changed = _update(user, entry)
        if changed:
            change = _change_summary(before, _traced(user), codes, communes)
            if change:
                changes.append((user, change))
            if before[0] != user.department_id:
                report.moves.append(
                    (
                        user.display_name,
                        user.email,
                        codes.get(before[0], ""),
                        codes.get(user.department_id, ""),
                    )
                )
        if not user.active and user.deactivated_by == "admin":
            report.kept_deactivated += 1
        elif not user.active:
            user.active, user.deactivated_by, user.deactivated_at = True, None, None
            reactivated.append(user)
            report.reactivated += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    if deactivate_missing:
        for user in report.leaving:
            user.active, user.deactivated_by, user.deactivated_at = False, "directory", now
            close_access(user, now)
            report.deactivated += 1
        # They left: the portal has no reason left to recognise their address.
        forget_erased_addresses(erased - listed_digests)
    db.session.flush()
    record_audit(actor, "sync_directory", "user_directory", "", now, report.summary())
    _record_account_changes(actor, report.leaving, reactivated, now)
    _record_person_changes(actor, list(created.values()), changes, now)
    for address, user in report.released:
        new = created.get(address)
        summary = f"{RELEASED} to user {new.id}" if new is not None else RELEASED
        record_audit(actor, "update", "user", user.id, now, summary)
    return report


def _record_account_changes(actor, deactivated: list[User], reactivated: list[User], now) -> None:
    """Each account the file deactivated or reactivated gets its own event, as an admin's
    (de)activation does, so that its page and the person's export tell it: the run's
    summary event named no one. One INSERT for them all (thousands on a first full file)."""
    rows = [
        {
            "at": now,
            "actor_id": getattr(actor, "id", None),
            "action": action,
            "object_type": "user",
            "object_id": str(user.id),
            "summary": DIRECTORY_CHANGE,
        }
        for action, users in (
            ("deactivate_account", deactivated),
            ("reactivate_account", reactivated),
        )
        for user in users
    ]
    if rows:
        db.session.execute(insert(AuditEvent), rows)


def _traced(user: User) -> tuple:
    """What of an account the person's page traces when an import changes it."""
    return (user.department_id, user.commune_id, user.display_name, user.email)


def _change_summary(before: tuple, after: tuple, codes: dict, communes: dict) -> str:
    """What an import changed of one account, as the audit log stores it (worded by
    `audit_directory_change`): departments and communes by code, a name or an address
    said changed, never what it was (the account holds it)."""
    parts = []
    if before[0] != after[0]:
        parts.append(f"department {codes.get(before[0], '')} -> {codes.get(after[0], '')}")
    if before[1] != after[1]:
        parts.append(f"commune {communes.get(before[1], '')} -> {communes.get(after[1], '')}")
    if before[2] != after[2]:
        parts.append("name")
    if before[3].lower() != after[3].lower():
        parts.append("address")
    return "; ".join(parts)


def _record_person_changes(actor, created: list[User], changes, now) -> None:
    """Each account the file created or changed gets its own event, on its page and in the
    person's export: the run's counts named no one. One INSERT for them all."""
    rows = [
        {
            "at": now,
            "actor_id": getattr(actor, "id", None),
            "action": action,
            "object_type": "user",
            "object_id": str(user.id),
            "summary": summary,
        }
        for action, user, summary in (
            *(("create", user, DIRECTORY_CHANGE) for user in created),
            *(("update_from_directory", user, summary) for user, summary in changes),
        )
    ]
    if rows:
        db.session.execute(insert(AuditEvent), rows)


_PART = re.compile(r"(department|commune) (\S*) -> (\S*)|name|address")


def audit_directory_change(summary: str) -> str | None:
    """What an import changed of one account (`_change_summary`), in the reader's words;
    None for other texts."""
    words = []
    for part in summary.split("; "):
        match = _PART.fullmatch(part)
        if match is None:
            return None
        if match[1] == "department":
            words.append(_("Department: %(change)s", change=_code_change(match[2], match[3], True)))
        elif match[1] == "commune":
            words.append(_("Commune: %(change)s", change=_code_change(match[2], match[3], False)))
        elif part == "name":
            words.append(_("Name changed"))
        else:
            words.append(_("E-mail address changed"))
    return " · ".join(words)


def _code_change(old: str, new: str, department: bool) -> str:
    """`DGEN → DRH`, a missing side said."""
    none = _("no department") if department else _("no commune")
    return f"{old or none} → {new or none}"


def audit_created(summary: str) -> str | None:
    """An account the staff directory's import created, in the reader's words."""
    return _("By the staff directory import") if summary == DIRECTORY_CHANGE else None


def audit_department_change(summary: str) -> str | None:
    """A department an admin changed by hand (`set_department`), in the reader's words."""
    match = re.fullmatch(r"(\S*) -> (\S*)", summary)
    return _code_change(match[1], match[2], True) if match else None


def set_department(actor: User, user: User, department: Department | None, now) -> bool:
    """An admin puts a person in another department between two imports (audited); False
    when it is the same. The work commune follows, as an import's does, unless the
    person's was not their former department's (their own choice). The next import sets
    the department from its file again. Flushes."""
    old = user.department
    if old is department:
        return False
    if user.commune_id is None or (old is not None and user.commune_id == old.commune_id):
        user.commune = department.commune if department is not None else None
    user.department = department
    db.session.flush()
    summary = f"{old.code if old else ''} -> {department.code if department else ''}"
    record_audit(actor, "change_department", "user", user.id, now, summary)
    return True


DIRECTORY_COLUMNS = ("email", "display_name", "department", "commune", "staff_number")


def directory_csv(language: str) -> str:
    """The active accounts as the import reads them, sorted by address: edited in a
    spreadsheet, then imported again. A commune is written only where it is not the
    department's (an import gives a line without one the department's). One query of the
    file's columns: 20,000 whole accounts, their password hashes and roles, took 3 s."""
    people = db.session.execute(
        select(
            User.email,
            User.display_name,
            Department.code,
            Commune.insee_code,
            User.commune_id,
            Department.commune_id,
            User.staff_number,
        )
        .outerjoin(Department, Department.id == User.department_id)
        .outerjoin(Commune, Commune.id == User.commune_id)
        .where(User.active.is_(True), User.anonymised_at.is_(None))
        .order_by(User.email)
    )
    rows = (
        (email, name, code or "", (commune or "") if own != derived else "", number or "")
        for email, name, code, commune, own, derived, number in people
    )
    return spreadsheet_csv(rows, DIRECTORY_COLUMNS, language)


def record_directory_download(actor: User, now: datetime) -> None:
    """An administrator downloaded the directory (every person's address): audited, as
    the audit log's own download is. Flushes."""
    record_audit(actor, "download_directory", "user_directory", "csv", now, "")


def _leaving(plan, live, report: DirectoryReport) -> list[User]:
    """The active people the file no longer lists, by name, but those holding a role
    beyond employee (counted in the report: an admin handles them)."""
    listed = {user.id for _entry, user in plan if user is not None}
    privileged = set(
        db.session.scalars(select(UserRole.user_id).where(UserRole.role != "employee"))
    )
    leaving = []
    for user in live:
        if user.id in listed or not user.active:
            continue
        if user.id in privileged:
            report.kept_with_a_role += 1
        else:
            leaving.append(user)
    return sorted(leaving, key=lambda user: (user.display_name.lower(), user.email))


def _too_many(leaving: int, live) -> bool:
    """More deactivations than a real departure of staff brings about."""
    active = sum(1 for user in live if user.active)
    return leaving > MASS_FLOOR and leaving > active * MASS_SHARE


def mass_deactivation_message(report: DirectoryReport, live) -> str:
    """Why a file deactivating most people is refused, in the reader's language."""
    return _(
        "This file would deactivate %(count)s of the %(active)s active accounts, more "
        "than %(share)s: it seems to list only part of the staff. Nothing was changed: "
        "import the directory's full export.",
        count=format_number(len(report.leaving)),
        active=format_number(sum(1 for user in live if user.active)),
        share=format_percent(MASS_SHARE),
    )


def _match_accounts(entries, live, report) -> list[tuple[DirectoryEntry, User | None]]:
    """Each line's account (None: a new person), found by staff number, else by address.

    A person whose address changed keeps their account, points and pseudonym when the
    export gives their staff number. An account without a staff number gets the line's
    (its first import with numbers), unless it is deactivated and the line names
    someone else: authorities give a departed person's address to a new hire, who must
    not inherit their account. A deactivated account whose address a line with another
    staff number (or that other name) claims gives the address up (`report.released`)
    and the line makes a new account, unless an admin deactivated it. Refused, with a
    problem on the line: an address that belongs to another account, an address whose
    *active* account has another staff number, an address another line would take from
    an account an admin deactivated, and two lines for one account.
    """
    problems = report.problems
    by_number = {user.staff_number: user for user in live if user.staff_number}
    by_email = {user.email.lower(): user for user in live}
    matched: dict[int, int] = {}  # account id -> line
    releasing: list[User] = []
    guarded: list[tuple[DirectoryEntry, User]] = []  # releasing, but an admin deactivated it
    plan = []
    for entry in entries:
        user = by_number.get(entry.staff_number) if entry.staff_number else None
        holder = by_email.get(entry.email)
        if user is None and holder is not None:
            if entry.staff_number and _someone_else(holder, entry):
                if holder.active:
                    problems.append(
                        ImportProblem(
                            entry.line,
                            "staff_number",
                            _(
                                "This address belongs to the account with staff number "
                                "%(number)s. If this line is that person, hired again "
                                "under a new number, give their account the staff number "
                                "%(new)s on its page (Administration, Roles: search for "
                                "them, then open their name), then import the file again; "
                                "if it is someone else, give them another address in the "
                                "file.",
                                number=holder.staff_number,
                                new=entry.staff_number,
                            ),
                        )
                    )
                    continue
                if holder.deactivated_by == "admin":
                    guarded.append((entry, holder))
                releasing.append(holder)
                holder = None
            user = holder
        elif user is not None and holder is not None and holder is not user:
            problems.append(
                ImportProblem(entry.line, "email", _("This address belongs to another account."))
            )
            continue
        if user is not None:
            if user.id in matched:
                problems.append(
                    ImportProblem(
                        entry.line,
                        "-",
                        _("This person is already on line %(line)s.", line=matched[user.id]),
                    )
                )
                continue
            matched[user.id] = entry.line
        plan.append((entry, user))
    # An admin's deactivation is theirs to undo: released, the returning person would
    # lose their history to a fresh account, and only a person can tell them from a new
    # hire. Unless another line finds the account by its number: it moves there anyway.
    kept = [_kept_by_an_admin(entry, h) for entry, h in guarded if h.id not in matched]
    if kept:
        problems.extend(kept)
        problems.sort(key=lambda problem: problem.line or 0)  # told in the file's order
    # An account another line finds by its number moves to that line's address anyway.
    report.released = [(user.email.lower(), user) for user in releasing if user.id not in matched]
    return plan


def _someone_else(holder: User, entry: DirectoryEntry) -> bool:
    """True when the line, which has a staff number its address's account lacks, is about
    another person: the account has another number, or, without one, it is deactivated
    and the line gives another name (accents, capitals, spacing and hyphens aside). An active
    account without a number is the person's own, getting their number at last."""
    if holder.staff_number:
        return True
    return not holder.active and _same_name(holder.display_name) != _same_name(entry.display_name)


def _kept_by_an_admin(entry: DirectoryEntry, holder: User) -> ImportProblem:
    """The line claims the address of an account an admin deactivated: never released
    nor reactivated by a file, an admin decides. When the account has another staff
    number, reactivating it is not enough (the line would then claim the address of an
    active account with another number): the admin gives it the line's number too."""
    if holder.staff_number:
        return ImportProblem(
            entry.line,
            "email",
            _(
                "This address belongs to an account an admin deactivated (%(name)s, staff "
                "number %(number)s). The import neither gives it to someone else nor "
                "reactivates it: if this line is that person, hired again under a new "
                "number, reactivate their account and give it the staff number %(new)s, "
                "both on its page (Administration, Roles: search for them, then open their "
                "name), then import the file again; if it is someone else, give them "
                "another address in the file.",
                name=holder.display_name,
                number=holder.staff_number,
                new=entry.staff_number,
            ),
        )
    return ImportProblem(
        entry.line,
        "email",
        _(
            "This address belongs to an account an admin deactivated (%(name)s). The import "
            "neither gives it to someone else nor reactivates it: if this line is that person, "
            "reactivate their account on its page, then import the file again; if it is "
            "someone else, give them another address in the file.",
            name=holder.display_name,
        ),
    )


# Hyphens and dashes, as HR exports and people type them ("Marie-Claire", "Marie Claire").
_DASHES = re.compile(r"[-\u2010-\u2015\u2212]")


def _same_name(name: str) -> str:
    """The name as the comparison sees it: accents, capitals, spacing and hyphens aside."""
    return collation_key(" ".join(_DASHES.sub(" ", name).split()))


def _release_addresses(released: list[User]) -> None:
    """The departed accounts give their address up for a placeholder that reaches nobody,
    one per account (a unique column): kept with their data, before the new accounts
    take the addresses."""
    for user in released:
        user.email = released_address(user.id)
    if released:
        db.session.flush()


def released_address(user_id: int) -> str:
    """What a departed account holds once its address went to a new person."""
    return f"released-{user_id}@invalid"


def address_released(user: User) -> bool:
    """Whether the account gave its address to a new person (`released_address`): nobody
    can sign in to it, and nothing gives it another."""
    return user.email == released_address(user.id)


def audit_released(summary: str) -> str | None:
    """The audit log's words for an address given up (`RELEASED`), None for other texts."""
    match = _RELEASED.fullmatch(summary)
    if match is None:
        return None
    if match[1]:
        return _(
            "Address given to a new member of staff (account #%(id)s) by the staff directory",
            id=match[1],
        )
    return _("Address given to a new member of staff by the staff directory")


def _free_addresses_that_move(plan) -> None:
    """Give the accounts whose address changes a placeholder first, so that no two rows
    hold one address between two statements of the flush (a unique column)."""
    moving = [user for entry, user in plan if user is not None and user.email != entry.email]
    for user in moving:
        user.email = f"moving-{user.id}@invalid"
    if moving:
        db.session.flush()


def _create(entry: DirectoryEntry, taken: set[str], now: datetime) -> User:
    user = User(
        email=entry.email,
        staff_number=entry.staff_number,
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
    """Apply the file's address, number, name and teams to the account; True when
    something changed (an address that moved counts)."""
    moved = user.email != entry.email
    user.email = entry.email
    changes = {
        "staff_number": entry.staff_number or user.staff_number,
        "display_name": entry.display_name,
    }
    if "department" in entry.columns:
        changes["department_id"] = entry.department.id if entry.department else None
    # Without its own column, the commune follows a department the file gives.
    if entry.columns & {"department", "commune"}:
        changes["commune_id"] = entry.commune.id if entry.commune else None
    return moved | apply_changes(user, changes)
