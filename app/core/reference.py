"""Reference data a deployment needs before its people: the communes of the metropolis and
the departments (the teams of leaderboards, budgets and the staff directory).

The demo seed makes up its own; a real deployment loads the communes shipped with the
portal and imports its organisation chart from a CSV file. Both are idempotent: run them
again after a reorganisation. Nothing is ever deleted: people, campaigns and budgets
refer to these rows.
"""

import csv
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.audit import record_audit
from app.core.csv_import import ImportProblem, csv_lines
from app.core.csv_safety import write_csv
from app.core.models import Commune, Department
from app.extensions import db

DEPARTMENT_COLUMNS = ("code", "name_fr", "name_en")
MAX_DEPARTMENTS = 10_000


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)


def sync_communes() -> ImportCounts:
    """Create or update the communes shipped with the portal (`app/seed/communes.csv`),
    by INSEE code (flushes)."""
    text = resources.files("app").joinpath("seed/communes.csv").read_text(encoding="utf-8")
    existing = {c.insee_code: c for c in db.session.scalars(select(Commune))}
    counts = ImportCounts()
    for row in csv.DictReader(text.splitlines()):
        wanted = {
            "name": row["name"],
            "latitude": float(row["latitude"]),
            "longitude": float(row["longitude"]),
        }
        _create_or_update(
            existing.get(row["insee_code"]),
            lambda: Commune(insee_code=row["insee_code"], **wanted),  # noqa: B023 - called now
            wanted,
            counts,
        )
    db.session.flush()
    return counts


def import_departments(text: str, now: datetime, actor=None) -> ImportCounts:
    """Create or update departments by code from CSV text (code, name_fr, name_en and
    optionally commune, its INSEE code); nothing is written if any line is wrong."""
    counts = ImportCounts()
    communes = {c.insee_code: c for c in db.session.scalars(select(Commune))}
    wanted: dict[str, dict] = {}
    lines: dict[str, int] = {}
    rows = csv_lines(text, counts.problems, required=DEPARTMENT_COLUMNS, max_lines=MAX_DEPARTMENTS)
    for line, values in rows:
        department = _read_department(line, values, communes, lines, counts.problems)
        if department is not None:
            lines[department["code"].lower()] = line
            wanted[department.pop("code")] = department
    if counts.problems:
        return counts
    existing = {d.code.lower(): d for d in db.session.scalars(select(Department))}
    for code, values in wanted.items():
        _create_or_update(
            existing.get(code.lower()),
            lambda: Department(code=code, **values),  # noqa: B023 - called now
            values,
            counts,
        )
    db.session.flush()
    record_audit(
        actor,
        "import",
        "department",
        "",
        now,
        f"{counts.created} created, {counts.updated} updated",
    )
    return counts


def _read_department(line, values, communes, lines, problems) -> dict | None:
    """One line's department (code, names, commune id), or None after adding its problems."""
    found = len(problems)
    code = values.get("code", "")
    if not code or len(code) > 32 or "\x00" in code:
        problems.append(
            ImportProblem(line, "code", _("A code is needed, of at most 32 characters."))
        )
    elif code.lower() in lines:
        problems.append(
            ImportProblem(
                line, "code", _("This code is already on line %(line)s.", line=lines[code.lower()])
            )
        )
    for column in ("name_fr", "name_en"):
        name = values.get(column, "")
        if not name or len(name) > 200 or "\x00" in name:
            problems.append(
                ImportProblem(line, column, _("A name is needed, of at most 200 characters."))
            )
    commune = None
    if values.get("commune"):
        commune = communes.get(values["commune"])
        if commune is None:
            problems.append(ImportProblem(line, "commune", _("Unknown commune INSEE code.")))
    if len(problems) > found:
        return None
    return {
        "code": code,
        "name_fr": values["name_fr"],
        "name_en": values["name_en"],
        "commune_id": commune.id if commune else None,
    }


def export_departments_csv() -> str:
    """The departments as the import reads them, sorted by code: edit, then import."""
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    communes = {c.id: c.insee_code for c in db.session.scalars(select(Commune))}
    rows = [(d.code, d.name_fr, d.name_en, communes.get(d.commune_id, "")) for d in departments]
    return write_csv(rows, (*DEPARTMENT_COLUMNS, "commune"))


def _create_or_update(row, new_row, values: dict, counts: ImportCounts) -> None:
    """Add `new_row()` when `row` is None, else apply `values` to it; count which."""
    if row is None:
        db.session.add(new_row())
        counts.created += 1
    elif apply_changes(row, values):
        counts.updated += 1
    else:
        counts.unchanged += 1


def apply_changes(row, values: dict) -> bool:
    """Set the values that differ; True when something changed."""
    changed = False
    for attribute, value in values.items():
        if getattr(row, attribute) != value:
            setattr(row, attribute, value)
            changed = True
    return changed
