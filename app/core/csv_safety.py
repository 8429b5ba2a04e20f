"""CSV exports that spreadsheets cannot turn into formulas.

A cell such as `=HYPERLINK(...)` typed by a user would run as a formula when an
admin opens the export in a spreadsheet (CSV injection). Every exported cell goes
through `safe_cell`, which prefixes a quote to text that starts like a formula.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text, with a leading `'` when it would start a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(rows: Iterable[Iterable[object]], header: Iterable[object]) -> str:
    """A whole CSV document (header first), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
