"""CSV import (all or nothing, line and column of each fault) and open-data export."""

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.catalogue import footprint, queries
from app.catalogue.audit import changes_summary
from app.catalogue.forms import (
    ALTERNATIVES_SEPARATOR,
    CODE_MESSAGE,
    CODE_PATTERN,
    SOURCE_URL_MESSAGE,
    WRITTEN_AS_FIGURE,
    not_a_number,
)
from app.catalogue.models import ITEM_FIELDS, CatalogueItem
from app.catalogue.reference import category_reference
from app.catalogue.services import (
    EQUIPMENT_ONLY_FIGURES,
    CatalogueError,
    alternative_refusals,
    check_category,
    code_key,
    code_taken_message,
    committed_item_with_code,
    complete_footprint,
    creation_summary,
    footprint_problems,
    reference_dropped_problems,
    reference_figures_followed,
    service_figure_problems,
    touch_item,
)
from app.catalogue.spreadsheet import (
    FileColumns,
    expected_headings,
    from_spreadsheet,
    header_cells,
    spreadsheet_table,
    words_alike,
)
from app.core import cache
from app.core.audit import record_audit
from app.core.csv_import import ImportProblem, csv_lines, listed
from app.core.csv_safety import FORMULA_STARTS, spreadsheet_csv, write_csv
from app.core.i18n import AmbiguousNumber, format_number, parse_local_number
from app.extensions import db

COLUMNS = (*ITEM_FIELDS, "alternatives")
EXPORT_ONLY = ("grid_factor", "annual_kgco2e", "grade")
# The columns whose line breaks are text (typed in a text area): every other cell is one line.
MULTILINE = ("description_fr", "description_en")
REQUIRED = ("code", "kind", "category", "name_fr", "name_en")
NUMBERS = (
    "embodied_kgco2e",
    "embodied_min_kgco2e",
    "embodied_max_kgco2e",
    "use_kwh_per_year",
    "use_kwh_min",
    "use_kwh_max",
    "use_kgco2e_per_year",
)
# Each figure's range columns: a file without both keeps an item's stored range while it
# still surrounds the file's figure, and clears it otherwise (`_stored_ranges`).
RANGE_COLUMNS = {
    "embodied_kgco2e": ("embodied_min_kgco2e", "embodied_max_kgco2e"),
    "use_kwh_per_year": ("use_kwh_min", "use_kwh_max"),
}
MAX_ROWS = 20_000

# How a file writes its figures, told by what separates its cells, as the exports write
# them: with semicolons (French Excel, the French spreadsheet export) a decimal comma and
# thousands grouped by spaces, '1 250,5'; with commas (open data, the English spreadsheet
# export) a decimal point and thousands grouped by commas, '1,250.5'. The item form reads
# each language's the same way (`parse_local_number`); a point that could group thousands
# in a file of semicolons ('1.250') is refused as reading two ways, never guessed.
NUMBER_READING = {";": Locale.parse("fr"), ",": Locale.parse("en_GB")}
# Most cells, read without Babel: digits and the file's decimal mark (20,000 lines of figures).
_PLAIN_NUMBER = {";": re.compile(r"\d+(?:,\d+)?"), ",": re.compile(r"\d+(?:\.\d+)?")}
# In a file of commas, a comma in a figure (a quoted cell) that could group thousands as
# well as mark decimals: '84,125' is 84125 or 84.125. Refused as reading two ways, as a
# point is in a file of semicolons ('1.250'): grade A became G in silence. A comma that
# cannot group ('84,5', '12,50') is a decimal comma, as the item form reads it in English;
# one beside a point ('1,250.5') or between several groups ('1,250,000') groups thousands.
_COMMA_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")
# The `estimate` column's words, capitals aside (`estimate_words` lists them); empty is
# false. The spreadsheet export writes yes or no in its language (`spreadsheet`), the
# open data true or false; LibreOffice saves a cell it took for a truth value as VRAI.
TRUE_WORDS = ("true", "yes", "vrai", "oui", "1")
FALSE_WORDS = ("false", "no", "faux", "non", "0", "")


def estimate_words() -> str:
    """The words the estimate column takes (`TRUE_WORDS`, `FALSE_WORDS`), as the import
    page and a refused cell list them."""
    return _(
        "yes, true, oui, vrai or 1 for an estimate; no, false, non, faux or 0 otherwise, in "
        "capitals or not (a spreadsheet may write TRUE or VRAI); empty is no"
    )


# Significant digits written to the export: enough for any real figure, few enough to
# drop binary noise (0.0067599999999999995 is written 0.00676).
EXPORT_DIGITS = 10


@dataclass
class ColumnChange:
    """One column of the file that an update would change: its stored and imported value."""

    column: str
    old: object
    new: object


@dataclass
class ItemChange:
    code: str
    name_fr: str
    name_en: str
    differences: list[ColumnChange] = field(default_factory=list)  # for an update
    notes: list[str] = field(default_factory=list)  # why a column changes that the file lacks
    # For a creation: what the admin checks before confirming, by column (`CREATED_SHOWN`).
    figures: dict = field(default_factory=dict)
    # For a creation: the item's values as it would be stored, which write its figures as
    # its page will (`routes.created_figure`).
    values: dict = field(default_factory=dict)
    # For an update: when the item was last changed in the portal, if after the last
    # import (`queries.portal_edits_since_last_import`): the file may undo that change.
    edited_in_portal: datetime | None = None

    @property
    def columns(self) -> list[str]:
        """The changed columns, in the export's order."""
        return [difference.column for difference in self.differences]

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fr


# A new item's columns the preview shows: a code and a name alone let a wrong category
# or a manufacture figure typed in grams be confirmed unseen.
CREATED_SHOWN = (
    "category",
    "embodied_kgco2e",
    "use_kgco2e_per_year",
    "lifetime_years",
    "annual_kgco2e",
    "grade",
    "source",
)


@dataclass
class ImportResult:
    problems: list[ImportProblem] = field(default_factory=list)
    created: list[ItemChange] = field(default_factory=list)
    updated: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0
    # Codes of the lines whose grade or annual_kgco2e differs from what is worked out.
    computed_ignored: list[str] = field(default_factory=list)
    # What the preview warns of, line by line, without refusing the file: a device's
    # « Utilisation » cell other than the figure worked out from its electricity.
    warnings: list[ImportProblem] = field(default_factory=list)
    # The catalogue changed since the preview confirmed (`import_catalogue_csv(previewed=…)`):
    # this result is the preview again, recomputed, and nothing was written.
    stale: bool = False
    # How the file heads its columns: its errors and notes name them so (« Statut »).
    file_columns: FileColumns | None = field(default=None, compare=False, repr=False)
    # When the catalogue was last imported: the items changed in the portal since are
    # marked among the updates (`ItemChange.edited_in_portal`).
    last_import_at: datetime | None = None

    @property
    def digest(self) -> str:
        """What the preview shows, as a short digest: a confirmation writes only when the
        catalogue still gives the same preview (the notes are words, in the reader's
        language: what they explain is in the differences)."""
        return cache.digest(
            (
                [(c.code, c.name_fr, c.name_en, c.figures) for c in self.created],
                [(c.code, [(d.column, d.old, d.new) for d in c.differences]) for c in self.updated],
                self.unchanged,
            )
        )

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> bool:
        return bool(self.created or self.updated)


def _restore(value: str) -> str:
    """Undo `app.core.csv_safety.safe_cell` so an exported file imports back unchanged."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _number(raw: str, delimiter: str, whole_number: bool = False) -> float | None:
    """A cell's figure as its file writes them (`NUMBER_READING`), None when empty;
    ValueError when it is no number, AmbiguousNumber (saying how to write it) when it
    reads two ways. `whole_number`: a column of whole numbers (`user_count`), whose
    advice offers no decimal (« 2.500 with a point for a decimal » users)."""
    raw = raw.strip()
    if raw == "":
        return None
    if _PLAIN_NUMBER[delimiter].fullmatch(raw):
        return float(raw.replace(",", "."))
    if delimiter == "," and _COMMA_GROUPED.fullmatch(compact := re.sub(r"\s", "", raw)):
        whole, decimals = compact.split(",")
        if whole_number:
            raise AmbiguousNumber(
                _(
                    "%(typed)s reads two ways in a file separated by commas: write "
                    "%(whole)s, without the comma.",
                    typed=compact,
                    whole=whole + decimals,
                )
            )
        raise AmbiguousNumber(
            _(
                "%(typed)s reads two ways in a file separated by commas: write %(whole)s for "
                "a whole number, or %(decimal)s with a point for a decimal.",
                typed=compact,
                whole=whole + decimals,
                decimal=f"{whole}.{decimals}",
            )
        )
    return parse_local_number(raw, NUMBER_READING[delimiter])


def figures_as_written(delimiter: str) -> str:
    """How a file's figures are written, by what separates its cells: said for a cell
    whose points or commas do not read, and on the import page."""
    if delimiter == ";":
        return _(
            "In a file separated by semicolons, figures take a decimal comma and thousands "
            "grouped by spaces or not at all: 1250,5 or 1 250,5."
        )
    return _(
        "In a file separated by commas, figures take a decimal point and thousands grouped "
        "by commas or not at all: 1250.5 or 1,250.5."
    )


# Each figure's column: what it expects (translated only for a cell refused: 20,000 lines),
# its bounds, and whether it is a whole number.
FIGURE_CELLS = {
    **{column: (_l("Enter a number between 0 and 10,000,000."), (0.0, 1e7), False)
       for column in NUMBERS},
    "lifetime_years": (
        _l("The lifetime must be a number of years between 1 and 15."), (1.0, 15.0), False
    ),
    "user_count": (_l("Enter a whole number between 0 and 10,000,000."), (0.0, 1e7), True),
}  # fmt: skip


def _figure(
    raw: str, delimiter: str, message, bounds=(0.0, 1e7), whole: bool = False
) -> tuple[float | None, str | None]:
    """A cell's figure and None, or None and why it is refused: `message` (the range
    expected), with how the file writes figures when its points or commas are the fault."""
    try:
        value = _number(raw, delimiter, whole)
    except AmbiguousNumber as ambiguous:
        return None, str(ambiguous)
    except ValueError:
        value = math.nan
    if value is None:
        return None, None
    if math.isnan(value) or math.isinf(value) or not WRITTEN_AS_FIGURE.fullmatch(raw.strip()):
        # `abc`, `12 kg`, `NaN`, `1e3`: no figure as the file writes them. The range
        # expected said nothing of what was wrong with the cell.
        return None, f"{not_a_number(raw)} {figures_as_written(delimiter)}"
    minimum, maximum = bounds
    if not minimum <= value <= maximum or (whole and value != int(value)):
        unread = value != int(value)
        if unread and any(mark in raw for mark in ".,"):  # its decimal mark, most likely
            return None, f"{message} {figures_as_written(delimiter)}"
        return None, str(message)
    return value, None


def _same(old, new) -> bool:
    """Whether a stored value and an imported one are the same, figures within the
    precision of the export (so an exported file imports back unchanged)."""
    if isinstance(old, float) and isinstance(new, float | int) and not isinstance(new, bool):
        return math.isclose(old, new, rel_tol=10.0 ** (1 - EXPORT_DIGITS), abs_tol=1e-12)
    return old == new


def _changed_columns(
    item: CatalogueItem, fields: dict, alternatives: list[str]
) -> list[ColumnChange]:
    """The file's columns that the import would change, old and new value, in the export's
    order. Internal values (the search text, reference ranges) follow the columns they
    derive from and are not listed: the admin reads the file's column names."""
    order = {name: index for index, name in enumerate(COLUMNS + EXPORT_ONLY)}
    changed = [
        ColumnChange(key, getattr(item, key), value)
        for key, value in fields.items()
        if key in order and not _same(getattr(item, key), value)
    ]
    old_alternatives = sorted(a.code for a in item.alternatives)
    new_alternatives = sorted(set(alternatives) - {item.code})
    if old_alternatives != new_alternatives:
        changed.append(
            ColumnChange("alternatives", ", ".join(old_alternatives), ", ".join(new_alternatives))
        )
    return sorted(changed, key=lambda change: order[change.column])


def _delimiter(text: str) -> str:
    """`;` for a file whose header line is separated by semicolons (French Excel's
    default), `,` otherwise: column names never contain either."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _with_commas(text: str) -> str:
    """The same CSV separated by commas, line for line (so line numbers stay right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    try:
        writer.writerows(csv.reader(io.StringIO(text), delimiter=";"))
    except csv.Error:
        return text  # `csv_lines` reports the unreadable line
    return buffer.getvalue()


def _missing(missing: list[str]) -> str:
    """Why a file lacking `missing` columns is refused, naming them as the spreadsheet
    export heads them in the reader's language, and by the open-data names it takes too."""
    return _(
        "Missing columns in the header line: %(headings)s (headed as the spreadsheet export "
        "heads them, in French or English, or by their open-data names: %(names)s). The "
        "file must be UTF-8 CSV, its first line naming the columns of the export, "
        "separated by commas or semicolons.",
        headings=expected_headings(missing),
        names=listed(missing),
    )


def _missing_columns(text: str) -> list[str]:
    """The required columns the header line lacks ([] when it cannot be read: the
    reader reports that)."""
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return []
    names = {name.strip().lower() for name in header}
    return [name for name in REQUIRED if name not in names]


def _short_lines(text: str) -> dict[int, int]:
    """The lines with fewer cells than the header line, by line number (as `csv_lines`
    numbers them: as a spreadsheet numbers its rows), with their count of cells. The line
    reader fills missing cells with blanks, and a blank cell empties its column: a line
    cut short (a separator lost) would have replaced figures with the reference's and
    emptied the source address."""
    reader = csv.reader(io.StringIO(text))
    short = {}
    try:
        width = len(next(reader, []))
        for line, cells in enumerate(reader, start=2):
            if cells and len(cells) < width:
                short[line] = len(cells)
    except csv.Error:
        pass  # `csv_lines` reports the line it cannot read
    return short


def _stored_values(item: CatalogueItem) -> dict:
    """An item's values as `_parse_row` reads them from a line."""
    values = {column: getattr(item, column) for column in COLUMNS if column != "alternatives"}
    values["alternatives"] = [alternative.code for alternative in item.alternatives]
    return values


def _check_new_alternatives(
    parsed: list[tuple[int, dict]], existing: dict[str, CatalogueItem], problems: list
) -> None:
    """Each line's newly given alternatives, checked as the item form checks them
    (`alternative_refusals`): withdrawn, of another category or no lighter, one was
    imported and never shown. An alternative is judged as the file leaves it (its line's
    values) or as stored; those the item has already stay, so a catalogue exported and
    imported again is unchanged."""
    as_left = {code_key(code): item for code, item in existing.items()} | {
        code_key(values["code"]): SimpleNamespace(**values) for _line, values in parsed
    }
    for line, values in parsed:
        stored = existing.get(values["code"])
        kept = {code_key(a.code) for a in stored.alternatives} if stored is not None else set()
        this = SimpleNamespace(**values)
        refused = [
            reason
            for code in values["alternatives"]
            if code_key(code) not in kept | {code_key(values["code"])}
            and (alternative := as_left.get(code_key(code))) is not None
            for reason in alternative_refusals(this, alternative)
        ]
        if refused:
            problems.append(ImportProblem(line, "alternatives", " ".join(refused)))


def _parse_row(
    row: dict,
    problems: list,
    line: int,
    existing: dict[str, CatalogueItem],
    delimiter: str,
    columns: FileColumns,
) -> dict:
    """One CSV row as item values, its problems appended (a refused row's values still
    give its alternatives, checked across lines with the others'). For an item of
    `existing` (by code), a column the file lacks keeps the stored value (the yearly-use
    range columns, both lacking, are left to `_stored_ranges`); a new item gets blanks."""
    before = len(problems)

    def fail(column: str, message: str) -> None:
        problems.append(ImportProblem(line, column, message))

    values = {
        k: _restore((row.get(k) or "").strip())
        for k in COLUMNS
        if k not in NUMBERS and k not in ("lifetime_years", "user_count")
    }
    for column in REQUIRED:
        if not values[column]:
            fail(column, _("This column is required."))
    if len(values["code"]) > 40:
        fail("code", _("At most %(n)s characters.", n=40))
    elif values["code"] and not re.match(CODE_PATTERN, values["code"]):
        fail("code", str(CODE_MESSAGE))
    # The item form's limits, which are the columns' own: a longer source was previewed
    # as fine, then refused by PostgreSQL at the confirmation (an error page).
    # A description longer than the form's 4,000 characters imported, then every later
    # save of the item's form was refused at a field the admin had not touched.
    for column, most in (
        ("name_fr", 200),
        ("name_en", 200),
        ("description_fr", 4000),
        ("description_en", 4000),
        ("source", 400),
        ("source_url", 400),
    ):
        if len(values[column]) > most:
            fail(column, _("At most %(n)s characters.", n=most))
    kind_read = values["kind"] in footprint.KINDS
    if values["kind"] and not kind_read:
        fail("kind", _unknown_kind(columns))
    category_kind = footprint.kind_of(values["category"])
    # Unreadable beside an unreadable kind too, but not said to be of another kind then.
    if values["category"] and category_kind != values["kind"] and (kind_read or not category_kind):
        fail(
            "category",
            _unknown_category(columns, values["kind"] if kind_read else None, values["category"]),
        )
    # Whatever depends on the kind and category (figures, source) is judged once both read:
    # a kind « Matériel » was also asked for a service's footprint.
    known_category = kind_read and footprint.kind_of(values["category"]) == values["kind"]
    url = values["source_url"]
    if url and len(url) <= 400 and not url.lower().startswith(("https://", "http://")):
        fail("source_url", str(SOURCE_URL_MESSAGE))
    values["status"] = values["status"] or "available"
    if values["status"] not in ("available", "discontinued"):
        fail("status", _unknown_status(columns))
    # A file without both range columns of a figure leaves its range to `_stored_ranges`;
    # with one of them, the other one is blank, as any optional column the file lacks.
    lacking = {
        column
        for pair in RANGE_COLUMNS.values()
        if not any(column in row for column in pair)
        for column in pair
    }
    for column, (message, bounds, whole) in FIGURE_CELLS.items():
        if column in lacking:
            continue
        value, refused = _figure(row.get(column) or "", delimiter, message, bounds, whole)
        if refused:
            fail(column, refused)
        elif whole:
            values[column] = None if value is None else int(value)
        else:
            values[column] = value
    estimate = values["estimate"].lower()
    values["estimate"] = estimate in TRUE_WORDS
    if estimate not in TRUE_WORDS + FALSE_WORDS:
        fail("estimate", _("Write %(words)s.", words=estimate_words()))
    values["alternatives"] = [
        code.strip()
        for code in ALTERNATIVES_SEPARATOR.split(values["alternatives"])
        if code.strip()
    ]
    item = existing.get(values["code"])
    if item is not None:
        stored = _stored_values(item)
        for column in COLUMNS:
            if column not in row and column not in lacking:
                values[column] = stored[column]
        if values["kind"] == "equipment" and "embodied_kgco2e" not in row and not values["source"]:
            # A blank source names the source of the figures kept (the reference's, for
            # equipment that took them from its category): the stored one.
            values["source"] = stored["source"]
        if (
            values["kind"] == "equipment"
            and "embodied_kgco2e" in row
            and values.get("embodied_kgco2e") is None
            and values.get("use_kwh_per_year") is None
            and "source" not in row
        ):
            # Emptied on purpose: the category's reference figures come with their own
            # source, not with the one that named the figures they replace. A kept
            # electricity figure keeps the stored source that credits it (the
            # reference's citation for the manufacture is added beside it, once).
            values["source"] = ""
        if values["kind"] == "equipment" and known_category:
            _keep_reference_credit(row, values, stored)
    if values["kind"] == "service":
        typed = service_figure_problems(values, item)
        for column in EQUIPMENT_ONLY_FIGURES:
            if column in typed and column in row:
                fail(column, typed[column])
            elif column not in row and item is not None and item.kind != "service":
                # Equipment becoming a service keeps no equipment figure the file lacks.
                values[column] = None
    if known_category and item is not None:
        _follow_new_reference(values, item)
        # A reference figure of the item's old category, given again (or kept, the file
        # lacking its column) for a category without one: a printer kept a laptop's.
        for column, message in reference_dropped_problems(values, item).items():
            fail(column, message)
    if known_category:
        # Every fault of the line at once: its figures (and their ranges) and source too,
        # except at a column already refused as unreadable.
        refused = {problem.column for problem in problems[before:]}
        found = footprint_problems(values, refused)
        # The refurbished note checked is the item's stored description when the file has
        # no description column: said about it, at the file's value that made it fail.
        stored_note = [c for c in MULTILINE if c in found and c not in row]
        if item is not None and stored_note:
            for column in stored_note:
                del found[column]
            fail(*_stored_note_problem(row, item, columns))
        for column, message in found.items():
            if column not in refused:
                fail(column, message)
    return values


def _stored_note_problem(row: dict, item: CatalogueItem, columns: FileColumns) -> tuple[str, str]:
    """The column and message of a line whose figures contradict the refurbished note its
    item's stored description holds, the file giving no description: the file's
    manufacture figure and source, named as it heads them, are what to put right. It was
    refused at « Description en français » and « Description en anglais », columns the
    file does not have, about a description it does not hold."""
    given = [column for column in ("embodied_kgco2e", "source") if column in row]
    cells = listed(
        _("%(column)s: %(value)s", column=columns.name(column), value=row[column] or "–")
        for column in given
    )
    cited = footprint.boavizta_models_cited(item.source, "embedded")
    if cited:
        fix = _(
            "Give again the source citing the Boavizta model (the item's current source: "
            "%(source)s), or add the description columns to say what these figures are.",
            source=item.source,
        )
    else:
        fix = _("Add the description columns to say what these figures are.")
    if given:
        message = _(
            "The item's current description (not in this file) says its "
            "manufacturing footprint counts for a share of the same new device's reference (Boavizta) figure, "
            "which this file's %(cells)s no longer say.",
            cells=cells,
        )
    else:
        message = _(
            "The item's current description (not in this file) says its "
            "manufacturing footprint counts for a share of the same new device's reference (Boavizta) figure, "
            "which its figures no longer say."
        )
    return (given[0] if given else "description_fr"), f"{message} {fix}"


def _unknown_kind(columns: FileColumns) -> str:
    """Why a kind is refused, with the words the file may write for each."""
    if columns.language is None:
        return _("Unknown kind: write equipment or service.")
    return _(
        "Unknown kind: write one of these, by its name or its code in brackets: %(kinds)s.",
        kinds=columns.choices("kind", footprint.KINDS),
    )


def _unknown_category(columns: FileColumns, kind: str | None, typed: str) -> str:
    """Why a category is refused, with those the file may write: its kind's, or every one
    when the kind is unreadable too. A word read capitals and accents aside
    (`spreadsheet.words_alike`) that names several categories says which."""
    alike = words_alike("category", typed)
    if alike:
        return _(
            "%(typed)s could be several categories when its accents are left aside: "
            "%(categories)s. Write it with its accents.",
            typed=typed,
            categories=listed(alike),
        )
    if kind is None:
        known = footprint.EQUIPMENT_CATEGORIES + footprint.SERVICE_CATEGORIES
        first = _("Unknown category.")
    else:
        known = (
            footprint.EQUIPMENT_CATEGORIES if kind == "equipment" else footprint.SERVICE_CATEGORIES
        )
        first = _("Unknown category for the kind %(kind)s.", kind=columns.word("kind", kind))
    if columns.language is None:
        then = _(
            "Write one of these codes (named in brackets): %(categories)s.",
            categories=columns.choices("category", known),
        )
    else:
        then = _(
            "Write one of these, by its name or its code in brackets: %(categories)s.",
            categories=columns.choices("category", known),
        )
    return f"{first} {then}"


def _unknown_status(columns: FileColumns) -> str:
    """Why a status is refused, with the words the file may write for each."""
    if columns.language is None:
        return _("The status must be available or discontinued.")
    return _(
        "Unknown status: write one of these, by its name or its code in brackets: %(statuses)s.",
        statuses=columns.choices("status", ("available", "discontinued")),
    )


def _keep_reference_credit(row: dict, values: dict, stored: dict) -> None:
    """A reference figure the file does not give, beside the figure it gives, is left
    blank in `values` to be credited as when the file creates the item: the file's own
    source alone credited the stored Boavizta figure to itself (« Src FR »)."""
    reference = category_reference(values["category"])
    if reference is None or values["category"] != stored["category"]:
        return
    credited = reference.cited_in(stored["source"] or "")[0]
    figures = {"embodied_kgco2e": "embedded", "use_kwh_per_year": "use"}
    for figure, phase in figures.items():
        (other,) = set(figures) - {figure}
        if (
            figure not in row
            and phase in credited
            and values.get(other) is not None
            and values.get(figure) is not None
            and _same(values[figure], getattr(reference, figure))
        ):
            values[figure] = None


def _follow_new_reference(values: dict, item: CatalogueItem) -> None:
    """A line moving `item` to another equipment category that has reference figures
    (Boavizta): the figures it took from its old category's reference, given back as
    stored (or kept, the file lacking their column), are left blank in `values` to take
    the new category's, their range, lifetime and the old citation with them, as the item
    form does (`reference_figures_followed`): a laptop imported as a desktop kept the
    laptop's 181 kg and its citation. Figures the line gives otherwise stay as given."""
    if category_reference(values["category"]) is None:
        return  # `reference_dropped_problems` refuses them instead
    stored = _stored_values(item)
    # A figure is given back as stored within the export's precision (`_same`).
    given = {
        column: stored[column] if column in stored and _same(stored[column], value) else value
        for column, value in values.items()
    }
    followed = reference_figures_followed(given, item)
    for column, value in followed.items():
        if value != given.get(column):
            values[column] = value


def _stored_ranges(
    item: CatalogueItem, values: dict, columns: FileColumns
) -> tuple[set[str], list[str]]:
    """For a line of a file without a figure's two range columns: the stored range is kept
    while it still surrounds the line's figure; otherwise it is cleared in `values`, and
    the columns cleared are returned, with the reasons for the preview."""
    cleared, notes = set(), []
    for figure, pair in RANGE_COLUMNS.items():
        if any(column in values for column in pair):  # the file's, or `complete_footprint`'s
            continue
        stored = {figure: values.get(figure)} | {column: getattr(item, column) for column in pair}
        if not footprint.range_problems(stored):
            continue
        values.update(dict.fromkeys(pair))
        cleared.update(pair)
        low, high = pair
        notes.append(
            _(
                "The file has no %(low)s and %(high)s columns, and its %(figure)s falls "
                "outside the stored range: the range is cleared. Add these columns to the "
                "file to keep or set a range.",
                low=columns.name(low),
                high=columns.name(high),
                figure=columns.name(figure),
            )
        )
    return cleared, notes


def _followed_note(followed: list[str], from_reference: bool, columns: FileColumns) -> str:
    """Why columns the file lacks change: the category's reference figures an empty
    embodied_kgco2e takes, or the kind and figures the file gives."""
    if from_reference:
        return ngettext(
            "The file has no %(columns)s column, and its %(figure)s is empty: it "
            "takes the category's reference value too. Add this column to the file to keep "
            "or set it.",
            "The file has no %(columns)s columns, and its %(figure)s is empty: they "
            "take the category's reference values too. Add these columns to the file to keep "
            "or set them.",
            len(followed),
            columns=listed(columns.name(column) for column in followed),
            figure=columns.name("embodied_kgco2e"),
        )
    return ngettext(
        "The file has no %(columns)s column: it is worked out again from the kind, category "
        "and figures the file gives.",
        "The file has no %(columns)s columns: they are worked out again from the kind, "
        "category and figures the file gives.",
        len(followed),
        columns=listed(columns.name(column) for column in followed),
    )


def _computed_differ(row: dict, values: dict, delimiter: str) -> bool:
    """Whether the line gives a grade or annual_kgco2e other than the one worked out
    from its figures (an empty cell gives none)."""
    grade = _restore((row.get("grade") or "").strip())
    if grade and grade.upper() != values["grade"]:
        return True
    annual = (row.get("annual_kgco2e") or "").strip()
    if not annual:
        return False
    try:
        return not _same(float(values["annual_kgco2e"]), _number(annual, delimiter))
    except ValueError:
        return True


def _device_use_differs(row: dict, values: dict, delimiter: str) -> bool:
    """Whether an equipment line fills the use footprint's cell with another figure than
    the one worked out from its electricity (an empty cell gives none): the cell is a
    service's typed figure, a device's worked-out one, and a device's was dropped unsaid."""
    given = (row.get("use_kgco2e_per_year") or "").strip()
    if values["kind"] != "equipment" or not given:
        return False
    try:
        return not _same(float(values["use_kgco2e_per_year"] or 0.0), _number(given, delimiter))
    except (TypeError, ValueError):
        return True


def import_catalogue_csv(
    text: str,
    actor,
    now: datetime,
    grid_factor: float,
    *,
    apply: bool = True,
    previewed: str | None = None,
) -> ImportResult:
    """Create or update items by code from CSV text (separated by commas or semicolons);
    nothing is written if any row is wrong, nor when `apply` is false (a preview), nor
    when `previewed` (a preview's `digest`) is not the digest of the preview now (`stale`).

    Only items whose values change are updated (and their `updated_at` touched); an
    existing item keeps the stored value of each column the file lacks."""
    result = ImportResult()
    parsed: list[tuple[int, dict]] = []
    present: dict[str, set[str]] = {}  # code -> the columns its line has
    from_reference: set[str] = set()  # codes of equipment lines without embodied_kgco2e
    text = text.lstrip("\ufeff")
    delimiter = _delimiter(text)
    if delimiter == ";":
        text = _with_commas(text)
    header = header_cells(text)
    text = from_spreadsheet(text)
    headed = result.file_columns = FileColumns(header, header_cells(text))
    # An empty file is said so by `csv_lines`, not as one missing every column.
    missing = _missing_columns(text) if text.strip() else []
    if missing:
        result.problems.append(ImportProblem(1, expected_headings(missing), _missing(missing)))
        return result
    unknown = [
        cell.strip()
        for cell, name in zip(header, header_cells(text), strict=False)
        if name.strip().lower() not in COLUMNS + EXPORT_ONLY
    ]
    if unknown:
        # A heading mistyped in a spreadsheet: the headings it may have, to put it right.
        message = _(
            "Unknown columns. The columns this file may have, headed as the spreadsheet "
            "export heads them in French or English, or by their open-data names: "
            "%(headings)s (%(names)s).",
            headings=expected_headings(COLUMNS + EXPORT_ONLY),
            names=listed(COLUMNS + EXPORT_ONLY),
        )
        result.problems.append(ImportProblem(1, listed(unknown), message))
        return result
    rows = csv_lines(
        text,
        result.problems,
        required=REQUIRED,
        max_lines=MAX_ROWS,
        allowed=COLUMNS + EXPORT_ONLY,
        multiline=MULTILINE,
    )
    existing = {
        item.code: item
        for item in db.session.scalars(
            select(CatalogueItem).options(selectinload(CatalogueItem.alternatives))
        )
    }
    first_line: dict[str, tuple[int, str]] = {}  # code, capitals aside -> its line, as written
    alternatives_of: list[tuple[int, str, list[str]]] = []  # each line's, refused or not
    short = _short_lines(text)
    codes_written: dict[int, str] = {}  # line -> its code as written, to name its problems
    for line, row in rows:
        if not any(row.values()):
            continue  # a row a spreadsheet emptied, saved as ";;;": no item
        codes_written[line] = _restore(row.get("code") or "")
        if line in short:
            message = _(
                "This line has too few cells: %(cells)s, for %(columns)s columns in the "
                "header line.",
                cells=short[line],
                columns=len(row),
            )
            result.problems.append(ImportProblem(line, "-", message))
            continue
        before = len(result.problems)
        values = _parse_row(row, result.problems, line, existing, delimiter, headed)
        # Every fault of a line at once: its alternatives too, checked across the file's
        # lines below, even when another column of the line is refused.
        alternatives_of.append((line, values["code"], values["alternatives"]))
        if len(result.problems) > before:
            continue
        if code_key(values["code"]) in first_line:  # `LAP-1` and `lap-1` are one code
            earlier, written = first_line[code_key(values["code"])]
            result.problems.append(
                ImportProblem(
                    line,
                    "code",
                    _(
                        "This code is already on line %(line)s (%(code)s): codes are "
                        "compared capitals aside.",
                        line=earlier,
                        code=written,
                    ),
                )
            )
            continue
        first_line[code_key(values["code"])] = (line, values["code"])
        present[values["code"]] = set(row)
        try:
            check_category(values["kind"], values["category"])
            completed = complete_footprint(
                {k: v for k, v in values.items() if k != "alternatives"}, grid_factor
            )
        except CatalogueError as error:
            result.problems.append(ImportProblem(line, error.field or "-", str(error)))
            continue
        completed["alternatives"] = values["alternatives"]
        parsed.append((line, completed))
        if values["kind"] == "equipment" and values.get("embodied_kgco2e") is None:
            from_reference.add(values["code"])
        if _computed_differ(row, completed, delimiter):
            result.computed_ignored.append(values["code"])
        if _device_use_differs(row, completed, delimiter):
            result.warnings.append(
                ImportProblem(
                    line,
                    headed.name("use_kgco2e_per_year"),
                    _(
                        "A device's use footprint is worked out from its electricity "
                        "(%(kwh)s) and the grid factor: %(worked_out)s, not the file's "
                        "%(given)s, which is not used. Leave this cell empty for a device.",
                        kwh=headed.name("use_kwh_per_year"),
                        worked_out=format_number(
                            completed["use_kgco2e_per_year"] or 0, "#,##0.####"
                        ),
                        given=(row.get("use_kgco2e_per_year") or "").strip(),
                    ),
                    _shown_code(values["code"]),
                )
            )

    by_key = {code_key(code): item for code, item in existing.items()}
    # Alternatives name items capitals aside, as every code is compared: `eq-lap-06` is
    # EQ-LAP-06, stored or created by the file.
    known_codes = {code_key(code): code for code in existing} | {
        code_key(values["code"]): values["code"] for _line, values in parsed
    }
    for line, values in parsed:
        other = by_key.get(code_key(values["code"]))
        if values["code"] not in existing and other is not None:
            # Another case of a stored code: a second item, not an update of that one.
            result.problems.append(ImportProblem(line, "code", code_taken_message(other)))
        values["alternatives"] = list(
            dict.fromkeys(known_codes.get(code_key(c), c) for c in values["alternatives"])
        )
    for line, code, alternatives in alternatives_of:
        # Its own code, capitals aside, is refused as the item form refuses it: dropped
        # without a word, the file's alternative was gone with its preview saying nothing.
        itself = [c for c in alternatives if code and code_key(c) == code_key(code)]
        unknown_alts = [
            c for c in alternatives if code_key(c) not in known_codes and c not in itself
        ]
        refused = []
        if itself:
            refused.append(
                _("An item cannot be its own alternative: remove %(code)s.", code=itself[0])
            )
        if unknown_alts:
            refused.append(
                ngettext(
                    "Unknown alternative code: %(codes)s",
                    "Unknown alternative codes: %(codes)s",
                    len(unknown_alts),
                    codes=", ".join(unknown_alts),
                )
            )
        if refused:
            result.problems.append(ImportProblem(line, "alternatives", " ".join(refused)))
    _check_new_alternatives(parsed, existing, result.problems)
    if result.problems:
        # Checked in two passes (each line, then codes across lines): listed as the file reads.
        result.problems.sort(key=lambda problem: problem.line or 0)
        for problem in result.problems:
            problem.column = headed.name(problem.column)
            problem.reference = _shown_code(codes_written.get(problem.line, ""))
        return result

    to_create: list[dict] = []
    to_update: list[tuple[CatalogueItem, dict]] = []
    for _line, values in parsed:
        item = existing.get(values["code"])
        if item is None:
            figures = {column: values.get(column) for column in CREATED_SHOWN}
            result.created.append(
                ItemChange(
                    values["code"],
                    values["name_fr"],
                    values["name_en"],
                    figures=figures,
                    values=values,
                )
            )
            to_create.append(values)
            continue
        cleared, notes = _stored_ranges(item, values, headed)
        fields = _item_fields(values)
        columns = _changed_columns(item, fields, values["alternatives"])
        # An item is updated when a column of the file changes (or a range it clears); then
        # every column written is shown, those the file lacks said why, so nothing changes
        # that the preview hid. Otherwise it is left as it is (the grid alone moved).
        if not any(change.column in present[item.code] | cleared for change in columns):
            result.unchanged += 1
            continue
        followed = [
            change.column
            for change in columns
            if change.column in COLUMNS
            and change.column not in present[item.code] | cleared
            # an equipment's, like the grade, is worked out from its yearly kWh and the grid
            and not (change.column == "use_kgco2e_per_year" and values["kind"] == "equipment")
        ]
        if followed:
            notes.append(_followed_note(followed, item.code in from_reference, headed))
        result.updated.append(
            ItemChange(item.code, values["name_fr"], values["name_en"], columns, notes)
        )
        to_update.append((item, values))
    _mark_portal_edits(result, existing)
    if previewed is not None and previewed != result.digest:
        result.stale = True
        return result
    if not apply:
        return result
    return _apply(result, existing, parsed, to_create, to_update, actor, now)


def _mark_portal_edits(result: ImportResult, existing: dict[str, CatalogueItem]) -> None:
    """Mark the updates of items changed in the portal since the last import: a file
    exported before that change (« Retiré » made « Disponible » again, alternatives
    emptied) would undo it, and the preview says so beside its columns. The audit log
    records changes and imports, not downloads: the last import is the one moment known
    to come before the file at hand was made."""
    ids = {existing[change.code].id: change for change in result.updated}
    result.last_import_at, edited = queries.portal_edits_since_last_import(ids)
    for item_id, moment in edited.items():
        ids[item_id].edited_in_portal = moment


def _item_fields(values: dict) -> dict:
    """A line's values that are the item's own columns (not its alternatives)."""
    return {k: v for k, v in values.items() if k != "alternatives" and hasattr(CatalogueItem, k)}


def _apply(result, existing, parsed, to_create, to_update, actor, now) -> ImportResult:
    """Write a checked import: each item created or updated gets its own audit event,
    opening with its code and saying what changed as an edit's does, then the summary."""
    created = []
    for values in to_create:
        item = CatalogueItem(**_item_fields(values), created_at=now, updated_at=now)
        db.session.add(item)
        existing[item.code] = item
        created.append(item)
    edits = []
    for item, values in to_update:
        fields = _item_fields(values)
        before = {key: getattr(item, key) for key in fields}
        for key, value in fields.items():
            if not _same(before[key], value):
                setattr(item, key, value)
        touch_item(item, now)  # an edit form opened before can no longer save over it
        if any(not _same(before[key], value) for key, value in fields.items()):
            edits.append((item, changes_summary(before, fields)))
    try:
        db.session.flush()
    except IntegrityError:
        # An item saved meanwhile took a code the file creates (the unique index on
        # lower(code)): said at that line like any taken code, nothing written.
        result.problems = _codes_taken_meanwhile(parsed, {c.code for c in result.created})
        if not result.problems:
            raise
        for problem in result.problems:
            problem.column = result.file_columns.name(problem.column)
        return result
    for item in created:
        record_audit(actor, "create", "catalogue_item", item.id, now, creation_summary(item))
    for item, summary in edits:
        record_audit(actor, "update", "catalogue_item", item.id, now, summary)
    for values in to_create + [values for _item, values in to_update]:
        item = existing[values["code"]]
        alternatives = [existing[c] for c in values["alternatives"] if c != item.code]
        if {a.code for a in item.alternatives} != {a.code for a in alternatives}:
            item.alternatives = alternatives
            db.session.flush()
            # As `services.set_alternatives` records them: the item's code first.
            summary = f"{item.code}: {','.join(a.code for a in alternatives) or '-'}"
            record_audit(actor, "set_alternatives", "catalogue_item", item.id, now, summary)
    db.session.flush()
    # The shared "import" wording of the audit log (app.core.audit) reads this form.
    record_audit(
        actor,
        "import",
        "catalogue_item",
        "csv",
        now,
        f"{len(result.created)} created, {len(result.updated)} updated, "
        f"{result.unchanged} unchanged",
    )
    return result


def _codes_taken_meanwhile(parsed: list[tuple[int, dict]], created: set[str]) -> list:
    """The lines of the file creating an item whose code another item now has."""
    problems = []
    for line, values in parsed:
        if values["code"] in created:
            taken_by = committed_item_with_code(values["code"])
            if taken_by is not None:
                message = code_taken_message(taken_by)
                problems.append(ImportProblem(line, "code", message, values["code"]))
    return problems


def _shown_code(code: str) -> str:
    """A line's code beside its problems, cut where it could not be one (`CODE_PATTERN`
    takes 40 characters): a description pasted into the column stays readable."""
    return code if len(code) <= 40 else f"{code[:40]}…"


def _export_number(value: float) -> str:
    """A figure without binary noise and without an exponent, which imports back to the
    same value (within `EXPORT_DIGITS` significant digits)."""
    return format(Decimal(f"{value:.{EXPORT_DIGITS}g}").normalize(), "f")


def export_catalogue_csv() -> str:
    """Every item as CSV, open data: figures and sources only, nothing about people.
    Written once per change of the catalogue (40 cells of 1,642 items took 0.15–0.6 s
    per download at the Bordeaux scale)."""
    return cache.value(
        "catalogue_open_data", (), ("catalogue",),
        lambda: write_csv(_export_rows(), COLUMNS + EXPORT_ONLY),
    )  # fmt: skip


#: The spreadsheet export's file name, told apart from the open-data file's
#: (`empreinte-catalogue.csv`, kept stable) once both are in a downloads folder; ASCII,
#: in the reader's language as its separators are.
SPREADSHEET_FILE_NAMES = {
    "fr": "empreinte-catalogue-tableur.csv",
    "en": "empreinte-catalogue-spreadsheet.csv",
}


def spreadsheet_file_name(language: str) -> str:
    """The spreadsheet export's file name in `language` (French for any other)."""
    return SPREADSHEET_FILE_NAMES.get(language, SPREADSHEET_FILE_NAMES["fr"])


def export_catalogue_for_spreadsheet(language: str) -> str:
    """The same export as a spreadsheet opens it in the reader's language (a byte order
    mark, and in French semicolons and decimal commas): the open-data file put every line
    in one column, « Clé » read as « ClÃ© », in French Excel. It imports back unchanged."""
    decimal = "," if language == "fr" else "."

    def written() -> str:
        rows = (
            [cell.replace(".", decimal) if column in FIGURES else cell for column, cell in zip(
                COLUMNS + EXPORT_ONLY, row, strict=True)]
            for row in _export_rows()
        )  # fmt: skip
        # Its headings and words in the reader's language (`spreadsheet.from_spreadsheet`
        # reads them back on import).
        headings, translated = spreadsheet_table(COLUMNS + EXPORT_ONLY, rows, language)
        return spreadsheet_csv(translated, headings, language)

    return cache.value("catalogue_spreadsheet", (language,), ("catalogue",), written)


FIGURES = (*NUMBERS, "lifetime_years", "grid_factor", "annual_kgco2e")


def _export_rows():
    """Each item's cells in the export's columns, figures written by `_export_number`."""
    items = db.session.scalars(
        select(CatalogueItem)
        .options(selectinload(CatalogueItem.alternatives))
        .order_by(CatalogueItem.code)
    )
    for item in items:
        row = []
        for column in COLUMNS + EXPORT_ONLY:
            if column == "alternatives":
                value = ";".join(a.code for a in item.alternatives)
            elif column == "estimate":
                value = "true" if item.estimate else "false"
            else:
                value = getattr(item, column)
                if isinstance(value, float):
                    value = _export_number(value)
            row.append("" if value is None else str(value))
        yield row
