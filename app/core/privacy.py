"""Personal data registry: each domain says what it holds about a person,
how to export it and how to erase it, so export and erasure cover everything.

Export sections: profile, consents, audit_events, staff_records (core); actions, badges
(clean-up); returns and custody_steps, the steps an agent signed (recycling); messages
(messaging); requests (catalogue).

`staff_records` gathers the rows that name the person as the staff member who made or
decided them (a campaign or a template created, an entry reviewed, a request decided), which
each domain lists with `register_staff_records`: what they did, never who it was about.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import Response, current_app


@dataclass(frozen=True)
class PersonalData:
    section: str
    export: Callable[[object], object]  # (user) -> JSON-serialisable data
    # (user, now) -> None: remove or anonymise the person's rows, keeping every
    # team, commune and campaign total exactly as it was. Flushes, never commits.
    erase: Callable[[object, datetime], None]
    # (user) -> (object_type, a Select of the ids the audit log stores for the person's
    # objects and the moment each became theirs): the log's events about them since then
    # come in the person's export. None: no object of this section is audited.
    audited: Callable[[object], tuple[str, object]] | None = None


def register_personal_data(app, entry: PersonalData) -> None:
    app.extensions.setdefault("empreinte.personal_data", {})[entry.section] = entry


def personal_data_entries() -> list[PersonalData]:
    return list(current_app.extensions.get("empreinte.personal_data", {}).values())


# Sections every export has, in this order, even when no domain registered them:
# the document keeps the same shape whatever is installed.
EXPORT_SECTIONS = (
    "profile",
    "consents",
    "audit_events",
    "staff_records",
    "actions",
    "badges",
    "returns",
    "custody_steps",
    "messages",
    "requests",
)

# The sections the core writes itself, which no domain can replace.
CORE_SECTIONS = EXPORT_SECTIONS[:4]

# (user) -> JSON-serialisable rows naming the person as their creator, reviewer or decider.
StaffRecords = Callable[[object], list[dict]]


def register_staff_records(app, kind: str, export: StaffRecords) -> None:
    """Add `kind` to the export's `staff_records`: `export(user)` lists the domain's rows that
    carry the person's id as the staff member who created, reviewed or decided them (their
    id, what and when), and nothing about the people those rows concern, whose data they
    are (neither their names nor what they logged or asked for)."""
    app.extensions.setdefault("empreinte.staff_records", {})[kind] = export


def staff_record_exports() -> dict[str, StaffRecords]:
    return dict(current_app.extensions.get("empreinte.staff_records", {}))


# What a retention step did, for the operator: how many rows, by what it did to them
# ({"sign-in link(s) deleted": 3}). None: the step reports no count.
RetentionDone = Mapping[str, int] | None
RetentionHook = Callable[[datetime], RetentionDone]


def register_retention(app, func: RetentionHook) -> None:
    """Add a domain's retention step `func(now)`: anonymise or purge what is past its
    retention period (read ACTION_RETENTION_MONTHS / MESSAGE_BODY_RETENTION_DAYS from
    current_app.config), keeping aggregates, and return what it did (`RetentionDone`).
    Flushes, never commits; the `core.retention` job calls every hook, then commits once."""
    app.extensions.setdefault("empreinte.retention", []).append(func)


def retention_hooks() -> list[RetentionHook]:
    return list(current_app.extensions.get("empreinte.retention", []))


def retention_step_domain(hook: RetentionHook) -> str:
    """The part of the portal a retention step belongs to ("auth", "cleanup"…), from the
    module that defines it: what `flask privacy retention` names it by."""
    module = getattr(hook, "__module__", None) or "?"
    parts = module.split(".")
    return parts[1] if parts[0] == "app" and len(parts) > 1 else module


def export_file(document: dict, day, person_id: int | None = None) -> Response:
    """A person's data export as the JSON file downloaded: `empreinte-export-<day>.json`
    from their profile, with their number in its name when an administrator downloads it."""
    who = f"{person_id}-" if person_id is not None else ""
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="empreinte-export-{who}{day:%Y%m%d}.json"'
        },
    )
