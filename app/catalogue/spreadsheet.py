"""The catalogue export as a person reads it in a spreadsheet, and back.

`export.csv` stays the open data, its columns and values the stable machine names
(`code`, `kind`, `equipment`, `false`). The spreadsheet flavour names its columns and
writes its kinds, categories, statuses and yes/no in the reader's language, as the
recycling statistics spreadsheet does; the import reads those names and words back, in
either language, so that the file an admin edits imports as it was exported."""

import csv
import io
from contextlib import nullcontext
from typing import NamedTuple

from flask_babel import force_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.catalogue import footprint
from app.catalogue.audit import STATUS_LABELS
from app.core.csv_import import listed, unaccented

LANGUAGES = ("fr", "en")

# Each column's heading in the spreadsheet, in the export's order (`csv_io.COLUMNS` and
# `EXPORT_ONLY`).
HEADINGS = {
    "code": _l("Code"),
    "kind": _l("Kind"),
    "category": _l("Category"),
    "name_fr": _l("Name in French"),
    "name_en": _l("Name in English"),
    "description_fr": _l("Description in French"),
    "description_en": _l("Description in English"),
    "status": _l("Status"),
    "embodied_kgco2e": _l("Manufacturing footprint (kg CO₂e)"),
    "embodied_min_kgco2e": _l("Manufacturing footprint, low estimate (kg CO₂e)"),
    "embodied_max_kgco2e": _l("Manufacturing footprint, high estimate (kg CO₂e)"),
    "use_kwh_per_year": _l("Electricity (kWh a year)"),
    "use_kwh_min": _l("Electricity, low estimate (kWh a year)"),
    "use_kwh_max": _l("Electricity, high estimate (kWh a year)"),
    # The form's label too: a service's typed figure, a device's worked out.
    "use_kgco2e_per_year": _l("Use per year (kg CO₂e, per user for a service)"),
    "lifetime_years": _l("Lifetime (years)"),
    "source": _l("Source"),
    "source_url": _l("Source address"),
    "estimate": _l("Estimate"),
    "user_count": _l("Users"),
    "alternatives": _l("Lighter alternatives (codes)"),
    "grid_factor": _l("Grid emission factor (kg CO₂e per kWh)"),
    "annual_kgco2e": _l("Yearly footprint (kg CO₂e)"),
    "grade": _l("Label"),
}
KIND_WORDS = {"equipment": lazy_pgettext("item kind", "Equipment"), "service": _l("Service")}
# What spreadsheets exported before wrote, read back still: an admin's file imports as it
# was exported, whenever that was.
FORMER_HEADINGS = {
    "manufacture (kg co₂e)": "embodied_kgco2e",
    "manufacture, low estimate (kg co₂e)": "embodied_min_kgco2e",
    "manufacture, high estimate (kg co₂e)": "embodied_max_kgco2e",
    # Until December 2026, in English and French.
    "use (kg co₂e a year)": "use_kgco2e_per_year",
    "utilisation (kg co₂e par an)": "use_kgco2e_per_year",
}
# The French export's electricity columns, named « Électricité » until December 2026.
FORMER_FRENCH_HEADINGS = {
    "électricité (kwh par an)": "use_kwh_per_year",
    "électricité, estimation basse (kwh par an)": "use_kwh_min",
    "électricité, estimation haute (kwh par an)": "use_kwh_max",
}
FORMER_WORDS = {"kind": {"piece of equipment": "equipment"}}


def _value_words() -> dict[str, dict[str, str]]:
    """The words a translated column writes for each stored value, by column."""
    return {
        "kind": {key: str(word) for key, word in KIND_WORDS.items()},
        "category": {key: footprint.category_label(key) for key in footprint.THRESHOLDS},
        "status": {key: str(word) for key, word in STATUS_LABELS.items()},
        "estimate": {"true": _("yes"), "false": _("no")},
    }


def spreadsheet_table(columns, rows, language: str):
    """The headings and rows of the export in `language`: its columns named and its
    kinds, categories, statuses and yes/no written in words."""
    with force_locale(language):
        words = _value_words()
        headings = [str(HEADINGS[column]) for column in columns]
        translated = [
            [
                words.get(column, {}).get(cell, cell)
                for column, cell in zip(columns, row, strict=True)
            ]
            for row in rows
        ]
    return headings, translated


class _Readings(NamedTuple):
    headings: dict[str, str]  # heading, capitals and accents aside -> column
    words: dict[str, dict[str, str]]  # column -> word, folded -> value
    # column -> word, capitals and accents aside -> {value: the word as written}
    unaccented: dict[str, dict[str, dict[str, str]]]


def _readings() -> _Readings:
    """Each heading and word of every language, folded, with its machine name. Headings
    are read capitals and accents aside, as words are: « Categorie » is « Catégorie »."""
    headings = {
        unaccented(heading): column
        for heading, column in (FORMER_HEADINGS | FORMER_FRENCH_HEADINGS).items()
    }
    words: dict[str, dict[str, str]] = {}
    loose: dict[str, dict[str, dict[str, str]]] = {}

    def add(column: str, word: str, key: str) -> None:
        words.setdefault(column, {})[word.casefold()] = key
        loose.setdefault(column, {}).setdefault(unaccented(word), {}).setdefault(key, word)

    for column, former in FORMER_WORDS.items():
        for word, key in former.items():
            add(column, word, key)
    for language in LANGUAGES:
        with force_locale(language):
            for column, heading in HEADINGS.items():
                headings[unaccented(str(heading))] = column
            for column, column_words in _value_words().items():
                for key, word in column_words.items():
                    add(column, word, key)
    return _Readings(headings, words, loose)


def _value_read(readings: _Readings, column: str, cell: str) -> str:
    """The value a cell's word names: as written (capitals aside), or else accents aside
    when that names one value only; the cell as it is otherwise, for the import to refuse
    (`words_alike` says why when accents aside it names several)."""
    exact = readings.words.get(column, {}).get(cell.strip().casefold())
    if exact is not None:
        return exact
    alike = readings.unaccented.get(column, {}).get(unaccented(cell), {})
    return next(iter(alike)) if len(alike) == 1 else cell


def words_alike(column: str, cell: str) -> list[str]:
    """The words of `column` a cell may mean with its accents left aside, when they name
    several values (« Ecran » for two categories « Écran » and « Ecrán »): [] otherwise."""
    alike = _readings().unaccented.get(column, {}).get(unaccented(cell), {})
    return list(alike.values()) if len(alike) > 1 else []


def from_spreadsheet(text: str) -> str:
    """CSV text (separated by commas) whose headings, and whose words in the kind,
    category, status and estimate columns, are read back to the machine names the import
    expects (a word capitals and accents aside: `_value_read`); a file in machine names
    comes back as it was. Lines stay where they were, so the import's line numbers are
    the file's."""
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return text  # the line reader reports it
    if not lines:
        return text
    readings = _readings()
    header = [readings.headings.get(unaccented(name), name) for name in lines[0]]
    if header == lines[0]:
        return text
    columns = [name.strip().lower() for name in header]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for line in lines[1:]:
        writer.writerow(
            [
                _value_read(readings, column, cell) if column in readings.words else cell
                for column, cell in zip(columns, line, strict=False)
            ]
            + line[len(columns) :]
        )
    return buffer.getvalue()


def header_cells(text: str) -> list[str]:
    """The header line's cells of CSV text separated by commas ([] when unreadable)."""
    try:
        return next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return []


def _heading_language(header: list[str]) -> str | None:
    """The language of the spreadsheet export whose headings the file has ("fr", "en"), or
    None for the open-data names (`code`, `kind`…). A heading alike in several forms
    (« Code », « Source ») tells nothing."""
    forms: dict[str | None, set[str]] = {None: set(HEADINGS)}
    for language in LANGUAGES:
        with force_locale(language):
            forms[language] = {unaccented(str(heading)) for heading in HEADINGS.values()}
    forms["en"] |= {unaccented(heading) for heading in FORMER_HEADINGS}
    forms["fr"] |= {unaccented(heading) for heading in FORMER_FRENCH_HEADINGS}
    scores = dict.fromkeys(forms, 0)
    for cell in header:
        name = unaccented(cell)
        holding = [form for form, names in forms.items() if name in names]
        if len(holding) == 1:
            scores[holding[0]] += 1
    return max(scores, key=lambda form: (scores[form], form is None))


class FileColumns:
    """How an imported file heads its columns, for its errors to name them as it does:
    « Statut » in the French spreadsheet, "Status" in the English one, `status` in the
    open data. A column the file lacks is named as the rest of its headings are."""

    def __init__(self, header: list[str], read: list[str]):
        self.language = _heading_language(header)
        self.written = {
            machine.strip().lower(): cell.strip()
            for cell, machine in zip(header, read, strict=False)
            if cell.strip()
        }

    def name(self, column: str) -> str:
        """`column` (a machine name) as the file heads it."""
        if column in self.written:
            return self.written[column]
        if column not in HEADINGS or self.language is None:
            return column
        with force_locale(self.language):
            return str(HEADINGS[column])

    def word(self, column: str, key: str) -> str:
        """`key`'s word in `column` as the file writes it (its code in the open data)."""
        if self.language is None:
            return key
        with force_locale(self.language):
            return _value_words()[column][key]

    def choices(self, column: str, keys) -> str:
        """The values `column` takes among `keys`, as the file may write them: « Ordinateur
        portable (laptop) » in a spreadsheet (its words or the codes are read), the codes
        with their names in brackets in the open data (its codes alone are read)."""
        # A file in open-data names is answered in the admin's own language.
        with force_locale(self.language) if self.language else nullcontext():
            words = _value_words()[column]
            # Semicolons between them: a category's name may hold commas (« Accessoire
            # (clavier, souris, casque…) »).
            if self.language is None:
                return listed(f"{key} ({words[key]})" for key in keys)
            return listed(f"{words[key]} ({key})" for key in keys)


def heading(column: str) -> str:
    """`column`'s heading in the spreadsheet export, in the reader's language."""
    return str(HEADINGS[column])


def expected_headings(columns) -> str:
    """The spreadsheet headings of `columns` in the reader's language, « Code ; Type »:
    separated by semicolons, a heading holding a comma (« Fabrication, estimation basse »)."""
    return listed(heading(column) for column in columns)
