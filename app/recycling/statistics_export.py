"""The recycling statistics as a spreadsheet opens them, in the reader's language.

`statistics.csv` stays the open data (commas, decimal points, stable English columns,
no byte order mark): French Excel put each of its lines in one column and read
« Ambarès » as « AmbarÃ¨s ». This is the same table for a person, written by the shared
`spreadsheet_csv` (byte order mark; in French, semicolons and decimal commas)."""

from flask_babel import gettext as _

from app.core.csv_safety import spreadsheet_csv
from app.core.devices import DEVICE_TYPES
from app.recycling.forms import status_choices


def statistics_spreadsheet(table: list[dict], points: dict, language: str) -> str:
    """The open-data rows (`queries.grouped_returns_and_points`) with headers, device
    types and statuses in the reader's language, each point named with its commune (two
    communes may each have a point of one name); months stay ISO (`2026-05`)."""
    header = [
        _("Month of declaration"),
        _("Commune INSEE code"),
        _("Collection point"),
        _("Device type"),
        _("Status"),
        _("Devices"),
        _("E-waste (kg)"),
        _("Footprint avoided (kg CO₂e)"),
    ]
    statuses = dict(status_choices())
    rows = (
        [
            row["month"],
            row["insee_code"],
            points[row["point_id"]].label,
            str(DEVICE_TYPES[row["device_type"]].label)
            if row["device_type"] in DEVICE_TYPES
            else row["device_type"],
            str(statuses.get(row["status"], row["status"])),
            row["devices"],
            float(row["kg_ewaste"]),
            float(row["kgco2e_avoided"]),
        ]
        for row in table
    )
    return spreadsheet_csv(rows, header, language)
