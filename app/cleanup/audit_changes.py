"""What an organiser changed in an action type or a campaign, for the audit log.

The services store the changed settings in a fixed form, "daily_cap 20 -> 25;
kg_co2e_per_unit 0.35 -> 0.4" (the CSV export keeps it); `audit_changes` words it in the
reader's language: "Daily limit: 20 → 25 · CO₂ factor: 0.35 → 0.4 kg CO₂e". Names are
stored JSON-quoted (`name_en "Clean-up" -> "Spring clean-up"`), a campaign's scope as
department ids (`scope all -> 3,7`). An event about a campaign or a type as a whole
(created, published, closed, deleted, reworded) stores both its names,
`names {"fr": "Grand ménage", "en": "Big clean-up"}`: the CSV keeps both, so either finds
it, and the log shows the reader's (`audit_names`).
"""

import json
import re
from datetime import UTC, datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.cleanup.catalogue import quantity_label, unit_label
from app.cleanup.countdown import shown_end
from app.cleanup.models import CleanupActionType
from app.core.i18n import format_moment, format_number
from app.core.models import departments_by_name
from app.extensions import db

# The settings an action type's audit event follows, and their labels.
ACTION_TYPE_SETTINGS = {
    "points_per_unit": _l("Points per unit"),
    "daily_cap": _l("Daily limit"),
    "flag_above": _l("Review threshold"),
    "max_quantity": _l("Largest entry accepted"),
    "kg_co2e_per_unit": _l("CO₂ factor"),
    "kg_co2e_low": _l("CO₂ factor, low estimate"),
    "kg_co2e_high": _l("CO₂ factor, high estimate"),
}
_CO2 = {"kg_co2e_per_unit", "kg_co2e_low", "kg_co2e_high"}
_MOMENTS = {"starts_at": _l("Campaign start"), "ends_at": _l("Campaign end")}
_NAMES = {"name_fr": _l("Name (French)"), "name_en": _l("Name (English)")}
_EVERYONE = "all"  # a campaign's scope when every department takes part
_GOALS = ("GB", "items", "devices", "participants", "points")
_NONE = "-"  # as the catalogue writes a missing value
SUMMARY_LENGTH = 500  # AuditEvent.summary
# A value: a JSON-quoted text (a name, which may hold spaces and "; "), or a word up to "; ".
_VALUE = r'"(?:[^"\\]|\\.)*"|[^\s;]+'
_PART = re.compile(rf"([a-z0-9_]+)(?:\[([\w-]+)\])? ({_VALUE}) -> ({_VALUE})")


def _stored(value) -> str:
    """A value in the stored form: ISO moments, numbers without a useless ".0", texts
    JSON-quoted, a scope as its sorted department ids."""
    if value is None:
        return _NONE
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, frozenset):
        return ",".join(str(i) for i in sorted(value)) if value else _EVERYONE
    if isinstance(value, datetime):  # one instant is one text, whatever its zone
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def describe_changes(changes: list[tuple[str, object, object]]) -> str:
    """The stored form of (setting, before, after) triples, leaving out those unchanged;
    "" when nothing changed. Whole settings only, within an event's 500 characters
    (a cut one could not be read back): the dates and goals come first."""
    parts = [
        f"{name} {_stored(before)} -> {_stored(after)}"
        for name, before, after in changes
        if _stored(before) != _stored(after)
    ]
    kept = []
    for part in parts:
        if len("; ".join([*kept, part])) > SUMMARY_LENGTH:
            break
        kept.append(part)
    return "; ".join(kept)


def action_type_changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    return [(name, before.get(name), after.get(name)) for name in ACTION_TYPE_SETTINGS]


def campaign_settings(campaign) -> dict:
    """A campaign's dates, goals, scope, names and per-type points and caps, keyed as
    stored (the first ones first: the summary keeps what fits)."""
    settings = {"starts_at": campaign.starts_at, "ends_at": campaign.ends_at}
    for goal in campaign.goals:
        settings[f"goal[{goal.unit}]"] = goal.target
    settings["scope"] = frozenset(() if campaign.all_departments else campaign.department_ids)
    settings["name_fr"], settings["name_en"] = campaign.name_fr, campaign.name_en
    for rule in campaign.action_rules:
        key = rule.action_type.key if rule.action_type else str(rule.action_type_id)
        settings[f"points_per_unit[{key}]"] = rule.points_per_unit
        settings[f"daily_cap[{key}]"] = rule.daily_cap
    return settings


def campaign_changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    names = list(before) + [name for name in after if name not in before]
    return [(name, before.get(name), after.get(name)) for name in names]


def _number(text: str) -> str:
    if text == _NONE:
        return "–"
    value = float(text)
    return format_number(int(value) if value.is_integer() else value)


def _moment(text: str, end: bool = False) -> str:
    """A start or an end kept in an audit detail, as the campaign page writes it."""
    if text == _NONE:
        return "–"
    moment = datetime.fromisoformat(text)
    return format_moment(shown_end(moment) if end else moment)


def _name(text: str) -> str:
    return _("“%(name)s”", name=json.loads(text))


def _scope(text: str) -> str:
    """A stored scope (every department, or their ids) in the reader's words."""
    if text == _EVERYONE:
        return _("Everyone")
    wanted = {int(id_) for id_ in text.split(",")}
    names = dict(departments_by_name(str(get_locale() or "fr")[:2]))
    # Alphabetically; a department removed since is named by its id.
    return ", ".join(
        [name for id_, name in names.items() if id_ in wanted]
        + sorted(str(id_) for id_ in wanted - names.keys())
    )


def _type_name(key: str) -> str:
    action_type = db.session.scalar(select(CleanupActionType).filter_by(key=key))
    if action_type is None:  # removed since: its key says which it was
        return key
    return action_type.name(str(get_locale() or "fr")[:2])


def _worded(match) -> str | None:
    name, qualifier, before, after = match.groups()
    if name in _MOMENTS and qualifier is None:
        end = name == "ends_at"
        label, before, after = _MOMENTS[name], _moment(before, end), _moment(after, end)
    elif name in _NAMES and qualifier is None:
        label, before, after = _NAMES[name], _name(before), _name(after)
    elif name == "scope" and qualifier is None:
        label, before, after = _("Who takes part"), _scope(before), _scope(after)
    elif name == "goal" and qualifier in _GOALS:
        label = _("Goal (%(unit)s)", unit=unit_label(qualifier))
        before, after = _number(before), _number(after)
    elif name in ("points_per_unit", "daily_cap") and qualifier is not None:
        label = _(
            "%(setting)s, %(type)s", setting=ACTION_TYPE_SETTINGS[name], type=_type_name(qualifier)
        )
        before, after = _number(before), _number(after)
    elif name in ACTION_TYPE_SETTINGS and qualifier is None:
        label, before, after = ACTION_TYPE_SETTINGS[name], _number(before), _number(after)
        if name in _CO2:
            after = f"{after}\u00a0kg\u00a0CO₂e"
    else:
        return None
    return _("%(setting)s: %(before)s → %(after)s", setting=label, before=before, after=after)


def audit_changes(summary: str) -> str | None:
    """An "update" event's changed settings in the reader's words; None for details that
    are not in this form (a name, another domain's update)."""
    parts, start = [], 0
    while True:
        # Part by part, not split on "; ": a quoted name may hold one.
        match = _PART.match(summary, start)
        try:
            worded = _worded(match) if match else None
        except ValueError:  # a value that is no number, moment or name: not ours
            worded = None
        if worded is None:
            return None
        parts.append(worded)
        start = match.end()
        if start == len(summary):
            return " · ".join(parts)
        if not summary.startswith("; ", start):
            return None
        start += 2


_NAMES_PREFIX = "names "


def names_summary(named) -> str:
    """A campaign's or an action type's two names, as its audit events store them."""
    names = {"fr": named.name_fr, "en": named.name_en}
    return _NAMES_PREFIX + json.dumps(names, ensure_ascii=False)


def audit_names(summary: str) -> str | None:
    """The name stored by `names_summary` in the reader's language; None for any other
    details (older events stored the English name alone, shown as stored)."""
    if not summary.startswith(_NAMES_PREFIX):
        return None
    try:
        names = json.loads(summary[len(_NAMES_PREFIX) :])
    except ValueError:
        return None
    if not isinstance(names, dict):
        return None
    language = get_locale().language if get_locale() else "fr"
    name = names.get(language) or names.get("en") or names.get("fr")
    return name if isinstance(name, str) and name else None


def early_end_summary(campaign, planned_end, reason: str) -> str:
    """What a "close" event stores when an organiser ends a campaign early: its names
    (as `names_summary`), the end it had and their reason, shortened (ending with "…")
    so that the whole stays readable within the audit's SUMMARY_LENGTH."""
    stored = {
        "fr": campaign.name_fr,
        "en": campaign.name_en,
        "planned_end": planned_end.isoformat(),
    }

    def summary(kept: str) -> str:
        return _NAMES_PREFIX + json.dumps({**stored, "reason": kept}, ensure_ascii=False)

    kept, cut = reason, len(reason)
    while len(summary(kept)) > SUMMARY_LENGTH and cut > 0:
        cut -= max(1, len(summary(kept)) - SUMMARY_LENGTH)
        kept = reason[: max(cut, 0)].rstrip() + "…"
    return summary(kept)


def audit_closing(summary: str) -> str | None:
    """A campaign's closing in the reader's words: its name, and when an organiser ended
    it early, the end it had and their reason (as typed); None for other details."""
    name = audit_names(summary)
    if name is None:
        return None
    stored = json.loads(summary[len(_NAMES_PREFIX) :])
    reason, planned = stored.get("reason"), stored.get("planned_end")
    if not isinstance(reason, str) or not isinstance(planned, str):
        return name  # a campaign closed without a reason (older events)
    try:
        planned_end = _moment(planned, end=True)
    except ValueError:
        return name
    return _(
        "%(name)s, ended before its planned end (%(end)s): %(reason)s",
        name=name,
        end=planned_end,
        reason=reason,
    )


# A rejected correction of an accepted entry: the quantity asked and the one the entry
# keeps, then the organiser's reason (`correction[GB] 15 -> 1; Duplicate`).
_CORRECTION = re.compile(r"correction\[(\w+)\] (\S+) -> (\S+)(?:; (.*))?", re.DOTALL)


def correction_refused_summary(unit: str, refused: float, kept: float, reason: str) -> str:
    """What a "reject" event stores when it refuses a correction and the entry keeps
    what was accepted (the reason last, as typed)."""
    stored = f"correction[{unit}] {_stored(float(refused))} -> {_stored(float(kept))}"
    return f"{stored}; {reason}" if reason else stored


_EXTENSION = re.compile(r"ends_at (\S+) -> (\S+)")


def audit_extension(summary: str) -> str | None:
    """An extension's old and new ends as the campaign page writes them (an end at
    midnight is the day before's 23:59)."""
    match = _EXTENSION.fullmatch(summary)
    if match is None:
        return None
    try:
        before, end = (_moment(stored, end=True) for stored in match.groups())
    except ValueError:
        return None
    return _("New end: %(end)s (was %(before)s)", end=end, before=before)


def audit_refused_correction(summary: str) -> str | None:
    """A refused correction in the reader's words; None for another rejection's reason."""
    match = _CORRECTION.fullmatch(summary)
    if match is None:
        return None
    unit, refused, kept, reason = match.groups()
    try:
        worded = _(
            "Correction to %(refused)s refused, the entry keeps %(kept)s",
            refused=quantity_label(float(refused), unit),
            kept=quantity_label(float(kept), unit),
        )
    except ValueError:  # no numbers: an organiser's reason that looks like one
        return None
    return f"{worded} · {reason}" if reason else worded
