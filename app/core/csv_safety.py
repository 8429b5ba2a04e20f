"""CSV exports that spreadsheets cannot turn into formulas.

A cell such as `=HYPERLINK(...)` typed by a user would run as a formula when an
admin opens the export in a spreadsheet (CSV injection). Every exported cell goes
through `safe_cell`, which prefixes a quote to text that starts like a formula.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

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


#: Excel reads a CSV without it as Windows-1252 (« numérique » comes out « numÃ©rique »).
BYTE_ORDER_MARK = "\ufeff"


def spreadsheet_csv(
    rows: Iterable[Iterable[object]], header: Iterable[object], language: str
) -> str:
    """A report a person opens in a spreadsheet, written as theirs expects: a byte order
    mark so it is read as UTF-8, and in French a semicolon between cells and a decimal
    comma (French Excel and LibreOffice read a comma as the decimal separator, and put a
    comma-separated line in one column). Open data keeps `write_csv`'s plain form; a file
    an admin edits and imports again may use either (the imports read both)."""
    return "".join(spreadsheet_csv_parts(rows, header, language))


def spreadsheet_csv_parts(
    rows: Iterable[Iterable[object]], header: Iterable[object], language: str, size: int = 1000
) -> Iterator[str]:
    """`spreadsheet_csv`'s document in parts, the header first, then `size` rows at a time:
    a file streamed as its rows are read (the audit log's 100,000) is never whole in memory."""
    french = language == "fr"
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\r\n")

    def cell(value: object) -> str:
        if french and isinstance(value, float | Decimal):
            return str(value).replace(".", ",")
        return safe_cell(value)

    def taken() -> str:
        part = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return part

    writer.writerow([safe_cell(name) for name in header])
    yield taken()
    for count, row in enumerate(rows, 1):
        writer.writerow([cell(value) for value in row])
        if count % size == 0:
            yield taken()
    yield taken()
