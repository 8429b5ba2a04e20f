"""The recycling statistics as a spreadsheet opens them, in the reader's language.

`statistics.csv` stays the open data (commas, decimal points, stable English columns,
no byte order mark): French Excel put each of its lines in one column and read
« Ambarès » as « AmbarÃ¨s ». This is the same table for a person, written by the shared
`spreadsheet_csv` (byte order mark; in French, semicolons and decimal commas)."""

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.core.csv_safety import spreadsheet_csv
from app.core.devices import DEVICE_TYPES
from app.core.time import local_zone
from app.recycling import queries
from app.recycling.forms import status_choices


def wipe_category_choices():
    """What became of a device's data as the statistics count it (`queries.WIPE_CATEGORIES`)."""
    return [
        ("done", _("Certified wipe done")),
        ("owner_attested", _("Owner's attestation only")),
        ("requested", _("Certified wipe requested, not done yet")),
        ("no_data", _("No data to wipe")),
    ]


def _year_and_month(month: str | None) -> list:
    """An ISO month (`2025-06`) as two numbers, year and month: French Excel turned
    « 2025-06 » into a date (« juin-25 »); two empty cells for no month."""
    if not month:
        return ["", ""]
    year, number = month.split("-")
    return [int(year), int(number)]


def statistics_spreadsheet(table: list[dict], points: dict, language: str) -> str:
    """The open-data rows (`queries.grouped_returns_and_points`) with headers, device
    types and statuses in the reader's language, each point named with its commune (two
    communes may each have a point of one name) after the commune's code and name; each
    month (of declaration, of receipt, of hand-over outside the administration) as a
    year and a month number, which no spreadsheet turns into a date. The devices received
    and those declared and not received yet have a column each, as the page counts them:
    the first adds up to the page's « Devices returned »."""
    header = [
        _("Year of declaration"),
        _("Month of declaration"),
        _("Year of receipt"),
        _("Month of receipt"),
        _("Year of hand-over outside the administration"),
        _("Month of hand-over outside the administration"),
        _("Commune INSEE code"),
        _("Commune"),
        _("Collection point"),
        _("Device type"),
        _("Status"),
        _("Data wiping"),
        _("Devices returned"),
        _("Declared, not received yet"),
        _("Estimated mass (kg)"),
        _("Footprint avoided (kg CO₂e)"),
    ]
    statuses = dict(status_choices())
    wipes = dict(wipe_category_choices())
    rows = (
        [
            *_year_and_month(row["month"]),
            *_year_and_month(row["received_month"]),
            *_year_and_month(row["handover_month"]),
            row["insee_code"],
            row["commune"],
            points[row["point_id"]].label,
            str(DEVICE_TYPES[row["device_type"]].label)
            if row["device_type"] in DEVICE_TYPES
            else row["device_type"],
            str(statuses.get(row["status"], row["status"])),
            wipes[row["wipe_status"]],
            0 if row["status"] == "declared" else row["devices"],
            row["devices"] if row["status"] == "declared" else 0,
            float(row["kg_ewaste"]),
            float(row["kgco2e_avoided"]),
        ]
        for row in table
    )
    return spreadsheet_csv(rows, header, language)


DEPARTMENT_FIELDS = (
    "department_code", "department_fr", "department_en", "withheld", "devices",
    "declared_not_received", "kg_ewaste", "kgco2e_avoided",
)  # fmt: skip


def department_records(point_ids: list[int] | None, year: int | None = None) -> list[dict]:
    """Returns by the owner's department (`queries.returns_by_department`), of the
    calendar `year` unless None, as open data:
    a department of fewer than LEADERBOARD_MIN_TEAM people, or protecting one, has
    `withheld` ("small" or "protecting") and no figures (null); the group without a
    department (erased accounts, people without one) has no code nor name."""
    from app.cleanup.queries import min_team

    records = []
    for row in queries.returns_by_department(point_ids, min_team(), year):
        department = row["department"]
        records.append(
            {
                "department_code": department.code if department else None,
                "department_fr": department.name_fr if department else None,
                "department_en": department.name_en if department else None,
                "withheld": row["withheld"],
                "devices": row.get("returned"),
                "declared_not_received": row.get("expected"),
                "kg_ewaste": row.get("kg_ewaste"),
                "kgco2e_avoided": row.get("kgco2e_avoided"),
            }
        )
    return records


def department_spreadsheet(records: list[dict], language: str) -> str:
    """The open data by department (`department_records`) as a spreadsheet opens it, in
    the reader's language: departments named in it, why figures are withheld in words,
    and, in French, semicolons and decimal commas (`spreadsheet_csv`)."""
    from app.cleanup.queries import min_team

    header = [
        _("Department code"),
        _("Department"),
        _("Figures not shown"),
        _("Devices returned"),
        _("Declared, not received yet"),
        _("Mass received (kg)"),
        _("Footprint avoided (kg CO₂e)"),
    ]
    # The page's words for the figures withheld.
    withheld = {
        "small": ngettext(
            "Devices of fewer than %(num)s person: figures not shown",
            "Devices of fewer than %(num)s people: figures not shown",
            min_team(),
        ),
        "protecting": _("Figures not shown: they would let a smaller department's be worked out"),
    }
    name = "department_en" if language == "en" else "department_fr"

    def figure(value):
        return "" if value is None else float(value)

    rows = (
        [
            record["department_code"] or "",
            record[name]
            if record["department_code"] is not None
            else _("No department (erased accounts, people without a department)"),
            str(withheld.get(record["withheld"], "")),
            "" if record["devices"] is None else record["devices"],
            "" if record["declared_not_received"] is None else record["declared_not_received"],
            figure(record["kg_ewaste"]),
            figure(record["kgco2e_avoided"]),
        ]
        for record in records
    )
    return spreadsheet_csv(rows, header, language)


def open_data_document(point_ids: list[int] | None, year: int | None = None) -> dict:
    """The open data with its metadata (licence, sources, field meanings), in English
    whoever reads it; `point_ids`: an agent's points (named in it), None for every point;
    `year`: the calendar year of declaration it is limited to (None: every year).
    Served by `statistics.json` and by the API (`/api/v1/recycling/statistics`)."""
    from app.catalogue.queries import reference_embodied_by_device_type
    from app.cleanup.queries import min_team

    with force_locale("en"):  # open data keeps one language whoever downloads it
        sources = {
            "kg_ewaste": str(queries.WEIGHT_SOURCE),
            "kgco2e_avoided": str(queries.EMBODIED_SOURCE),
        }
    return {
        "title": "Empreinte – device returns by month, collection point, type and status",
        "licence": "Licence Ouverte / Open Licence 2.0 (Etalab)",
        # What "month" counts: when the device was declared, as the portal's clocks say.
        "months": f"calendar months in which the devices were declared, in the portal's "
        f"local time ({local_zone().key}): a device declared on 1 June at 00:30 there "
        "counts in June",
        # Both kinds of declaration no device came of (`NEVER_HANDED_IN`).
        "left_out": "declarations withdrawn before an agent received the device, and "
        "declarations an agent closed because the device never arrived",
        "kg_ewaste": "typical mass of the devices an agent received; 0 for those "
        "declared and not received yet (status declared). The e-waste that left the "
        "administration is that of the statuses donated, refurbished and recycled",
        "received_month": "calendar month (local time, as months) in which an agent last "
        "received the devices; null for those declared and not received yet",
        "handover_month": "calendar month (local time) in which the devices were handed "
        "over outside the administration (donated, refurbished, recycled); null otherwise",
        "wipe_status": "done: certified wipe recorded by an agent; owner_attested: the "
        "owner said they wiped it, no certified wipe; requested: certified wipe asked for "
        "and not recorded yet; no_data: neither (a device holding no data)",
        # Every year, or the one asked for (`?year=`).
        "year": year if year is not None else "all",
        "kgco2e_avoided": "each device reused, donated or refurbished counts the "
        "manufacturing footprint of a new device of its type in force when its outcome was "
        "recorded, kept with it: a catalogue changed later does not move past figures; "
        "embodied_kgco2e gives today's, for the outcomes recorded from now",
        "commune": "name of the commune of the collection point (insee_code: its code)",
        "sources": sources,
        "typical_weight_kg": queries.TYPICAL_WEIGHT_KG,
        "embodied_kgco2e": reference_embodied_by_device_type(),
        # Whose figures: every point's, or only those of an agent's points.
        "collection_points": "all" if point_ids is None else queries.list_point_labels(point_ids),
        "records": queries.grouped_returns(point_ids, year),
        "departments_note": "devices by the department their owner is in now; a department "
        f"whose devices came from fewer than {min_team()} people, or needed to keep one's "
        "figures from being worked out from the totals, has withheld set and no figures",
        "departments": department_records(point_ids, year),
    }
