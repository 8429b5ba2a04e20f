"""The budgets and the decided requests as a spreadsheet opens them, for the annual report.

Written by the shared `spreadsheet_csv` (byte order mark; in French, semicolons and
decimal commas), its headings and words in the reader's language, as the recycling
statistics spreadsheet is. Figures are those the pages write: a request's yearly footprint
as its lines are written (`footprint.request_as_written`), a department's use as the
budgets page adds them up, each column of figures to one precision (a tenth). People are
not named: the report counts, it does not judge."""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

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


def _kg(value: float | Decimal | None) -> Decimal | None:
    """A yearly figure of a department to a tenth, every row alike (« 614,0 », « 0,0 »):
    one precision per column, as a spreadsheet's column is read and summed."""
    return None if value is None else footprint.half_up(float(value), 1)


TENTH = Decimal("0.1")


def _percent(used: float, budget: float | None) -> Decimal | None:
    """The share of the budget used, in percent to a tenth (« 113,6 »), worked out from the
    figures as the pages write them (`queries.shown_share` starts from the same), not
    from the share the page rounds to a whole percent: 113.6 % was written « 114,00 ».
    None without a budget or with one of 0."""
    if budget is None:
        return None
    written_budget = footprint.budget_as_written(budget)
    if not written_budget:
        return None
    written_used = footprint.shown_figure(used)
    share = written_used / written_budget * 100
    # A tenth over the budget never reads « 100,0 » beside "Over budget", nor a tenth
    # under it « 100,0 » beside "Close to the budget": 100.04 is « 100,1 », 99.96 « 99,9 ».
    rounding = ROUND_HALF_UP
    if written_used != written_budget and share.quantize(TENTH, ROUND_HALF_UP) == 100:
        rounding = ROUND_CEILING if written_used > written_budget else ROUND_FLOOR
    return share.quantize(TENTH, rounding)


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
            # Typed to a tenth at most (`forms.BudgetForm`): written to a tenth, « 550,0 ».
            None if row.budget is None else footprint.budget_as_written(row.budget),
            _kg(row.used),
            _percent(row.used, row.budget),
            _budget_status(row.colour),
            _kg(row.previous_used),
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
