"""A closed campaign's results as exported: a spreadsheet in the organiser's language,
and open data."""

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext, pgettext

from app.cleanup.catalogue import (
    goal_label,
    goal_share,
    per_head,
    quantity_label,
    rounded,
    unit_label,
)
from app.cleanup.queries import rank_teams
from app.core.csv_safety import spreadsheet_csv
from app.core.i18n import format_moment, zone_label
from app.core.time import local_iso

# The snapshot's instants, written ISO 8601 with the Europe/Paris offset.
SNAPSHOT_INSTANTS = ("computed_at", "starts_at", "ends_at")


def results_spreadsheet(
    campaign, results: dict, language: str, minimum: int = 1, provisional_at=None
) -> str:
    """The results page's figures as a spreadsheet, in the reader's language (the page's
    own wording, not the stored keys): a « Campaign » row (participants, staff in scope,
    points), a « Goal » row per collective goal (achieved, target, share), an « Action »
    row per action type (quantity and unit, entries, points), the CO₂ estimate, a
    « Participation » row per band of points per person (people), then the departments
    and communes, ranked by total and per participant, each with its staff in scope.
    Each column holds numbers only, or nothing: why a
    team withheld (under `minimum` participants, or protecting one: see
    queries.rank_teams) has no figures is in the « Note » column. `provisional_at` (a
    running campaign's interim figures) is said in the « Campaign » row's note."""
    header = [
        _("Level"),
        _("Code"),
        _("Name"),
        _("Rank"),
        _("Participants"),
        _("Points"),
        _("Points per participant"),
        _("Rank per participant"),
        _("Staff in scope"),
        _("People"),
        _("Entries"),
        _("Quantity"),
        _("Unit"),
        _("Goal target"),
        _("Share of the goal (%)"),
        _("Note"),
    ]
    rows = [
        _campaign_row(campaign, results, language, provisional_at),
        *_goal_rows(results),
        *_action_rows(results, language),
        *_co2_rows(results),
        *_participation_rows(results),
        *_team_rows(results, language, minimum),
    ]
    return spreadsheet_csv(
        ([*row, *[""] * (len(header) - len(row))] for row in rows), header, language
    )


def _number(value):
    """A figure as a spreadsheet reads it: 3 rather than 3.0, 0.5 as it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _campaign_row(campaign, results: dict, language: str, provisional_at=None) -> list:
    participants, points = results["participants"], results["points"]
    note = ""
    if provisional_at is not None:
        note = _(
            "Provisional figures on %(date)s (%(zone)s): the campaign is still running; the "
            "final results are published when it ends.",
            date=format_moment(provisional_at),
            zone=zone_label(),
        )
    elif campaign.early_end_reason:
        note = _(
            "Ended early, on %(date)s (%(zone)s), by its organisers: %(reason)s",
            date=format_moment(campaign.ends_at),
            zone=zone_label(),
            reason=campaign.early_end_reason,
        )
    entries = sum(kind.get("actions", 0) for kind in results.get("by_type", []))
    return [
        _("Campaign"),
        "",
        campaign.name(language),
        "",
        participants,
        points,
        float(per_head(points, participants)),
        "",
        results.get("in_scope", ""),
        "",
        entries,
        "",
        "",
        "",
        "",
        note,
    ]


def _goal_rows(results: dict) -> list[list]:
    return [
        [
            _("Goal"),
            "",
            # What the goal counts, as the results page names it: « Objectif : Espace
            # libéré, 47 000 Go », not the bare target.
            _(
                "Goal: %(label)s, %(quantity)s",
                label=goal_label(goal["unit"]),
                quantity=quantity_label(goal["target"], goal["unit"], "#,##0.#"),
            ),
            *[""] * 8,
            _number(goal["achieved"]),
            unit_label(goal["unit"]),
            _number(goal["target"]),
            _number(
                rounded(Decimal(str(goal_share(goal["achieved"], goal["target"], 4))) * 100, 2)
            ),
        ]
        for goal in results.get("goals", [])
    ]


def _action_rows(results: dict, language: str) -> list[list]:
    name_key = "name_en" if language == "en" else "name_fr"
    return [
        [
            _("Action"),
            kind["key"],
            kind[name_key],
            "",
            "",
            kind["points"],
            "",
            "",
            "",
            "",
            kind["actions"],
            _number(kind["quantity"]),
            unit_label(kind["unit"]),
        ]
        for kind in results.get("by_type", [])
    ]


def _co2_rows(results: dict) -> list[list]:
    """The estimate's central value and its range, in kg CO₂e; none when no entry counted
    has a factor (the note says so, as the page does)."""
    co2 = results.get("co2_kg") or {}
    level = _("Estimated CO₂")
    if not co2.get("high"):
        note = _("No CO₂ estimate: no entry counted has a CO₂ factor.")
        return [[level, "", "", *[""] * 12, note]]
    names = (
        ("central", _("Central estimate")),
        ("low", _("Low end of the range")),
        ("high", _("High end of the range")),
    )
    return [
        [level, "", name, *[""] * 8, _number(co2.get(key) or 0.0), "kg CO₂e"] for key, name in names
    ]


def _why_withheld(team: dict, minimum: int) -> str:
    """Why a withheld team has no figures, in the results page's words."""
    if team.get("protecting"):
        # Withheld with the small ones, so that theirs cannot be worked out from the totals.
        return _("Figures not shown: they would let a smaller team's be worked out")
    return ngettext(
        "Fewer than %(num)s participant: figures not shown",
        "Fewer than %(num)s participants: figures not shown",
        minimum,
    )


def _team_rows(results: dict, language: str, minimum: int) -> list[list]:
    """Departments then communes, ranked; a team withheld without figures, its note
    saying why, as the results page does."""
    levels = (("departments", pgettext("cleanup", "Department")), ("communes", _("Commune")))
    name_key = "name_en" if language == "en" else "name_fr"
    per_head_ranks = {level: _per_head_ranks(results[level]) for level, _name in levels}
    return [
        [level_name, team["code"], team[name_key], *[""] * 12, _why_withheld(team, minimum)]
        if team.get("withheld")
        else [
            level_name,
            team["code"],
            team[name_key],
            team["rank"],
            team["participants"],
            team["points"],
            float(team["points_per_head"]),
            per_head_ranks[level].get(team["id"], ""),
            "" if team.get("staff") is None else team["staff"],
        ]
        for level, level_name in levels
        for team in results[level]
    ]


def _per_head_ranks(teams: list[dict]) -> dict:
    """Each shown team's rank by points per participant, as the results page ranks them
    (teams level on the figure share a rank)."""
    shown = [team for team in teams if not team.get("withheld")]
    return {team["id"]: team["rank"] for team in rank_teams(shown, "per_head")}


def _participation_rows(results: dict) -> list[list]:
    """The results page's « Participation »: how many people scored in each band of
    points, the first those in scope with no counted entry."""
    level = _("Participation")
    rows = []
    for band in results.get("distribution", []):
        if band["to"] == 0:
            name = _("no counted entry")
        elif band["to"]:
            name = f"{band['from']}–{band['to']}"
        else:
            name = f"{band['from']}+"
        rows.append([level, "", name, *[""] * 6, band["count"]])
    return rows


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
    # Why an organiser ended it early, as the spreadsheet's « Note » says (null when it
    # ran its course), with the language it was written in.
    document["early_end_reason"] = campaign.early_end_reason or None
    document["early_end_reason_lang"] = (
        campaign.early_end_reason_lang if campaign.early_end_reason else None
    )
    return document


def _paris_instant(value):
    """An ISO 8601 instant written with its Europe/Paris offset, to the second (an early
    end or a freeze came with microseconds); anything else as it is."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return local_iso(moment.replace(microsecond=0)) if moment.tzinfo is not None else value


def _with_real_ratio(goal: dict) -> dict:
    target, achieved = goal.get("target"), goal.get("achieved")
    if not target or achieved is None:
        return goal
    return {**goal, "ratio": goal_share(achieved, target, 4)}
