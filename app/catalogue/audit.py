"""What an item's edit changed, before -> after, as the audit log stores and words it.

The stored form is fixed and machine-readable ("LAPTOP-14: embodied_kgco2e 255.5 -> 181;
grade C -> B; source "ADEME v1" -> "Boavizta v2""); the audit log reads it back in the
reader's language, and the CSV export keeps it as stored. It opens with the item's code:
an admin looking for an item's events searches by the code they know, not by its id.
A renamed item's names are stored before -> after as its source is
(`name_fr "Souris" -> "Souris filaire"`), a changed description only as changed
(`description_en changed`).

A department's budget is stored as "2026: 10 -> 12.5; department SPORTS {"fr": …, "en": …}"
(`budget_summary`): the year, the budget before and after, and the department's code and
names, which the log's search finds and the CSV keeps; `budget_changes` words it."""

import json
import re
from decimal import Decimal

from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, cast, func, or_, select

from app.catalogue.footprint import category_label
from app.catalogue.models import CatalogueBudget
from app.core.i18n import format_number
from app.core.models import Department

NUMBER_FIELDS = (
    "embodied_kgco2e",
    "use_kwh_per_year",
    "use_kgco2e_per_year",
    "lifetime_years",
    # Ranges and users: an import may change them alone (a range cleared, a count fixed).
    "embodied_min_kgco2e",
    "embodied_max_kgco2e",
    "use_kwh_min",
    "use_kwh_max",
    "user_count",
)
WORD_FIELDS = ("code", "grade", "status", "category", "estimate")  # keys without spaces
# Free text, stored as a JSON string: the names first (a renamed item is found by its
# old name too), cut to `_TEXT_CHARS`.
TEXT_FIELDS = ("name_fr", "name_en", "source")
# Long text, whose change alone is recorded ("description_fr changed"): a summary holds
# 500 characters, and the item's page shows the description as it is.
CHANGED_FIELDS = ("description_fr", "description_en")
TRACKED_FIELDS = TEXT_FIELDS[:2] + NUMBER_FIELDS + WORD_FIELDS + TEXT_FIELDS[2:] + CHANGED_FIELDS
_TEXT_CHARS = 100  # two sources and the figures fit the 500 characters of a summary
# When everything changed at once: each text cut shorter rather than the summary cut,
# which the log could no longer read back.
_SHORT_TEXT_CHARS = 30
_SUMMARY_CHARS = 500
_NONE = "-"
_CHANGED = "changed"

STATUS_LABELS = {"available": _l("Available"), "discontinued": _l("Discontinued")}

_NUMBER = r"-|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_WORD = r"[\w.-]+"  # a code holds letters, digits, dot, dash and underscore
_CODE = re.compile(rf"(?P<code>{_WORD}): ")
_TEXT = r'"(?:[^"\\]|\\.)*"'
_PART = re.compile(
    rf"(?P<number>{'|'.join(NUMBER_FIELDS)}) (?P<n1>{_NUMBER}) -> (?P<n2>{_NUMBER})"
    rf"|(?P<word>{'|'.join(WORD_FIELDS)}) (?P<w1>{_WORD}) -> (?P<w2>{_WORD})"
    rf"|(?P<text>{'|'.join(TEXT_FIELDS)}) (?P<t1>{_TEXT}) -> (?P<t2>{_TEXT})"
    rf"|(?P<changed>{'|'.join(CHANGED_FIELDS)}) {_CHANGED}"
)
_SEPARATOR = "; "


def _stored(field: str, value, text_chars: int = _TEXT_CHARS) -> str:
    if field in TEXT_FIELDS:
        text = value or ""
        if len(text) > text_chars:
            text = text[: text_chars - 1] + "…"
        return json.dumps(text, ensure_ascii=False)
    if field == "estimate":
        return "yes" if value else "no"
    if value is None or value == "":
        return _NONE
    if field in NUMBER_FIELDS:
        return f"{float(value):g}" if abs(float(value)) < 1e15 else repr(float(value))
    return str(value)


def _differs(field: str, before, after) -> bool:
    if field == "estimate":
        return bool(before) != bool(after)
    if field in NUMBER_FIELDS and before is not None and after is not None:
        return abs(float(before) - float(after)) > 1e-9
    return (before or None) != (after or None)


def _change(field: str, before, after, text_chars: int) -> str:
    if field in CHANGED_FIELDS:
        return f"{field} {_CHANGED}"
    return f"{field} {_stored(field, before, text_chars)} -> {_stored(field, after, text_chars)}"


def changes_summary(before: dict, after: dict) -> str:
    """The item's code, then the tracked fields that changed, "field before -> after" joined
    by "; " ("CODE: …"; the code alone when no tracked field changed); a description, only
    that it changed ("description_fr changed")."""
    changed = [f for f in TRACKED_FIELDS if _differs(f, before.get(f), after.get(f))]
    code = after.get("code") or before.get("code")
    for text_chars in (_TEXT_CHARS, _SHORT_TEXT_CHARS):
        changes = _SEPARATOR.join(
            _change(field, before.get(field), after.get(field), text_chars) for field in changed
        )
        summary = (f"{code}: {changes}" if changes else code) if code else changes
        if len(summary) <= _SUMMARY_CHARS:
            break
    return summary[:_SUMMARY_CHARS]


def _number(stored: str) -> str:
    return "–" if stored == _NONE else format_number(float(stored))


def _word(stored: str) -> str:
    """A code or label as stored, none written « – » as every other empty value."""
    return "–" if stored == _NONE else stored


def _status(stored: str) -> str:
    return "–" if stored == _NONE else str(STATUS_LABELS.get(stored, stored))


def _category(stored: str) -> str:
    return "–" if stored == _NONE else str(category_label(stored))


def _yes_no(stored: str) -> str:
    return gettext("Yes") if stored == "yes" else gettext("No")


def _years_count(stored: str) -> int:
    value = 0.0 if stored == _NONE else float(stored)
    return int(value) if value == int(value) else 2


# Each figure's change in the reader's language (lifetime, a plural, is worded apart).
NUMBER_WORDING = {
    "embodied_kgco2e": _l("Manufacturing footprint: %(before)s → %(after)s\u00a0kg\u00a0CO₂e"),
    "use_kwh_per_year": _l("Use: %(before)s → %(after)s\u00a0kWh a year"),
    "use_kgco2e_per_year": _l("Use: %(before)s → %(after)s\u00a0kg\u00a0CO₂e a year"),
    "embodied_min_kgco2e": _l(
        "Manufacturing footprint, low estimate: %(before)s → %(after)s\u00a0kg\u00a0CO₂e"
    ),
    "embodied_max_kgco2e": _l(
        "Manufacturing footprint, high estimate: %(before)s → %(after)s\u00a0kg\u00a0CO₂e"
    ),
    "use_kwh_min": _l("Use, low estimate: %(before)s → %(after)s\u00a0kWh a year"),
    "use_kwh_max": _l("Use, high estimate: %(before)s → %(after)s\u00a0kWh a year"),
    "user_count": _l("Users: %(before)s → %(after)s"),
}


TEXT_WORDING = {
    "name_fr": _l("Name in French: “%(before)s” → “%(after)s”"),
    "name_en": _l("Name in English: “%(before)s” → “%(after)s”"),
    "source": _l("Source: “%(before)s” → “%(after)s”"),
}
DESCRIPTION_WORDING = {
    "description_fr": _l("Description in French changed"),
    "description_en": _l("Description in English changed"),
}


def _worded(part: re.Match) -> str:
    if part["number"]:
        field, before, after = part["number"], _number(part["n1"]), _number(part["n2"])
        if field in NUMBER_WORDING:
            return str(NUMBER_WORDING[field]) % {"before": before, "after": after}
        return ngettext(
            "Lifetime: %(before)s → %(after)s\u00a0year",
            "Lifetime: %(before)s → %(after)s\u00a0years",
            _years_count(part["n2"]),
            before=before,
            after=after,
        )
    if part["word"] == "code":
        return gettext(
            "Code: %(before)s → %(after)s", before=_word(part["w1"]), after=_word(part["w2"])
        )
    if part["word"] == "grade":
        return gettext(
            "Label: %(before)s → %(after)s", before=_word(part["w1"]), after=_word(part["w2"])
        )
    if part["word"] == "category":
        return gettext(
            "Category: %(before)s → %(after)s",
            before=_category(part["w1"]),
            after=_category(part["w2"]),
        )
    if part["word"] == "estimate":
        return gettext(
            "Estimated figures: %(before)s → %(after)s",
            before=_yes_no(part["w1"]),
            after=_yes_no(part["w2"]),
        )
    if part["word"] == "status":
        return gettext(
            "Status: %(before)s → %(after)s", before=_status(part["w1"]), after=_status(part["w2"])
        )
    if part["changed"]:
        return str(DESCRIPTION_WORDING[part["changed"]])
    texts = {"before": json.loads(part["t1"]), "after": json.loads(part["t2"])}
    return str(TEXT_WORDING[part["text"]]) % texts


def _read(summary: str) -> tuple[re.Match | None, list[re.Match]] | None:
    """A stored summary's code and its parts, one per field, or None when it is not an
    item's edit or creation."""
    code = _CODE.match(summary)
    position = code.end() if code else 0
    parts = []
    while position < len(summary):
        # Matched one after the other, not split on "; ": a source may hold one.
        part = _PART.match(summary, position)
        if part is None:
            return None
        parts.append(part)
        position = part.end()
        if position < len(summary):
            if not summary.startswith(_SEPARATOR, position):
                return None
            position += len(_SEPARATOR)
    if not parts:
        return None
    return code, parts


def audit_changes(summary: str) -> str | None:
    """An item edit's code and changes in the reader's language, or None for any other
    summary (events stored before the code was recorded have no code)."""
    read = _read(summary)
    if read is None:
        return None
    code, parts = read
    return " · ".join([*([code["code"]] if code else []), *(_worded(part) for part in parts)])


# Each field as a creation names it, with its unit: a creation lists the values an item
# starts with, with no "from" side (« Statut : – → Disponible » said nothing), and its two
# uses, in kWh and in kg CO₂e, are told apart.
STARTING_NAMES = {
    "name_fr": _l("Name in French"),
    "name_en": _l("Name in English"),
    "embodied_kgco2e": _l("Manufacturing footprint (kg CO₂e)"),
    "use_kwh_per_year": _l("Use (kWh a year)"),
    "use_kgco2e_per_year": _l("Use (kg CO₂e a year)"),
    "lifetime_years": _l("Lifetime (years)"),
    "embodied_min_kgco2e": _l("Manufacturing footprint, low estimate (kg CO₂e)"),
    "embodied_max_kgco2e": _l("Manufacturing footprint, high estimate (kg CO₂e)"),
    "use_kwh_min": _l("Use, low estimate (kWh a year)"),
    "use_kwh_max": _l("Use, high estimate (kWh a year)"),
    "user_count": _l("Users"),
    "code": _l("Code"),
    "grade": _l("Label"),
    "status": _l("Status"),
    "category": _l("Category"),
    "estimate": _l("Estimated figures"),
    "source": _l("Source"),
    "description_fr": _l("Description in French"),
    "description_en": _l("Description in English"),
}


def _starting_value(part: re.Match) -> str | None:
    """A field's starting value in the reader's language; None for a field left empty."""
    if part["number"]:
        return None if part["n2"] == _NONE else _number(part["n2"])
    if part["word"]:
        stored = part["w2"]
        if part["word"] == "estimate":
            return _yes_no(stored)
        if stored == _NONE:
            return None
        if part["word"] == "status":
            return _status(stored)
        if part["word"] == "category":
            return _category(stored)
        return stored
    if part["changed"]:
        return gettext("written")
    return json.loads(part["t2"]) or None


def audit_creation(summary: str) -> str | None:
    """A new item's code and the values it starts with in the reader's language, each
    named with its unit (« EQ-9 · Nom en français : Souris · Utilisation (kWh par an) :
    12 »), empty ones left out; None for any other summary."""
    read = _read(summary)
    if read is None:
        return None
    code, parts = read
    values = [
        (part["number"] or part["word"] or part["text"] or part["changed"], _starting_value(part))
        for part in parts
    ]
    worded = [
        gettext("%(column)s: %(value)s", column=STARTING_NAMES[field], value=value)
        for field, value in values
        if value is not None
    ]
    return " · ".join([*([code["code"]] if code else []), *worded])


# Alternatives -----------------------------------------------------------------

# "EQ-LAP-02: EQ-ACC-01,EQ-ACC-NEW", or "EQ-LAP-02: -" for none (`set_alternatives`).
_ALTERNATIVES = re.compile(rf"(?P<code>{_WORD}): (?P<codes>-|{_WORD}(?:,{_WORD})*)")


def alternatives_set(summary: str) -> str | None:
    """An item's alternatives as the log shows its other edits: « EQ-LAP-02 : EQ-ACC-01,
    EQ-ACC-NEW » in French (the stored "EQ-LAP-02: EQ-ACC-01,EQ-ACC-NEW" showed as is); None
    for any other summary."""
    match = _ALTERNATIVES.fullmatch(summary)
    if match is None:
        return None
    if match["codes"] == _NONE:
        return gettext("%(code)s: none", code=match["code"])
    codes = ", ".join(match["codes"].split(","))
    return gettext("%(code)s: %(codes)s", code=match["code"], codes=codes)


# Budgets ----------------------------------------------------------------------

_NAME_CHARS = 100  # both names, the code and the figures fit the 500 characters
_BUDGET = re.compile(
    rf"(?P<year>\d{{4}}): (?P<before>{_NUMBER}) -> (?P<after>{_NUMBER})"
    r"; department (?P<code>\S+) (?P<names>\{.*\})"
)
# The budgets page writes a budget to a tenth at most (`kg_as_entered`), and so does
# the log, unless the tenth hides the change itself (12.31 -> 12.34).
_TENTH, _AS_STORED = "#,##0.#", "#,##0.#########"


def _amount(value: float | None) -> str:
    """A budget as stored: its decimals and no more ("1500", "12.3456789"), "-" for none."""
    if value is None:
        return _NONE
    return f"{Decimal(repr(float(value))).normalize():f}"


def budget_summary(department: Department, year: int, before: float | None, after: float) -> str:
    """What a budget's change stores: the year, the budget before ("-": none) and after,
    the department's code and both its names (JSON)."""
    names = {"fr": department.name_fr[:_NAME_CHARS], "en": department.name_en[:_NAME_CHARS]}
    return (
        f"{year}: {_amount(before)} -> {_amount(after)}; "
        f"department {department.code} {json.dumps(names, ensure_ascii=False)}"
    )


def budget_changes(summary: str) -> str | None:
    """A budget's change in the reader's language: "Sports department, 2026: 10 → 12.3 kg
    CO₂e"; None for any other summary (before the department was recorded: "2026: 12.5")."""
    match = _BUDGET.fullmatch(summary)
    if match is None:
        return None
    try:
        names = json.loads(match["names"])
    except ValueError:
        return None
    language = get_locale().language if get_locale() else "fr"
    name = names.get(language) or names.get("fr") or match["code"]
    before, after = match["before"], match["after"]
    tenths = {format_number(Decimal(v), _TENTH) for v in (before, after) if v != _NONE}
    hidden = _NONE not in (before, after) and before != after and len(tenths) == 1
    pattern = _AS_STORED if hidden else _TENTH

    def amount(stored: str) -> str:
        return "–" if stored == _NONE else format_number(Decimal(stored), pattern)

    return gettext(
        "%(department)s, %(year)s: %(before)s → %(after)s\u00a0kg\u00a0CO₂e",
        department=name,
        year=match["year"],
        before=amount(before),
        after=amount(after),
    )


def budgets_of_departments_named(fragment: str) -> Select:
    """The budgets (ids as events store them) of the departments whose code or name holds
    `fragment` (lower case): the log finds a budget's events by its direction, those
    stored before the names were too."""
    holds = [
        func.lower(column).contains(fragment, autoescape=True)
        for column in (Department.code, Department.name_fr, Department.name_en)
    ]
    return (
        select(cast(CatalogueBudget.id, String))
        .join(Department, Department.id == CatalogueBudget.department_id)
        .where(or_(*holds))
    )
