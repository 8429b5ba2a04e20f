"""The default action types, their guides and CO2 factors, and the badge rules.

Storage factors in the literature differ by about a factor of a thousand
(from ~0.0002 kgCO2e per GB-year for efficient hyperscale storage to ~0.2 for
older estimates including networks and duplicates), so the portal scores what
was freed and shows CO2 only as an estimate with that range.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import get_locale, get_translations, ngettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.core.i18n import current_language, format_number, labeller


def rounded(value, places: int) -> float:
    """`value` to `places` decimals, a half rounded up as a person does (28.25 -> 28.3):
    Python's round() and Babel round a half to even, and work on the float, which holds
    a hair below 28.25 for some quotients. Taken on the value as written (its str)."""
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def per_head(points, people) -> float:
    """Points per participant as shown, to one decimal, a half up (113 / 4 -> 28.3): the
    quotient of the whole numbers, exact, not of their float."""
    if not people:
        return 0
    return rounded(Decimal(str(points)) / Decimal(str(people)), 1)


def goal_share(achieved, target, places: int = 2) -> float:
    """A goal's share, by default as shown in whole percent (0.125 -> 0.13, "13 %"), a
    half up; open data gives it to 4 decimals."""
    if not target:
        return 0
    return rounded(Decimal(str(achieved)) / Decimal(str(target)), places)


STORAGE_SOURCE = (
    "ADEME-Arcep, Évaluation de l'impact environnemental du numérique en France (2022); "
    "range from Aslan et al. (2018) and cloud providers' disclosures"
)
STORAGE_CAVEAT_FR = (
    "Estimation sur un an de stockage évité. Selon les études, l'empreinte d'un Go stocké "
    "varie d'un facteur mille\u00a0: le portail compte ce qui est libéré et présente le CO₂ "
    "comme une fourchette."
)
STORAGE_CAVEAT_EN = (
    "Estimate for one year of storage avoided. Published figures for one stored GB differ by "
    "a factor of a thousand: the portal scores what was freed and presents CO₂ as a range."
)
STORAGE_FACTOR = {
    "kg_co2e_per_unit": 0.01,
    "kg_co2e_low": 0.0002,
    "kg_co2e_high": 0.2,
    "factor_source": STORAGE_SOURCE,
    "caveat_fr": STORAGE_CAVEAT_FR,
    "caveat_en": STORAGE_CAVEAT_EN,
}

DEFAULT_ACTION_TYPES = (
    {
        "key": "delete-mail",
        "name_fr": "Supprimer les vieux e-mails et pièces jointes",
        "name_en": "Delete old e-mails and attachments",
        "guide_fr": "Dans votre messagerie, triez par taille, supprimez les messages de plus de "
        "deux ans et les pièces jointes déjà enregistrées ailleurs, puis videz la corbeille. "
        "Notez les Go libérés indiqués par votre quota.",
        "guide_en": "In your mailbox, sort by size, delete messages older than two years and "
        "attachments already saved elsewhere, then empty the bin. Log the GB freed as shown "
        "by your quota.",
        "unit": "GB",
        "points_per_unit": 10,
        "daily_cap": 20,
        "flag_above": 10,
        "max_quantity": 1000,
        **STORAGE_FACTOR,
    },
    {
        "key": "unsubscribe",
        # Stored text, seeding a new database only: `ensure_default_action_types` adds
        # missing types and leaves an existing database's names as they are.
        "name_fr": "Se désabonner des lettres d'information",
        "name_en": "Unsubscribe from newsletters",
        "guide_fr": "Recherchez «\u00a0se désabonner\u00a0» dans votre messagerie et utilisez le lien en "
        "bas de chaque lettre que vous ne lisez plus. Comptez une lettre par désabonnement.",
        "guide_en": "Search your mailbox for 'unsubscribe' and use the link at the bottom of each "
        "newsletter you no longer read. Count one per newsletter.",
        "unit": "items",
        "points_per_unit": 2,
        "daily_cap": 30,
        "flag_above": 20,
        "max_quantity": 1000,
    },
    {
        "key": "empty-cloud",
        "name_fr": "Vider le stockage en ligne et les corbeilles",
        "name_en": "Empty cloud storage and recycle bins",
        "guide_fr": "Sur votre espace de stockage en ligne, supprimez les anciennes versions et "
        "les dossiers partagés obsolètes, puis videz la corbeille du service et celle du poste.",
        "guide_en": "In your online storage, delete old versions and obsolete shared folders, then "
        "empty the service's bin and your computer's recycle bin.",
        "unit": "GB",
        "points_per_unit": 10,
        "daily_cap": 50,
        "flag_above": 25,
        "max_quantity": 5000,
        **STORAGE_FACTOR,
    },
    {
        "key": "remove-duplicates",
        "name_fr": "Supprimer les doublons et fichiers oubliés",
        "name_en": "Remove duplicate and forgotten files",
        "guide_fr": "Utilisez la recherche par taille du partage réseau, repérez les copies et "
        "les exports oubliés, gardez une seule version de référence.",
        "guide_en": "Use the network share's size search, find copies and forgotten exports, and "
        "keep one reference version.",
        "unit": "GB",
        "points_per_unit": 10,
        "daily_cap": 50,
        "flag_above": 25,
        "max_quantity": 5000,
        **STORAGE_FACTOR,
    },
    {
        "key": "clean-phone",
        "name_fr": "Nettoyer son téléphone",
        "name_en": "Clean a phone",
        "guide_fr": "Désinstallez les applications inutilisées, supprimez photos en double et "
        "vidéos déjà sauvegardées, videz les caches des messageries.",
        "guide_en": "Uninstall unused apps, delete duplicate photos and videos already backed "
        "up, clear messaging apps' caches.",
        "unit": "GB",
        "points_per_unit": 10,
        "daily_cap": 20,
        "flag_above": 10,
        "max_quantity": 1000,
        **STORAGE_FACTOR,
    },
    {
        "key": "return-device",
        "name_fr": "Rapporter un appareil",
        "name_en": "Return a device",
        "guide_fr": "Déposez un équipement inutilisé dans un point de collecte\u00a0: le module "
        "Recyclage enregistre le dépôt et l'action est comptée automatiquement.",
        "guide_en": "Bring an unused device to a collection point: the Recycling module records "
        "the return and the action is counted automatically.",
        "unit": "devices",
        "points_per_unit": 100,
        "daily_cap": 5,
        "flag_above": 3,
        "max_quantity": 50,
    },
)

#: How to measure what an action type's guide asks to log, one practical sentence per
#: type freeing space (the guides, `guides.html`): the stored guides said what to delete,
#: not where to read the GB freed. In the catalogues, not the stored guide: an organiser's
#: own guide keeps its words and still gets this line.
MEASURE_HINTS = {
    "delete-mail": _l(
        "Note your mailbox's quota (its settings show the space used) before and after: "
        "the difference is the GB freed."
    ),
    "empty-cloud": _l(
        "Note the space used shown by the storage service (its settings or the bottom of its "
        "file list) before and after, once its bin is emptied: the difference is the GB freed."
    ),
    "remove-duplicates": _l(
        "In the file explorer, look at the size of the folder (right-click, Properties) "
        "before and after: the difference is the GB freed."
    ),
    "clean-phone": _l(
        "Note the space used in Settings › Storage before and after: the difference is the "
        "GB freed."
    ),
}

#: Which devices and accounts count, said beside the measure (`MEASURE_HINTS`).
WHAT_COUNTS = {
    "clean-phone": _l(
        "Only a work phone counts: cleaning a personal phone is welcome, but not logged."
    ),
}


def measure_hint(key: str) -> str | None:
    """How to measure the quantity an action type logs, in the reader's language."""
    hint = MEASURE_HINTS.get(key)
    return str(hint) if hint is not None else None


def what_counts(key: str) -> str | None:
    """Which devices or accounts count for an action type, when it needs saying."""
    said = WHAT_COUNTS.get(key)
    return str(said) if said is not None else None


#: A collective goal named by its unit (« Espace libéré : 9 140,8 / 47 000 Go »): bare
#: figures did not say what they counted.
GOAL_LABELS = {
    "GB": _l("Space freed"),
    "items": _l("Items cleaned up"),
    "devices": _l("Devices returned"),
    "participants": _l("Participants"),
    "points": _l("Points"),
}

goal_label = labeller(GOAL_LABELS)


def rank_ordinal(rank: int) -> str:
    """A team's rank as an ordinal in the reader's language, by the language's ordinal
    rules (CLDR): "1st", "22nd", "23rd", "11th"; « 1ʳᵉ », « 22ᵉ » in French, where a
    direction and a commune are feminine."""
    form = get_locale().ordinal_form(rank)
    number = format_number(rank)
    if form == "one":
        return pgettext("ordinal rank ending in 1", "%(num)sst", num=number)
    if form == "two":
        return pgettext("ordinal rank ending in 2", "%(num)snd", num=number)
    if form == "few":
        return pgettext("ordinal rank ending in 3", "%(num)srd", num=number)
    return pgettext("ordinal rank", "%(num)sth", num=number)


#: Keys of action types that only other modules log (no manual entry).
SYSTEM_ACTION_TYPES = frozenset({"return-device"})

#: Badge rules, evaluated from a participant's accepted actions.
BADGES = {
    "first-action": (_l("First step"), _l("Logged a first action.")),
    "ten-gb": (_l("10 GB club"), _l("Freed at least 10 GB.")),
    "light-inbox": (_l("Light inbox"), _l("Deleted at least 2 GB of e-mail.")),
    "device-returned": (_l("Second life"), _l("Returned a device.")),
    "regular": (_l("Regular"), _l("Took action on three different days.")),
    "high-scorer": (_l("High scorer"), _l("Earned 500 points.")),
    # Only to those whose counted entries the goal's figure counts (queries._goal_contributors):
    # every participant had it once any goal was reached, a devices goal included.
    "goal-reached": (
        _l("Goal reached"),
        _l(
            "Contributed to a collective goal that was reached: counted entries in its unit "
            "(GB, items or devices) or, for a points goal, counted points; anyone with a "
            "counted entry contributes to a participants goal."
        ),
    ),
}


# What a unit reads as (the log form, the review queue); stored as the keys.
UNIT_LABELS = {
    "GB": _l("GB"),
    "items": _l("items"),
    "devices": _l("devices"),
    "participants": _l("participants"),
    "points": _l("points"),
}

unit_label = labeller(UNIT_LABELS)

# A unit written out where the log form names it: « Go » says nothing to someone who
# never manages files (the menu's choices keep the short form).
UNITS_IN_FULL = {"GB": _l("GB (gigabytes)")}


def unit_in_full(unit: str) -> str:
    """The unit as the log form's hint names it: « Go (gigaoctets) », else its label."""
    return str(UNITS_IN_FULL[unit]) if unit in UNITS_IN_FULL else unit_label(unit)


# The French report the built-in source cites: its title is French in either language.
STORAGE_REPORT_TITLE = "Évaluation de l'impact environnemental du numérique en France"


def source_label(source: str) -> Markup | str:
    """A CO₂ factor's source as the guides show it. The built-in one (stored as written
    above) in the reader's language, its report's title a `<cite>`, marked `lang="fr"`
    on a page in another language: an English page read it with English sounds. An
    organiser's own citation is shown as typed (its language is not known)."""
    if source != STORAGE_SOURCE:
        return source
    if current_language() == "fr":
        title = Markup("<cite>{}</cite>").format(STORAGE_REPORT_TITLE)
    else:
        title = Markup('<cite lang="fr">{}</cite>').format(STORAGE_REPORT_TITLE)
    citation = _(
        "ADEME-Arcep, %(title)s (2022); range from Aslan et al. (2018) and cloud "
        "providers' disclosures"
    )
    return Markup.escape(citation) % {"title": title}


def quantity_label(quantity, unit: str, pattern: str = "#,##0.###") -> str:
    """A logged quantity with its unit as the reader says it: "1 élément", "4 éléments",
    "0,5 Go". Counted units agree with the number as written (`pattern`: a whole number
    picks its plural form; a fraction reads as plural, as "1.5 items" does in English).
    Every unit is held to its number by a no-break space: "0,5 Go" or "28 éléments" is
    never split across two lines.
    """
    number = format_number(quantity, pattern)
    places = len(pattern.split(".", 1)[1]) if "." in pattern else 0
    shown = Decimal(str(float(quantity))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    whole = shown == shown.to_integral_value()
    plural_n = int(shown) if whole else 2
    if unit == "items":
        counted = ngettext("%(count)s item", "%(count)s items", plural_n, count=number)
    elif unit == "devices":
        counted = ngettext("%(count)s device", "%(count)s devices", plural_n, count=number)
    elif unit in ("participants", "points"):
        # The catalogues' own words (« 1 participant », « 40 points »), whose placeholder
        # `num` flask_babel's ngettext fills with the bare count.
        singular, plural = {
            "participants": ("%(num)s participant", "%(num)s participants"),
            "points": ("%(num)s point", "%(num)s points"),
        }[unit]
        counted = get_translations().ungettext(singular, plural, plural_n) % {"num": number}
    else:
        return f"{number}\u00a0{unit_label(unit)}"
    # The catalogues write an ordinary space after the number: held, wherever it stands.
    return counted.replace(f"{number} ", f"{number}\u00a0", 1)


def _decimals(value: float) -> int:
    """Decimals that show two significant figures of `value` (none to three)."""
    if value <= 0:
        return 0
    return min(max(1 - math.floor(math.log10(value)), 0), 3)


def _co2_divisor(kg: float) -> int:
    """What a CO₂ figure is divided by to be written: tonnes (1000) from one tonne, kg
    under it: « 91 kg CO₂e », where « 0,091 t CO₂e » made the reader count zeros."""
    return 1000 if kg >= 1000 else 1


def _co2_in(kg: float, divisor: int, decimals: int) -> Decimal:
    """`kg` in the unit of `divisor`, to `decimals`, a half up as a person rounds (0.285 ->
    0.29, as open data's 0.285 reads), on the figure as written: Babel rounds a half to
    even and gave 0.28."""
    exact = Decimal(str(kg)) / divisor
    return exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def _co2_written(kg: float, divisor: int, decimals: int) -> str:
    """« 27 kg CO₂e », « 1,2 t CO₂e »: without a trailing zero (« 0,06 kg », not
    « 0,060 kg »), the number and its unit held by no-break spaces."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    unit = "t" if divisor == 1000 else "kg"
    return f"{format_number(_co2_in(kg, divisor, decimals), pattern)}\u00a0{unit}\u00a0CO₂e"


def _co2_end(kg: float) -> str:
    """An end of the range with the fewest decimals that keep it within a tenth of its
    value: « 0,5 kg » for 0.53 kg and « 1,2 t » for 1236 kg, neither « 1 kg » nor
    « 1,236 t ». Tonnes keep one decimal unless it is a zero: 1828.66 kg is « 1,8 t »,
    as the central value writes it, where a tenth's tolerance gave « 2 t »."""
    divisor = _co2_divisor(kg)
    if divisor == 1000:
        return _co2_written(kg, divisor, 1)
    exact = Decimal(str(kg)) / divisor
    decimals = next((d for d in range(3) if abs(_co2_in(kg, divisor, d) - exact) <= exact / 10), 3)
    return _co2_written(kg, divisor, decimals)


def co2_range(co2_kg: dict, beside: dict | None = None) -> dict:
    """A campaign's CO₂ estimate as the results page writes it: each figure in kg under
    one tonne and in tonnes from one (« environ 91 kg CO₂e, entre 1,8 kg et 1,8 t »), the
    central value to two significant figures at most, each end of the range in its own
    unit with the fewest decimals that keep it within a tenth of its value (`_co2_end`).
    Both ends are given whenever the low one writes as more than nothing: the final and
    the provisional results read « entre 1,8 kg CO₂e et 1,8 t CO₂e » alike, where a low
    end under 0.005 of the high end's unit was dropped (« jusqu'à 2 t »). `low` is None
    only under 0.0005 kg, which three decimals write as 0: the range then reads "up to"
    its high end.

    `beside`: the other campaign of a comparison row, whose central value is written in
    the same unit as this one's, tonnes only when both reach one (« 27 kg » beside
    « 1 500 kg », never « 0 t » for a few kilograms); one without an estimate is left
    out of the choice."""
    central, low, high = (co2_kg.get(key) or 0.0 for key in ("central", "low", "high"))
    divisor = _co2_divisor(central)
    if beside and beside.get("high"):
        divisor = min(divisor, _co2_divisor(beside.get("central") or 0.0))
    return {
        "central": _co2_written(central, divisor, _decimals(central / divisor)),
        "low": _co2_end(low) if _co2_in(low, 1, 3) > 0 else None,
        "high": _co2_end(high),
    }


# Why an entry was set aside for review, stored as these English keys (older rows hold
# them too) and shown to organisers in their language.
FLAG_ABOVE_USUAL = "above the usual size of one entry"
FLAG_ABOVE_HISTORY = "far above this person's history"
FLAG_ABOVE_OTHERS = "far above what others log"
FLAG_REASON_LABELS = {
    FLAG_ABOVE_USUAL: _l("above the usual size of one entry"),
    FLAG_ABOVE_HISTORY: _l("far above this person's history"),
    FLAG_ABOVE_OTHERS: _l("far above what others log"),
}

flag_reason_label = labeller(FLAG_REASON_LABELS)
