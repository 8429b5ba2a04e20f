"""Reading an uploaded CSV file line by line, the same way for every import.

The catalogue, the staff directory and the departments are imported all or nothing:
each lists every problem of the file with its line and column, in the reader's
language, before anything is written. The shape of a file (its header, a line with
too many cells, too many lines, a line the csv module refuses) is checked here; each
import checks its own values.
"""

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, pgettext

from app.core.csv_safety import FORMULA_STARTS
from app.core.i18n import format_number

# A code (a catalogue item's, a department's): what fits in a URL, a file name and a
# spreadsheet cell without quoting.
CODE = re.compile(r"[A-Za-z0-9._-]+")
CODE_MESSAGE = _l("Letters, digits, dot, dash and underscore only.")


# A run of spaces, tabs and line breaks (Unicode's line and paragraph separators too): one
# space in a single-line cell. A no-break space is kept: it is typed on purpose (« 10 W »).
_WHITESPACE_RUN = re.compile(r"[ \t\n\r\f\v\x1c-\x1f\x85\u2028\u2029]+")
# Control characters (a bell, an escape), dropped: no text holds them, and a name shown
# with one is garbled. Those that are whitespace are folded above instead; in a multi-line
# cell, tabs and line breaks stay and the other control characters go. A NUL stays, for
# each import to refuse its cell: it marks a file that is no text at all.
# Control characters, and the direction embeddings, overrides and isolates (U+202A-202E,
# U+2066-2069), which turn the text after them around wherever a name shows.
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
_MULTILINE_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unaccented(text: str) -> str:
    """`text` as words are compared in a file, capitals and accents aside: « Écran »,
    « ECRAN » and « Ecran » are one (a capital É is hard to type on a French keyboard)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Between the words of a heading: « Staff number », « staff_number » and « STAFF-NUMBER »
# head one column.
_HEADING_GAPS = re.compile(r"[\s_-]+")


def heading_key(heading: str) -> str:
    """A column heading as an import compares it: `unaccented`, and spaces, underscores
    and dashes alike (« Département », « departement » and « DÉPARTEMENT » are one)."""
    return _HEADING_GAPS.sub(" ", unaccented(heading)).strip()


def clean_cell(value: str, multiline: bool = False) -> str:
    """A cell as an import stores it: the export's spreadsheet protection undone
    (`app.core.csv_safety.safe_cell`'s leading `'`), control characters dropped, and in a
    single-line cell each run of whitespace one space ("Jean\\nDupont" is "Jean Dupont");
    trimmed."""
    value = value.strip()
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        # '=Direction was =Direction, protected on its way out so that a spreadsheet
        # does not run it as a formula: imported back as it was stored.
        value = value[1:]
    if multiline:
        return _MULTILINE_CONTROL.sub("", value).strip()
    return _WHITESPACE_RUN.sub(" ", _CONTROL.sub("", value)).strip()


@dataclass
class ImportProblem:
    line: int | None  # None: about the whole file, shown above the table of lines
    column: str
    message: str  # in the reader's language
    # What the line is about, as the file writes it (an item's code), to find it by.
    reference: str = ""


def item_counts(created: int, updated: int, unchanged: int | None = None) -> str:
    """'3 items created · 1 item updated · 1,639 items unchanged' in the reader's language:
    the catalogue import's message and the audit log word its counts the same way."""
    parts = [
        ngettext("%(count)s item created", "%(count)s items created", created,
                 count=format_number(created)),
        ngettext("%(count)s item updated", "%(count)s items updated", updated,
                 count=format_number(updated)),
    ]  # fmt: skip
    if unchanged is not None:
        parts.append(
            ngettext("%(count)s item unchanged", "%(count)s items unchanged", unchanged,
                     count=format_number(unchanged))
        )  # fmt: skip
    return " · ".join(parts)


def unreadable_csv() -> str:
    """What Python's csv module refuses (a field beyond its size limit, say), said in the
    reader's language rather than in the module's English."""
    return _(
        "This line cannot be read as CSV (a NUL character or a quote left open, perhaps): "
        "the file was not read further."
    )


def not_utf8() -> str:
    """Why an uploaded file is refused when it is not UTF-8, and how to fix it: a
    spreadsheet's plain "CSV" is often Windows-1252."""
    return _(
        "The file is not UTF-8 text. Save it as “CSV UTF-8” in your spreadsheet, "
        "then import it again."
    )


def uploaded_csv(field, max_bytes: int) -> str | None:
    """A form's uploaded CSV file as text (UTF-8, with or without a BOM), or None after
    adding why not to the field's errors (too large, not UTF-8)."""
    raw = field.data.read(max_bytes + 1)
    if len(raw) > max_bytes:
        field.errors.append(_("The file is too large (at most %(mb)s MB).", mb=max_bytes // 2**20))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        field.errors.append(not_utf8())
        return None


def csv_delimiter(text: str) -> str:
    """`;` for a file whose header line is separated by semicolons (French Excel's
    default), `,` otherwise: column names never contain either."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def required_name(values: dict[str, str], column: str, limit: int, line: int, problems) -> str:
    """The line's name in `column`; a problem is added when it is missing or too long."""
    name = values.get(column, "")
    if not name or len(name) > limit or "\x00" in name:
        problems.append(
            ImportProblem(
                line, column, _("A name is needed, of at most %(n)s characters.", n=limit)
            )
        )
    return name


def listed(names: Iterable[str]) -> str:
    """Column headings (or names) one after the other: « Code ; Fabrication, estimation
    basse (kg CO₂e) ». Separated by semicolons, as a list is in the reader's language: a
    heading may hold a comma."""
    return pgettext("between two items of a list", "; ").join(names)


def _columns(written: list[str], known: Iterable[str], headings) -> list[str]:
    """Each heading's column: a `known` column or one of its `headings`, capitals, accents
    and spacing aside; another heading in lower case; "" where there is none."""
    names = {heading_key(column): column for column in known}
    for column, others in headings.items():
        names |= {heading_key(other): column for other in others}
    return [names.get(heading_key(name), name.lower()) if name else "" for name in written]


def csv_lines(
    text: str,
    problems: list[ImportProblem],
    *,
    required: Iterable[str],
    max_lines: int,
    allowed: Iterable[str] | None = None,
    multiline: Iterable[str] = (),
    headings: Mapping[str, Iterable[str]] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each line's number and its cells, by column name (lower case), each as `clean_cell`
    reads it: trimmed, on one line (but the `multiline` columns, whose line breaks are
    text typed in a text area), without control characters, and without the leading `'`
    the portal's own exports add before `=`, `+`, `-`, `@`.

    A line is numbered as a spreadsheet numbers its rows: the header line is 1, and each
    record after it one more, a cell holding line breaks (quoted) still one row, an empty
    line one row too (a spreadsheet shows it); no line is yielded for an empty one. The
    physical lines of the file would be further down after a cell of several lines.

    Cells are separated by commas or semicolons, as the header line is; a UTF-8 BOM is
    skipped. Headings are read by `heading_key` (capitals, accents, spaces and underscores
    aside), each column under its name or one of its `headings` (column -> the other
    headings it may have, in either language: « Matricule » for `staff_number`); a
    column without a heading is left out, a cell under it refused. A file whose header
    lacks a `required` column, has one beyond `allowed`, one twice or a NUL, yields
    nothing. Lines with too many cells are skipped; reading stops after `max_lines`
    lines or at a line the csv module refuses. Each of these adds to `problems`.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():  # "missing columns in the header line" said line 1 of nothing
        problems.append(ImportProblem(None, "", _("The file is empty.")))
        return
    if "\x00" in text.split("\n", 1)[0]:
        # NULs between the letters: UTF-16 without its byte order mark, or no text at all.
        problems.append(ImportProblem(None, "", not_utf8()))
        return
    reader = csv.reader(io.StringIO(text), delimiter=csv_delimiter(text))
    required = tuple(required)
    allowed = None if allowed is None else tuple(allowed)
    try:
        written = [clean_cell(name) for name in next(reader, [])]
    except csv.Error:
        problems.append(ImportProblem(None, "", unreadable_csv()))
        return
    headers = _columns(written, (*required, *(allowed or ())), headings or {})
    missing = [name for name in required if name not in headers]
    if missing:
        problems.append(ImportProblem(1, listed(missing), _("Missing columns in the header line.")))
        return
    if allowed is not None:
        unknown = [
            name for name, key in zip(written, headers, strict=True) if key and key not in allowed
        ]
        if unknown:
            # A column renamed in a spreadsheet: the names it may take, to put it right.
            message = _(
                "Unknown columns. The columns this file may have: %(columns)s.",
                columns=listed(allowed),
            )
            problems.append(ImportProblem(1, listed(unknown), message))
            return
    times = Counter(headers)
    twice = [name for name, key in zip(written, headers, strict=True) if key and times[key] > 1]
    if twice:
        # « department » and « Département »: which one the import should read is a guess.
        message = _("These headings name the same column: keep one of them.")
        problems.append(ImportProblem(1, listed(twice), message))
        return
    multiline = frozenset(multiline)
    read = 0
    line = 1  # the header's
    try:
        for cells in reader:
            line += 1
            if not cells:
                continue  # an empty line: a row, of nothing
            if len(cells) > len(headers):
                problems.append(ImportProblem(line, "-", _("This line has too many cells.")))
                continue
            if any(clean_cell(cell) for key, cell in zip(headers, cells, strict=False) if not key):
                # A column a spreadsheet saved without a heading: empty, it is left out
                # (French Excel ends each line with « ; »), but a value there is read nowhere.
                message = _("This line has a value in a column without a heading.")
                problems.append(ImportProblem(line, "-", message))
                continue
            if read >= max_lines:
                problems.append(
                    ImportProblem(line, "-", _("At most %(n)s lines per file.", n=max_lines))
                )
                return
            read += 1
            # A line cut short reads as blanks in the cells it lacks, as csv.DictReader
            # read it; each import says what a short line means to it.
            cells += [""] * (len(headers) - len(cells))
            yield (
                line,
                {
                    key: clean_cell(value, multiline=key in multiline)
                    for key, value in zip(headers, cells, strict=True)
                    if key
                },
            )
    except csv.Error:
        # The record the csv module refused: the one after the last read.
        problems.append(ImportProblem(line + 1, "-", unreadable_csv()))
