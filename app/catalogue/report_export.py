"""The budgets and the decided requests as a spreadsheet opens them, for the annual report.

Written by the shared `spreadsheet_csv` (byte order mark; in French, semicolons and
decimal commas), its headings and words in the reader's language, as the recycling
statistics spreadsheet is. Figures are those the pages write: a request's yearly footprint
as its lines are written (`footprint.request_as_written`), a department's use as the
budgets page adds them up. People are not named: the report counts, it does not judge."""

from decimal import Decimal

from flask_babel import gettext as _

from app.catalogue import footprint
from app.catalogue.services import request_status_name
from app.core.csv_safety import spreadsheet_csv


def _budget_status(colour: str) -> str:
    """A department's status as the budgets page words it."""
    words = {
        "green": _("Within budget"),
        "amber": _("Close to the budget"),
        "red": _("Over budget"),
    }
    return words.get(colour, _("No budget set"))


def _figure(value: float | Decimal | None) -> Decimal | None:
    """A figure to a tenth or two significant digits, as the pages write it alone."""
    return None if value is None else footprint.shown_figure(float(value))


def budgets_spreadsheet(year: int, rows, language: str) -> str:
    """The budgets page of `year` (`queries.department_budgets`) as a spreadsheet."""
    header = [
        _("Year"),
        _("Department code"),
        _("Department"),
        _("Budget (kg CO₂e per year)"),
        _("Added by approved requests (kg CO₂e per year)"),
        _("Share of the budget used (percent)"),
        _("Status"),
        _("Added by approved requests in %(year)s (kg CO₂e per year)", year=year - 1),
    ]
    lines = (
        [
            year,
            row.department.code,
            row.department.name(language),
            None if row.budget is None else footprint.budget_as_written(row.budget),
            _figure(row.used),
            None if row.share is None else Decimal(str(row.share)) * 100,
            _budget_status(row.colour),
            _figure(row.previous_used),
        ]
        for row in rows
    )
    return spreadsheet_csv(lines, header, language)


def decided_requests_spreadsheet(requests, language: str, zone) -> str:
    """Requests approved or refused (`queries.list_decided_requests`), one a line: its
    department, dates, decision and note, its items and yearly footprint as written."""
    header = [
        _("Request"),
        _("Department code"),
        _("Department"),
        _("Sent on"),
        _("Decided on"),
        _("Decision"),
        _("Yearly footprint (kg CO₂e)"),
        _("Items"),
        _("Decision note"),
    ]

    def day(moment):
        return "" if moment is None else moment.astimezone(zone).date().isoformat()

    lines = (
        [
            request.id,
            request.department.code if request.department else "",
            request.department.name(language) if request.department else "",
            day(request.submitted_at),
            day(request.decided_at),
            request_status_name(request.status),
            footprint.request_as_written(request),
            "; ".join(f"{line.item.name(language)} × {line.quantity}" for line in request.lines),
            request.decision_note,
        ]
        for request in requests
    )
    return spreadsheet_csv(lines, header, language)
