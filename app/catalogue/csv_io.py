"""CSV import (all or nothing, line and column of each fault) and open-data export."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.catalogue import footprint
from app.catalogue.models import CatalogueItem
from app.catalogue.services import CatalogueError, check_category, complete_footprint
from app.core.audit import record_audit
from app.core.csv_import import ImportProblem, csv_lines
from app.core.csv_safety import FORMULA_STARTS, write_csv
from app.extensions import db

COLUMNS = (
    "code",
    "kind",
    "category",
    "name_fr",
    "name_en",
    "description_fr",
    "description_en",
    "status",
    "embodied_kgco2e",
    "embodied_min_kgco2e",
    "embodied_max_kgco2e",
    "use_kwh_per_year",
    "use_kgco2e_per_year",
    "lifetime_years",
    "source",
    "source_url",
    "estimate",
    "user_count",
    "alternatives",
)
EXPORT_ONLY = ("grid_factor", "annual_kgco2e", "grade")
REQUIRED = ("code", "kind", "category", "name_fr", "name_en")
NUMBERS = (
    "embodied_kgco2e",
    "embodied_min_kgco2e",
    "embodied_max_kgco2e",
    "use_kwh_per_year",
    "use_kgco2e_per_year",
)
MAX_ROWS = 20_000


@dataclass
class ImportResult:
    problems: list[ImportProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _restore(value: str) -> str:
    """Undo `app.core.csv_safety.safe_cell` so an exported file imports back unchanged."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _number(raw: str, minimum: float = 0.0, maximum: float = 1e7) -> float | None:
    raw = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if raw == "":
        return None
    value = float(raw)  # ValueError handled by the caller
    if value != value or not minimum <= value <= maximum:
        raise ValueError
    return value


def _parse_row(row: dict, problems: list, line: int) -> dict | None:
    """One CSV row as item values, or None with its problems appended."""
    before = len(problems)

    def fail(column: str, message: str) -> None:
        problems.append(ImportProblem(line, column, message))

    values = {
        k: _restore((row.get(k) or "").strip())
        for k in COLUMNS
        if k not in NUMBERS and k != "lifetime_years"
    }
    for column in REQUIRED:
        if not values[column]:
            fail(column, _("This column is required."))
    if len(values["code"]) > 40:
        fail("code", _("At most %(n)s characters.", n=40))
    for column in ("name_fr", "name_en"):
        if len(values[column]) > 200:
            fail(column, _("At most %(n)s characters.", n=200))
    if values["kind"] and values["kind"] not in footprint.KINDS:
        fail("kind", _("Unknown kind: choose equipment or service."))
    elif values["category"] and footprint.kind_of(values["category"]) != values["kind"]:
        fail("category", _("Unknown category for this kind of item."))
    values["status"] = values["status"] or "available"
    if values["status"] not in ("available", "discontinued"):
        fail("status", _("The status must be available or discontinued."))
    for column in NUMBERS:
        try:
            values[column] = _number(row.get(column) or "")
        except ValueError:
            fail(column, _("Enter a number between 0 and 10,000,000."))
    try:
        values["lifetime_years"] = _number(row.get("lifetime_years") or "", 1, 15)
    except ValueError:
        fail("lifetime_years", _("The lifetime must be a number of years between 1 and 15."))
    try:
        count = _number(values.pop("user_count") or "", 0, 10_000_000)
        values["user_count"] = int(count) if count is not None else None
    except ValueError:
        fail("user_count", _("Enter a number between 0 and 10,000,000."))
    values["estimate"] = values["estimate"].lower() in ("1", "true", "yes", "oui")
    values["alternatives"] = [c.strip() for c in values["alternatives"].split(";") if c.strip()]
    return values if len(problems) == before else None


def import_catalogue_csv(text: str, actor, now: datetime, grid_factor: float) -> ImportResult:
    """Create or update items by code from CSV text; nothing is written if any row is wrong."""
    result = ImportResult()
    parsed: list[tuple[int, dict]] = []
    seen: set[str] = set()
    rows = csv_lines(
        text,
        result.problems,
        required=REQUIRED,
        max_lines=MAX_ROWS,
        allowed=COLUMNS + EXPORT_ONLY,
    )
    for line, row in rows:
        values = _parse_row(row, result.problems, line)
        if values is None:
            continue
        if values["code"] in seen:
            result.problems.append(
                ImportProblem(line, "code", _("This code appears twice in the file."))
            )
            continue
        seen.add(values["code"])
        try:
            check_category(values["kind"], values["category"])
            completed = complete_footprint(
                {k: v for k, v in values.items() if k != "alternatives"}, grid_factor
            )
        except CatalogueError as error:
            column = "use_kgco2e_per_year" if values["kind"] == "service" else "source"
            if "source" in str(error).lower():
                column = "source"
            result.problems.append(ImportProblem(line, column, str(error)))
            continue
        completed["alternatives"] = values["alternatives"]
        parsed.append((line, completed))

    existing = {
        item.code: item
        for item in db.session.scalars(
            select(CatalogueItem).options(selectinload(CatalogueItem.alternatives))
        )
    }
    known_codes = set(existing) | seen
    for line, values in parsed:
        unknown_alts = [c for c in values["alternatives"] if c not in known_codes]
        if unknown_alts:
            result.problems.append(
                ImportProblem(
                    line,
                    "alternatives",
                    _("Unknown alternative code: %(codes)s", codes=", ".join(unknown_alts)),
                )
            )
    if result.problems:
        return result

    for _line, values in parsed:
        fields = {
            k: v for k, v in values.items() if k != "alternatives" and hasattr(CatalogueItem, k)
        }
        item = existing.get(values["code"])
        if item is None:
            item = CatalogueItem(**fields, created_at=now, updated_at=now)
            db.session.add(item)
            existing[item.code] = item
            result.created += 1
        else:
            for key, value in fields.items():
                setattr(item, key, value)
            item.updated_at = now
            result.updated += 1
    db.session.flush()
    for _line, values in parsed:
        item = existing[values["code"]]
        item.alternatives = [existing[c] for c in values["alternatives"] if c != item.code]
    db.session.flush()
    record_audit(
        actor,
        "import",
        "catalogue_item",
        "csv",
        now,
        f"{result.created} created, {result.updated} updated",
    )
    return result


def export_catalogue_csv() -> str:
    """Every item as CSV, open data: figures and sources only, nothing about people."""
    items = db.session.scalars(
        select(CatalogueItem)
        .options(selectinload(CatalogueItem.alternatives))
        .order_by(CatalogueItem.code)
    )
    rows = []
    for item in items:
        row = []
        for column in COLUMNS + EXPORT_ONLY:
            if column == "alternatives":
                value = ";".join(a.code for a in item.alternatives)
            elif column == "estimate":
                value = "true" if item.estimate else "false"
            else:
                value = getattr(item, column)
            row.append(value)
        rows.append(row)
    return write_csv(rows, COLUMNS + EXPORT_ONLY)
