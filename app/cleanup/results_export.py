"""A closed campaign's team results as a spreadsheet, in the organiser's language."""

from flask_babel import gettext as _

from app.core.csv_safety import spreadsheet_csv


def results_spreadsheet(results: dict, language: str) -> str:
    """Departments then communes, ranked, with the columns the results page shows: the
    team's name in the reader's language (the page's own wording, not the stored keys)."""
    header = [
        _("Level"),
        _("Code"),
        _("Name"),
        _("Rank"),
        _("Participants"),
        _("Points"),
        _("Points per participant"),
    ]
    levels = (("departments", _("Department")), ("communes", _("Commune")))
    name_key = "name_en" if language == "en" else "name_fr"
    rows = (
        [
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
