"""A closed campaign's results as exported: a spreadsheet in the organiser's language,
and open data."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import pgettext

from app.cleanup.catalogue import goal_share
from app.core.csv_safety import spreadsheet_csv
from app.core.time import local_iso

# The snapshot's instants, written ISO 8601 with the Europe/Paris offset.
SNAPSHOT_INSTANTS = ("computed_at", "starts_at", "ends_at")


def results_spreadsheet(results: dict, language: str, minimum: int = 1) -> str:
    """Departments then communes, ranked, with the columns the results page shows: the
    team's name in the reader's language (the page's own wording, not the stored keys).
    A team withheld (under `minimum` participants, or protecting one: see
    queries.rank_teams) is listed without a rank or figures, its participants cell
    saying why."""
    fewer = _("fewer than %(num)s", num=minimum)
    # Withheld with the small ones, so that theirs cannot be worked out from the totals.
    protecting = _("not published")
    header = [
        _("Level"),
        _("Code"),
        _("Name"),
        _("Rank"),
        _("Participants"),
        _("Points"),
        _("Points per participant"),
    ]
    levels = (("departments", pgettext("cleanup", "Department")), ("communes", _("Commune")))
    name_key = "name_en" if language == "en" else "name_fr"
    rows = (
        [
            level_name,
            team["code"],
            team[name_key],
            "",
            protecting if team.get("protecting") else fewer,
            "",
            "",
        ]
        if team.get("withheld")
        else [
            level_name,
            team["code"],
            team[name_key],
            team["rank"],
            team["participants"],
            team["points"],
            float(team["points_per_head"]),
        ]
        for level, level_name in levels
        for team in results[level]
    )
    return spreadsheet_csv(rows, header, language)


def open_data_document(campaign, results: dict) -> dict:
    """The frozen aggregates as open data, each goal with its real ratio (1.1667 for a
    goal beaten by a sixth): older snapshots hold a ratio capped at 1, so it is worked
    out again from what was achieved against the target."""
    document = {"name_fr": campaign.name_fr, "name_en": campaign.name_en, "licence": "etalab-2.0"}
    document.update(results)
    document["goals"] = [_with_real_ratio(goal) for goal in results.get("goals", [])]
    # Older snapshots wrote an instant in the zone it came in: +01:00 for the seeded
    # campaigns, UTC for those created with the form. One convention for all: Paris.
    for key in SNAPSHOT_INSTANTS:
        if key in document:
            document[key] = _paris_instant(document[key])
    return document


def _paris_instant(value):
    """An ISO 8601 instant written with its Europe/Paris offset; anything else as it is."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return local_iso(moment) if moment.tzinfo is not None else value


def _with_real_ratio(goal: dict) -> dict:
    target, achieved = goal.get("target"), goal.get("achieved")
    if not target or achieved is None:
        return goal
    return {**goal, "ratio": goal_share(achieved, target, 4)}
