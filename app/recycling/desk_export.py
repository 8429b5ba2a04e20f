"""The desk's download: the devices at an agent's points, as a spreadsheet opens them.

Written for a person, as the statistics spreadsheet is (`spreadsheet_csv`: byte order
mark; in French, semicolons and decimal commas), headers and values in the reader's
language; what became of each device's data in the statistics' words (`wipe_status`:
`queries.WIPE_CATEGORIES`). No owner is named: the desk names none."""

from datetime import datetime

from flask_babel import gettext as _

from app.core.csv_safety import spreadsheet_csv
from app.core.devices import DEVICE_TYPES
from app.core.time import local_zone
from app.recycling import queries
from app.recycling.forms import condition_choices, status_choices
from app.recycling.models import DeviceReturn
from app.recycling.statistics_export import wipe_category_choices


def devices_spreadsheet(returns: list[DeviceReturn], now: datetime, language: str) -> str:
    """One row per device at the point (`queries.list_devices_at_points`): its receipt,
    point (with its commune), type, asset tag, condition, status, day of (last) receipt
    and days since, its data (the certified wipe's certificate as it stands) and its
    typical mass."""
    header = [
        _("Receipt no."),
        _("Collection point"),
        _("Device type"),
        _("Asset tag"),
        _("Condition"),
        _("Status"),
        _("Received on"),
        _("Days at the point"),
        _("Data wiping"),
        _("Certificate number"),
        _("Estimated mass (kg)"),
    ]
    conditions, statuses = dict(condition_choices()), dict(status_choices())
    wipes = dict(wipe_category_choices())
    rows = []
    for device_return in returns:
        kind = DEVICE_TYPES.get(device_return.device_type)
        received = queries.received_at(device_return)
        wipe = next((s for s in device_return.steps if s.step == "wiped"), None)
        rows.append(
            [
                device_return.receipt_number,
                device_return.point.label,
                str(kind.label) if kind else device_return.device_type,
                device_return.asset_tag or "",
                str(conditions.get(device_return.condition, device_return.condition)),
                str(statuses.get(device_return.status, device_return.status)),
                # A whole date: spreadsheets read it as one (a bare month they did not).
                received.astimezone(local_zone()).date().isoformat() if received else "",
                queries.days_at_point(device_return, now),
                wipes[queries.device_wipe_category(device_return)],
                (wipe.current("certificate_number") or "") if wipe else "",
                float(queries.TYPICAL_WEIGHT_KG.get(device_return.device_type, 0.0)),
            ]
        )
    return spreadsheet_csv(rows, header, language)
