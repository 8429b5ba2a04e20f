"""Footprint arithmetic and labels: pure functions, no database.

Yearly footprint = embodied kgCO2e ÷ lifetime years + use kgCO2e per year.
The grade (A best … G worst) compares that yearly figure with per-category
thresholds: a value equal to a bound gets the better grade.
"""

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from babel.numbers import format_percent
from flask_babel import force_locale, get_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.catalogue.reference import BOAVIZTA_URL
from app.core.devices import DEVICE_TYPES
from app.core.i18n import format_number

GRADES = "ABCDEFG"
KINDS = ("equipment", "service")
EQUIPMENT_CATEGORIES: tuple[str, ...] = tuple(DEVICE_TYPES)
SERVICE_LABELS = {
    "email": _l("E-mail"),
    "storage": _l("Storage and file sharing"),
    "collaboration": _l("Collaboration and office suite"),
    "video": _l("Video conferencing and video"),
    "business_application": _l("Business application"),
    "website": _l("Website and online service"),
    "telephony": _l("Telephony"),
    "repair": _l("Repair and maintenance"),
}
SERVICE_CATEGORIES: tuple[str, ...] = tuple(SERVICE_LABELS)
# Per-user figures for these are contested in the literature: pages say so.
CONTESTED_CATEGORIES = frozenset({"email", "storage"})
# Refurbished devices: share of the new device's embodied footprint (low, central, high).
# boaviztapi does not model refurbishment: this is the portal's stated assumption.
REFURBISHED_SHARE = (0.10, 0.25, 0.40)
# Said in each language's description: a source is a citation, read in any language.
# In plain words (the source's citation, for experts, is under the item's sources).
REFURBISHED_NOTE = {
    "fr": "Reconditionné\u00a0: sa fabrication compte pour 25\u00a0% (de 10 à 40\u00a0%) de celle "
    "du même appareil neuf. C'est une hypothèse du portail\u00a0: la source de référence "
    "(Boavizta) ne compte pas le reconditionnement.",
    "en": "Refurbished: its manufacture counts for 25% (10 to 40%) of the same "
    "device's when new. This is the portal's own assumption: refurbishing is not counted "
    "by the reference source (Boavizta).",
}
# The note as catalogues seeded before said it, naming a software library ("boaviztapi
# ne modélise pas le reconditionnement"): an item page says the note above in its place
# (`seed.description_shown`).
FORMER_REFURBISHED_NOTE = {
    "fr": "Reconditionné\u00a0: sa fabrication compte pour 25\u00a0% (de 10 à 40\u00a0%) de celle "
    "du même appareil neuf. C'est une hypothèse du portail\u00a0: boaviztapi ne modélise pas "
    "le reconditionnement.",
    "en": "Refurbished: its manufacture counts for 25% (10 to 40%) of the same "
    "device's when new. This is the portal's assumption: boaviztapi does not model "
    "refurbishment.",
}
# A description that is one of these notes is the refurbished share's: said beside other
# figures it contradicts them (`services.refurbished_note_problems`).
REFURBISHED_NOTES = frozenset(
    note for notes in (REFURBISHED_NOTE, FORMER_REFURBISHED_NOTE) for note in notes.values()
)
# A refurbished model is told by its name, the one place every model says it, seeded,
# typed or imported (« Multifonction A3 reconditionnée », "Refurbished …"): the start of
# one of its words, accents and capitals aside (`is_refurbished`).
REFURBISHED_WORD_STARTS = ("reconditionn", "refurbish")
# The simulator's years, widened for an item whose own lifetime is outside them
# (`lifetime_range`).
LIFETIME_MIN, LIFETIME_MAX = 2, 10
# Each figure with its low and high estimates, as the item's fields name them.
RANGES = (
    ("embodied_kgco2e", "embodied_min_kgco2e", "embodied_max_kgco2e"),
    ("use_kwh_per_year", "use_kwh_min", "use_kwh_max"),
)

# What an average car emits per kilometre (ADEME Base Empreinte, « voiture particulière,
# motorisation moyenne »: about 0.2 kg CO2e/km): the everyday scale the pages give a
# kilogram of CO2e by (« 1 kg CO₂e : environ 5 km en voiture »).
CAR_KGCO2E_PER_KM = 0.2

# Upper bounds (kgCO2e per year, inclusive) of grades A to F; above the last: G.
# Equipment bounds are set so that the Boavizta archetype with its default use
# lands on D/E, a refurbished one on A/B, a heavy configuration on F/G.
THRESHOLDS: dict[str, tuple[float, float, float, float, float, float]] = {
    "laptop": (20, 30, 40, 50, 60, 80),
    "desktop": (30, 45, 60, 75, 90, 110),
    "monitor": (6, 9, 12, 15, 18, 24),
    "smartphone": (10, 15, 20, 25, 30, 40),
    "tablet": (10, 15, 20, 25, 30, 40),
    "printer": (20, 40, 60, 80, 120, 160),
    "accessory": (2, 4, 6, 10, 15, 25),
    # Services: kgCO2e per user per year.
    **dict.fromkeys(SERVICE_CATEGORIES, (1, 2, 5, 10, 20, 50)),
}


def category_label(category: str) -> str:
    """The category's name in the current language."""
    if category in DEVICE_TYPES:
        return str(DEVICE_TYPES[category].label)
    return str(SERVICE_LABELS.get(category, category))


# Each category's items, as a sentence names them beside a label: the letter compares
# an item with these only (`THRESHOLDS` are per category), which a reader of « E » for
# a laptop beside « A » for a phone would not guess.
CATEGORY_OTHERS = {
    "laptop": lazy_pgettext("category, plural", "laptops"),
    "desktop": lazy_pgettext("category, plural", "desktop computers"),
    "monitor": lazy_pgettext("category, plural", "monitors"),
    "smartphone": lazy_pgettext("category, plural", "smartphones"),
    "tablet": lazy_pgettext("category, plural", "tablets"),
    "printer": lazy_pgettext("category, plural", "printers"),
    "accessory": lazy_pgettext("category, plural", "accessories"),
    "email": lazy_pgettext("category, plural", "e-mail services"),
    "storage": lazy_pgettext("category, plural", "storage and file sharing services"),
    "collaboration": lazy_pgettext("category, plural", "collaboration and office services"),
    "video": lazy_pgettext("category, plural", "video conferencing and video services"),
    "business_application": lazy_pgettext("category, plural", "business applications"),
    "website": lazy_pgettext("category, plural", "websites and online services"),
    "telephony": lazy_pgettext("category, plural", "telephony services"),
    "repair": lazy_pgettext("category, plural", "repair and maintenance services"),
}


def category_others(category: str) -> str:
    """The category's items in the plural, in the current language ("laptops")."""
    return str(CATEGORY_OTHERS.get(category, category_label(category)))


# Where an item's stored source joins several ("typed; Boavizta API … (…); ADEME …"): the
# stored text is the same in every language, the separator shown is the reader's (French
# puts a no-break space before « ; »). A source typed " ; " keeps its own space.
_STORED_SOURCE_SEPARATOR = re.compile(r"(?<=\S); ")


# The demo items' source (`seed.py`), stored in both languages as every source is one
# text: shown in the reader's own (« Sources : Empreinte (démo / demo) » mixed them).
DEMO_SOURCE = "Empreinte (démo / demo)"


def _source_shown(source: str) -> str:
    return _("Empreinte (demo)") if source == DEMO_SOURCE else source


def sources_shown(source: str) -> str:
    """An item's sources as the reader writes a list of them: "A; B", « A\u00a0; B »."""
    first, *others = (_source_shown(s) for s in _STORED_SOURCE_SEPARATOR.split(source or ""))
    shown = first
    for other in others:
        shown = _("%(sources)s; %(source)s", sources=shown, source=other)
    return shown


# A reference figure's stored citation (`reference.Reference.citation`): a data set's
# and a library's names, read by experts. The item page says it in plain words first.
_BOAVIZTA_CITATION = re.compile(
    r"Boavizta API (?P<version>[\w.]+) \(boaviztapi, (?P<model>[\w-]+)(?:, (?P<phase>embedded|use))?\)"
)
_ADEME_CITATION = "ADEME Base Impacts / NegaOctet"


def boavizta_models_cited(source: str, phase: str) -> list[str]:
    """The Boavizta models whose citation in `source` credits a phase's figure
    ("embedded", "use"): a whole citation credits both."""
    return [
        cited["model"]
        for cited in _BOAVIZTA_CITATION.finditer(source or "")
        if cited["phase"] in (None, phase)
    ]


# Boavizta's models of a device (archetypes), as a newcomer names them.
_MODEL_WORDS = {
    "laptop-pro": _l("professional laptop"),
    "laptop-perso": _l("personal laptop"),
    "desktop-pro": _l("professional desktop computer"),
    "desktop-perso": _l("personal desktop computer"),
    "monitor-default": _l("standard monitor"),
    "smartphone-default": _l("standard smartphone"),
    "tablet-default": _l("standard tablet"),
    "box-default": _l("standard internet box"),
    "external-ssd-default": _l("standard external SSD drive"),
    "hdd-default": _l("standard external hard disk"),
    "usb-stick-default": _l("standard USB stick"),
}


# The same models new, as a refurbished one's share of it is said (its own words in each
# language: « une tablette standard neuve »).
_NEW_MODEL_WORDS = {
    "laptop-pro": _l("a new professional laptop"),
    "laptop-perso": _l("a new personal laptop"),
    "desktop-pro": _l("a new professional desktop computer"),
    "desktop-perso": _l("a new personal desktop computer"),
    "monitor-default": _l("a new standard monitor"),
    "smartphone-default": _l("a new standard smartphone"),
    "tablet-default": _l("a new standard tablet"),
}


def share_of_new(item) -> bool:
    """Whether an item's manufacturing figure is the refurbished share of the same new
    device's reference figure: its description is the refurbished note (`REFURBISHED_NOTE`,
    the seed's refurbished models), which says so."""
    return any(
        (description or "").strip() in REFURBISHED_NOTES
        for description in (item.description_fr, item.description_en)
    )


def sources_in_words(source: str, share: bool = False) -> str:
    """An item's sources as a newcomer reads them: « Boavizta API 2.5.0 (boaviztapi,
    smartphone-default) » is said as Boavizta, the open reference data, its version and
    model in words; a source typed by an admin stays as typed. `sources_shown` keeps the
    citation for experts. A source after the first goes on in the same sentence, after a
    semicolon: its words start in lower case (« … ; facteurs d'émission de l'ADEME »),
    save a name (Boavizta) or a source typed as it was. `share`: the manufacturing figure
    is a refurbished model's share of the new model's (`share_of_new`), said so: « 25 %
    d'un portable professionnel neuf, Boavizta… », where the page named the new model
    alone as if its figure were the item's."""
    first, *others = (
        _source_in_words(s, following=n > 0, share=share)
        for n, s in enumerate(_STORED_SOURCE_SEPARATOR.split(source or ""))
    )
    shown = first
    for other in others:
        shown = _("%(sources)s; %(source)s", sources=shown, source=other)
    return shown


def _source_in_words(source: str, following: bool = False, share: bool = False) -> str:
    if source == _ADEME_CITATION:
        if following:
            return _("emission factors of ADEME, the French agency for ecological transition")
        return _("Emission factors of ADEME, the French agency for ecological transition")
    cited = _BOAVIZTA_CITATION.fullmatch(source)
    if not cited:
        return _source_shown(source)
    model = str(_MODEL_WORDS.get(cited["model"], cited["model"]))
    words = {"version": cited["version"], "model": model}
    if share and cited["phase"] in (None, "embedded") and cited["model"] in _NEW_MODEL_WORDS:
        words["model"] = str(_NEW_MODEL_WORDS[cited["model"]])
        words["share"] = format_percent(REFURBISHED_SHARE[1], locale=get_locale())
        if cited["phase"] == "embedded":
            return _(
                "%(share)s of %(model)s, Boavizta, the open reference data for IT "
                "footprints (version %(version)s), for its manufacturing footprint",
                **words,
            )
        return _(
            "%(share)s of %(model)s, Boavizta, the open reference data for IT "
            "footprints (version %(version)s)",
            **words,
        )
    if cited["phase"] == "embedded":
        return _(
            "Boavizta, the open reference data for IT footprints (version %(version)s, "
            "model: %(model)s), for its manufacturing footprint",
            **words,
        )
    if cited["phase"] == "use":
        return _(
            "Boavizta, the open reference data for IT footprints (version %(version)s, "
            "model: %(model)s), for its electricity use",
            **words,
        )
    return _(
        "Boavizta, the open reference data for IT footprints (version %(version)s, "
        "model: %(model)s)",
        **words,
    )


def source_link_text(source: str, url: str) -> str:
    """What an item's source address is read by (RGAA 6.1): the source's name, never the
    bare address. Boavizta's address is Boavizta's; another is the first source typed
    (not a reference's citation), else the site it is on."""
    if url.rstrip("/") == BOAVIZTA_URL:
        return "Boavizta API"
    typed = [
        part
        for part in _STORED_SOURCE_SEPARATOR.split(source or "")
        if part.strip() and part != _ADEME_CITATION and not _BOAVIZTA_CITATION.fullmatch(part)
    ]
    if typed:
        return _source_shown(typed[0].strip())
    site = urlsplit(url).hostname or url
    return _("the source's page on %(site)s", site=site.removeprefix("www."))


# What people type for a category besides its name ("téléphone" for a smartphone,
# "computer" for a laptop), a translated list each: the search finds a category's
# items by these words and by its name, in every language, and lists a piece of
# equipment so named first (`queries._relevance`). Everyday words and the brands people
# say for the thing (« portable », "iPhone"), each language its own.
CATEGORY_SEARCH_WORDS = {
    "laptop": _l("laptop computer notebook PC"),
    "desktop": _l("desktop computer PC tower"),
    "monitor": _l("monitor screen display"),
    "smartphone": _l("mobile phone telephone cellphone iPhone Android"),
    "tablet": _l("tablet iPad"),
    "printer": _l("printer copier scanner multifunction"),
    "email": _l("e-mail email mail inbox"),
    "storage": _l("cloud drive files"),
    "collaboration": _l("office suite documents spreadsheet"),
    "video": _l("video conferencing meeting"),
    "telephony": _l("phone telephone calls"),
    "repair": _l("repair maintenance fix breakdown"),
}
# The kinds of item a category holds, not other names of it: "souris" names one of the
# accessories, and matching the whole category listed all eight, a keyboard with the
# mouse. A kind finds its category only where none of the category's items is named
# by it (`queries.search_items`); a name's examples in brackets are kinds too
# (« Accessoire (clavier, souris, casque…) »).
CATEGORY_KIND_WORDS = {
    "accessory": _l("keyboard mouse headset webcam docking station"),
}


@functools.cache
def _category_search_texts(languages: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Each category's names (its key, its name, its other names) and the kinds of item
    it holds, in every language, folded as the search folds what people type.
    Translations do not change while the app runs."""
    names, kinds = dict.fromkeys(THRESHOLDS, ""), dict.fromkeys(THRESHOLDS, "")
    for language in languages:
        with force_locale(language):
            for category in names:
                name, _bracket, examples = category_label(category).partition("(")
                words = (category, name, CATEGORY_SEARCH_WORDS.get(category))
                names[category] += " " + " ".join(str(w) for w in words if w)
                kinds[category] += f" {examples} {CATEGORY_KIND_WORDS.get(category, '')}"
    return {
        category: (normalise_search(names[category]), normalise_search(kinds[category]))
        for category in names
    }


def categories_matching(term: str, languages: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The categories one of whose names, in one of `languages`, holds a word starting
    with the folded `term` ("ordinateur" gives laptops and desktops, whatever the page's
    language; "eau" is no part of « bureautique »), and the others whose kinds of item
    do ("souris": the accessories)."""
    named, kinds = [], []
    for category, (names, kind_words) in sorted(_category_search_texts(languages).items()):
        if f" {term}" in f" {names}":
            named.append(category)
        elif f" {term}" in f" {kind_words}":
            kinds.append(category)
    return named, kinds


def kind_of(category: str) -> str | None:
    """'equipment' or 'service' for a known category, None otherwise."""
    if category in EQUIPMENT_CATEGORIES:
        return "equipment"
    if category in SERVICE_CATEGORIES:
        return "service"
    return None


def range_problems(values: dict) -> dict[str, str]:
    """Each estimate on the wrong side of its figure or of the other estimate, by field
    name: an item page otherwise reads "200 (between 300 and 100)". Blank ones pass."""
    problems = {}
    for figure, low_name, high_name in RANGES:
        value, low, high = (values.get(name) for name in (figure, low_name, high_name))
        if value is not None and low is not None and low > value:
            problems[low_name] = _(
                "The low estimate cannot be above the figure (%(value)s).",
                value=format_number(value),
            )
        if value is not None and high is not None and high < value:
            problems[high_name] = _(
                "The high estimate cannot be below the figure (%(value)s).",
                value=format_number(value),
            )
        elif low is not None and high is not None and high < low and low_name not in problems:
            problems[high_name] = _(
                "The high estimate cannot be below the low estimate (%(low)s).",
                low=format_number(low),
            )
    return problems


def grade_for(category: str, annual_kgco2e: float) -> str:
    """The label grade of a yearly footprint in its category."""
    for grade, bound in zip(GRADES, THRESHOLDS[category], strict=False):
        if annual_kgco2e <= bound:
            return grade
    return GRADES[-1]


def use_kgco2e(use_kwh_per_year: float | None, grid_factor: float) -> float | None:
    """Yearly use emissions from yearly electricity use."""
    if use_kwh_per_year is None:
        return None
    return use_kwh_per_year * grid_factor


def annual_kgco2e(embodied: float | None, lifetime_years: float | None, use_per_year: float | None):
    """Embodied spread over the lifetime plus yearly use, unrounded: the grade, totals,
    the API and the simulator's savings all start from it, and only what a page writes
    is rounded (`routes.kg_figure`). Cut to 3 decimals, 0.0049 kg a user was stored as
    0.005 and a laptop at 20.0004 kg got the A whose bound is 20."""
    total = use_per_year or 0.0
    if embodied and lifetime_years:
        total += embodied / lifetime_years
    # Ten significant digits, as the export writes figures: binary noise (a sum landing
    # on 20.000000000000004) must not move a figure on a bound to the worse grade.
    return float(f"{total:.10g}")


def common_digits(*values: float | None) -> int:
    """One decimal for a figure and its range if any of them needs it, none otherwise:
    "200 (between 180 and 260)", never "200,0 (between 180,0 and 260,0)". A figure under
    one shows two significant digits (« 0,0068 kg », not « 0 kg » for a service's use).

    A tenth is judged on the decimal written, half up as people round (Python's round()
    of the binary float took 8.05 for 8.1, and Babel wrote 6.25 « 6,2 »)."""
    digits = [small_figure_digits(v) for v in values if v is not None]
    if any(v is not None and tenths(v) % 10 for v in values):
        digits.append(1)
    return max(digits, default=0)


def small_figure_digits(value: float) -> int:
    """The decimals two significant digits of a figure under one take (0 otherwise)."""
    if not 0 < abs(value) < 0.95:
        return 0
    written = Decimal(str(abs(value)))
    two = written.quantize(Decimal(1).scaleb(written.adjusted() - 1), ROUND_HALF_UP)
    return min(max(-two.normalize().as_tuple().exponent, 1), 6)


def half_up(value: float | None, digits: int) -> Decimal | None:
    """`value` to `digits` decimals, a half rounded up, as the figure is written."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def tenths(value: float) -> int:
    return int(half_up(value, 1) * 10)


def shown_figure(value: float) -> Decimal:
    """A yearly figure as the catalogue's pages write it alone (`routes.kg_figure`): to a
    tenth, two significant digits under one. Totals and differences written beside
    their parts start from these, so that a reader who adds up finds the same."""
    return half_up(value, common_digits(value))


def line_as_written(line) -> Decimal:
    """A request line's yearly footprint as written: its item's figure as the catalogue
    writes it (`shown_figure`), times the quantity (3 × 8,5 is « 25,5 », not the 25,6 of
    3 × 8.53); nothing for a line not counted."""
    if not line.counted:
        return Decimal(0)
    return shown_figure(line.unit_annual_kgco2e) * line.quantity


def request_as_written(request) -> Decimal:
    """A request's yearly footprint: the sum of its lines as written (`line_as_written`).
    What the request's pages write, and what its approval adds to its department's
    budget (`queries.approved_footprint_by_department`): the figure promised before
    approving is the one counted after."""
    return sum((line_as_written(line) for line in request.lines), Decimal(0))


def budget_as_written(budget: float) -> Decimal:
    """A budget as the pages write it (`routes.kg_as_entered`): to a tenth. Budgets are
    typed to a tenth at most (`forms.BudgetForm`); one stored with more before is judged
    as it reads."""
    return half_up(budget, 1)


# Budgets are typed to a tenth at most: the pages write them so (`budget_as_written`),
# and « 12,55555 » read « 12,6 », « 0,0001 » « 0 » without behaving as 0.
BUDGET_TO_A_TENTH = _l("Enter a budget with one decimal at most, such as 12.5.")


def tenth_at_most(value: float) -> bool:
    """Whether a figure has one decimal at most (12.5, 950), as a budget is written."""
    return Decimal(str(value)).normalize().as_tuple().exponent >= -1


def lighter_as_shown(alternative: float, item: float) -> bool:
    """Whether a yearly figure is lighter than an item's as both are written: a gap
    that rounds away (8.53 and 8.46 kg, both « 8,5 ») suggests nothing lighter."""
    return shown_figure(alternative) < shown_figure(item)


def simulator_years(lifetime: float | None) -> float:
    """Where the simulator opens: the item's own lifetime to a tenth of a year (the
    label's 2.5 or 6.6, not the 2 or 7 a whole-year slider showed), which its range
    always holds (`lifetime_range`)."""
    return round(lifetime or 4.0, 1)


def lifetime_range(lifetime: float | None) -> tuple[float, float]:
    """The years the simulator offers for an item: LIFETIME_MIN to LIFETIME_MAX, widened
    to its own lifetime when it is outside them (1.5 years, 12), so that the simulator
    opens at the label's figure for every item, the slider where the text says."""
    own = simulator_years(lifetime)
    return min(LIFETIME_MIN, own), max(LIFETIME_MAX, own)


def years_text(years: float) -> str:
    """Years as the list's values and a link write them: "2.5", "3" (never "3.0")."""
    return f"{years:g}"


def lifetime_choices(lifetime: float | None, chosen: float | None = None) -> list[float]:
    """The years the simulator's list offers, in order: each whole year of its range, the
    item's own lifetime (2.5, 6.6: the page opens there) a whole number of years apart
    (1.5, 3.5, 4.5…), and the years chosen with one and two more (a link's ?years=7.5),
    when in range. « One more year (3.5 years) » is then a value of the list, whichever
    of its values is chosen: the list offered 2, 2.5, 3, 4, and 3.5 could not be checked."""
    low, high = lifetime_range(lifetime)
    years = {float(y) for y in range(math.ceil(low), math.floor(high) + 1)}
    own = simulator_years(lifetime)
    steps = range(math.ceil(low - own), math.floor(high - own) + 1)
    years |= {round(own + step, 1) for step in steps}
    if chosen is not None:
        years |= {round(chosen + more, 1) for more in (0, 1, 2)}
    return sorted(y for y in years if low <= y <= high)


@dataclass(frozen=True)
class LifetimeScenario:
    years: float  # to a tenth of a year; the item's own lifetime until another is chosen
    annual_kgco2e: float
    embodied_share_kgco2e: float
    grade: str
    saving_one_more_kgco2e: float  # per year, keeping it one more year
    saving_two_more_kgco2e: float
    saving_one_more_over_life_kgco2e: float  # embodied avoided by stretching replacements


def simulate_lifetime(item, years: float) -> LifetimeScenario:
    """The yearly footprint and grade of an equipment item kept `years` years, and what
    one and two more years would save: at the item's own lifetime, its label's."""
    embodied = item.embodied_kgco2e or 0.0
    use = item.use_kgco2e_per_year or 0.0

    def at(n: float) -> float:
        return annual_kgco2e(embodied, n, use)

    current = at(years)
    return LifetimeScenario(
        years=years,
        annual_kgco2e=current,
        embodied_share_kgco2e=embodied / years,
        grade=grade_for(item.category, current),
        saving_one_more_kgco2e=current - at(years + 1),
        saving_two_more_kgco2e=current - at(years + 2),
        saving_one_more_over_life_kgco2e=embodied / years,
    )


_NOT_A_WORD = re.compile(r"[\W_]+")


def is_refurbished(name_fr: str, name_en: str, description: str = "") -> bool:
    """Whether a model is a refurbished one: its French or English name says so, or its
    description is the refurbished note (`REFURBISHED_NOTE`)."""
    if (description or "").strip() in REFURBISHED_NOTES:
        return True
    words = normalise_search(f"{name_fr} {name_en}").split()
    return any(word.startswith(REFURBISHED_WORD_STARTS) for word in words)


def normalise_search(text: str) -> str:
    """Its words in lower case without accents, one space between them, so that 'ecran'
    finds 'Écran' and a search matches the start of a word: « l'eau » is "l eau", whose
    "eau" a search finds, while « bureautique » holds no word starting with "eau"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_A_WORD.sub(" ", letters).strip()


# English plurals whose singular is not the plural less its "s": "switches", "batteries".
_PLURAL_ENDINGS = (("ches", 2), ("shes", 2), ("sses", 2), ("xes", 2), ("ies", 3))


def singular_stem(term: str) -> str:
    """The folded `term` with its last word's plural ending dropped, when that word has
    four letters or more: "ecrans" is "ecran", "batteries" "batter", "eaux" "eau".

    A search finds the start of words, so the stem finds the singular and the plural
    alike in what is stored, which therefore needs no folding of its own. Codes (with
    digits) and short words ("bus", "gaz") are kept as typed."""
    head, _space, word = term.rpartition(" ")
    if len(word) < 4 or not word.isalpha():
        return term
    for ending, cut in _PLURAL_ENDINGS:
        if word.endswith(ending) and len(word) - cut >= 4:
            return f"{head} {word[:-cut]}".lstrip()
    if word[-1] in "sx":
        return f"{head} {word[:-1]}".lstrip()
    return term
