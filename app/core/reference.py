"""Reference data a deployment needs before its people: the communes of the metropolis and
the departments (the teams of leaderboards, budgets and the staff directory).

The demo seed makes up its own; a real deployment loads the communes shipped with the
portal and imports its organisation chart from a CSV file. Both are idempotent: run them
again after a reorganisation. Nothing is ever deleted: people, campaigns and budgets
refer to these rows.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.audit import record_audit
from app.core.csv_import import CODE, CODE_MESSAGE, ImportProblem, csv_lines, required_name
from app.core.csv_safety import spreadsheet_csv
from app.core.models import Commune, Department
from app.extensions import db

COMMUNE_COLUMNS = ("insee_code", "name", "latitude", "longitude")
MAX_COMMUNES = 5_000  # a metropolis has tens, a French département up to about 900
INSEE_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")  # 2A and 2B for Corsica
DEPARTMENT_COLUMNS = ("code", "name_fr", "name_en")
# The other headings a spreadsheet gives each column of the departments' file, read as the
# staff directory's are (`csv_import.heading_key`: « Nom FR » is `name_fr`).
DEPARTMENT_HEADINGS = {
    "code": ("code direction", "department code"),
    "name_fr": ("nom fr", "nom français", "nom en français", "french name"),
    "name_en": ("nom en", "nom anglais", "nom en anglais", "english name"),
    "commune": ("code INSEE", "INSEE code"),
}
MAX_DEPARTMENTS = 10_000


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)


def sync_communes(now: datetime, actor=None) -> ImportCounts:
    """Create or update the communes shipped with the portal (`app/seed/communes.csv`)."""
    text = resources.files("app").joinpath("seed/communes.csv").read_text(encoding="utf-8")
    return import_communes(text, now, actor)


def import_communes(text: str, now: datetime, actor=None) -> ImportCounts:
    """Create or update communes by INSEE code from CSV text (insee_code, name, latitude,
    longitude: the centre a map shows); nothing is written if any line is wrong."""
    counts = ImportCounts()
    wanted: dict[str, dict] = {}
    lines: dict[str, int] = {}
    rows = csv_lines(
        text,
        counts.problems,
        required=COMMUNE_COLUMNS,
        max_lines=MAX_COMMUNES,
        allowed=COMMUNE_COLUMNS,
    )
    for line, values in rows:
        commune = _read_commune(line, values, lines, counts.problems)
        if commune is not None:
            lines[commune["insee_code"]] = line
            wanted[commune.pop("insee_code")] = commune
    if counts.problems:
        return counts
    existing = {c.insee_code: c for c in db.session.scalars(select(Commune))}
    for code, values in wanted.items():
        _create_or_update(
            existing.get(code),
            lambda: Commune(insee_code=code, **values),  # noqa: B023 - called now
            values,
            counts,
        )
    db.session.flush()
    if counts.created or counts.updated:
        record_audit(
            actor,
            "import",
            "commune",
            "",
            now,
            f"{counts.created} created, {counts.updated} updated",
        )
    return counts


def _read_commune(line, values, lines, problems) -> dict | None:
    """One line's commune, or None after adding its problems."""
    found = len(problems)
    code = values.get("insee_code", "").upper()
    if not INSEE_CODE.fullmatch(code):
        problems.append(
            ImportProblem(line, "insee_code", _("An INSEE code has five characters, like 33063."))
        )
    elif code in lines:
        problems.append(
            ImportProblem(
                line, "insee_code", _("This code is already on line %(line)s.", line=lines[code])
            )
        )
    name = required_name(values, "name", 120, line, problems)
    centre = {}
    for column, limit in (("latitude", 90), ("longitude", 180)):
        try:
            centre[column] = float(values.get(column, "").replace(",", "."))
        except ValueError:
            centre[column] = float("nan")
        if not -limit <= centre[column] <= limit:  # NaN fails too
            problems.append(
                ImportProblem(
                    line,
                    column,
                    _(
                        "Enter a number of degrees between -%(limit)s and %(limit)s.",
                        limit=limit,
                    ),
                )
            )
    if len(problems) > found:
        return None
    return {"insee_code": code, "name": name, **centre}


def import_departments(text: str, now: datetime, actor=None) -> ImportCounts:
    """Create or update departments by code from CSV text (code, name_fr, name_en and
    optionally commune, its INSEE code); nothing is written if any line is wrong."""
    counts = ImportCounts()
    communes = {c.insee_code: c for c in db.session.scalars(select(Commune))}
    wanted: dict[str, dict] = {}
    lines: dict[str, int] = {}
    rows = csv_lines(
        text,
        counts.problems,
        required=DEPARTMENT_COLUMNS,
        max_lines=MAX_DEPARTMENTS,
        allowed=(*DEPARTMENT_COLUMNS, "commune"),
        headings=DEPARTMENT_HEADINGS,
    )
    read = 0
    for line, values in rows:
        if not any(values.values()):
            continue  # a row a spreadsheet emptied, saved as ";;;": no department
        read += 1
        department = _read_department(line, values, communes, lines, counts.problems)
        if department is not None:
            lines[department["code"].lower()] = line
            wanted[department.pop("code")] = department
    if not read and not counts.problems:
        # A header alone was imported, « 0 direction créée », and logged: said as the
        # staff directory's import says it.
        counts.problems.append(
            ImportProblem(
                None, "", _("The file has no rows, only its header: there is nothing to import.")
            )
        )
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
    elif not CODE.fullmatch(code):
        problems.append(ImportProblem(line, "code", str(CODE_MESSAGE)))
    elif code.lower() in lines:
        problems.append(
            ImportProblem(
                line, "code", _("This code is already on line %(line)s.", line=lines[code.lower()])
            )
        )
    for column in ("name_fr", "name_en"):
        required_name(values, column, 200, line, problems)
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


def export_departments_csv(language: str) -> str:
    """The departments as the import reads them, sorted by code: edit in a spreadsheet
    (written as the reader's opens it: the import reads either separator and the BOM),
    then import."""
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    communes = {c.id: c.insee_code for c in db.session.scalars(select(Commune))}
    rows = [(d.code, d.name_fr, d.name_en, communes.get(d.commune_id, "")) for d in departments]
    return spreadsheet_csv(rows, (*DEPARTMENT_COLUMNS, "commune"), language)


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
