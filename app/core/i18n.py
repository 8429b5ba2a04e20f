"""Locale selection and locale-aware formatting helpers for templates."""

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time
from functools import cached_property, lru_cache
from types import SimpleNamespace

import flask_babel
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, get_timezone_location
from babel.dates import format_time as babel_format_time
from babel.numbers import (
    NumberFormatError,
    NumberPattern,
    format_decimal,
    parse_decimal,
    parse_pattern,
)
from babel.units import format_unit
from flask import current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import (
    Babel,
    Domain,
    LazyString,
    format_date,
    get_locale,
    get_timezone,
    get_translations,
    to_user_timezone,
)
from flask_babel import gettext as _
from flask_login import current_user

# How each language writes dates, times and numbers. English is read here by staff in
# France: day before month and a 24-hour clock ("18 Dec 2026, 09:00"), as in the United
# Kingdom, not "Dec 18, 2026, 9:00 AM". The catalogue is still `en` (gettext falls back
# from en_GB to en).
REGIONAL_LOCALES = {"en": "en_GB"}


def regional_locale(language: str) -> str:
    """The Babel locale that writes dates and numbers for readers of `language`."""
    return REGIONAL_LOCALES.get(language, language)


_FIRST_DAY = re.compile(r"(?<![0-9])1(?= )")


def first_of_month(text: str, day: date, language: str) -> str:
    """« 1er décembre », not « 1 décembre »: French writes the first of a month as an
    ordinal, which Babel's patterns leave out. Other days and languages as they are."""
    if day.day != 1 or not language.startswith("fr"):
        return text
    return _FIRST_DAY.sub("1er", text, count=1)


def long_date(value, language: str) -> str:
    """A date in a message's sentence: "3 December 2026", "3 décembre 2026".

    Messages are written for one reader with no request around: `language` is theirs,
    written the regional way ("December 3, 2026" is how Babel's plain `en` puts it).
    """
    text = babel_format_date(value, "long", locale=regional_locale(language))
    return first_of_month(text, value, language)


def select_locale() -> str:
    """The user's preference, then ?lang remembered in the session, then the browser, then
    French; as the regional locale that formats for that language."""
    return regional_locale(_select_language())


def _select_language() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and scheduled jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _babel_request_state() -> SimpleNamespace | None:
    """Flask-Babel's per-context state (locale, catalogue, domain, zone), read straight
    from the application context.

    Flask-Babel's own `_get_current_context` reaches it through `g`, a proxy, three
    times a call: about 2 µs, and every translated word, number and date asks for it, a
    hundred times on a page with a table. Same state, same answers (`force_locale`
    included); installed in place of Flask-Babel's by `PortalBabel.init_app`.
    """
    context = _cv_app.get(None)
    if context is None:
        return None
    state = context.g.__dict__.get("_flask_babel")
    if state is None:
        state = context.g._flask_babel = SimpleNamespace()
    return state


def _for_locale(name: str, compute):
    """`compute()` once per request and locale (force_locale switches it for a while).

    Flask-Babel finds the request's catalogue again at every call (the request context,
    the domain, the locale's identifier as text): about 30 µs, for a lookup of 0.2 µs,
    and a page asks dozens of times.
    """
    locale = get_locale()
    if locale is None:  # no request: CLI commands and jobs
        return compute()
    memo = _cv_app.get().g.__dict__.get(name)
    if memo is None or memo[0] is not locale:
        memo = (locale, compute())
        setattr(_cv_app.get().g, name, memo)
    return memo[1]


def current_language() -> str:
    """'fr' or 'en', for picking a model's name_fr / name_en."""
    return _for_locale("_current_language", lambda: str(get_locale() or "fr")[:2])


def request_translations():
    """The catalogue of the request's language, for the templates' gettext calls."""
    return _for_locale("_translations", get_translations)


class RequestCachedDomain(Domain):
    """Flask-Babel's message domain, its catalogue looked up once per request and locale.

    `gettext`, `_l` labels and form choices in Python code go through it.
    """

    def get_translations(self):
        return _for_locale("_translations", super().get_translations)


class PortalBabel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestCachedDomain(domain=self.domain)

    def init_app(self, app, *args, **kwargs) -> None:
        # Every Flask-Babel function finds its state through this module-level function.
        flask_babel._get_current_context = _babel_request_state
        super().init_app(app, *args, **kwargs)


def install_template_gettext(app) -> None:
    """Templates translate through `request_translations()` (same catalogue, same answer)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


@lru_cache(maxsize=128)
def _number_pattern(locale: Locale, pattern: str | None) -> NumberPattern:
    return parse_pattern(locale.decimal_formats[None] if pattern is None else pattern)


def format_clock(value: time, language: str | None = None) -> str:
    """A time of day as its reader writes it: « 9 h », « 10 h 30 » in French, as French
    administrative typography has it (Babel's "09:00" is not how a French page says
    it), Babel's short time in English ("09:00"). `language`: a message's reader, with no
    request around; the request's language otherwise."""
    language = language or current_language()
    if language == "fr":
        minutes = f"\u00a0{value.minute:02d}" if value.minute else ""
        return f"{value.hour}\u00a0h{minutes}"
    return babel_format_time(value, "short", locale=regional_locale(language))


@lru_cache(maxsize=1024)
def _day_text(day: date, fmt: str, _locale: Locale) -> str:
    # `_locale`, the request's, keys the text
    return first_of_month(format_date(day, fmt), day, _locale.language)


def format_day(value: date | datetime, fmt: str = "medium") -> str:
    """A day in the reader's language ("18 déc. 2026"), a moment's day in their time zone.

    Babel formats a date in about 15 µs and a list shows one per row; a day's text in a
    language never changes, so it is kept (per process, a thousand days at most).
    """
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return _day_text(value, fmt, get_locale())


def format_moment(value: datetime) -> str:
    """A date and a time to the minute, in the reader's language and time zone:
    "18 déc. 2026, 9 h", "18 Dec 2026, 09:00": the one way every page writes a moment.
    Babel's medium date-time writes the seconds too, which say nothing to someone
    reading when a message goes out."""
    return _moment_text(value, get_timezone(), get_locale())


@lru_cache(maxsize=4096)
def _moment_text(value: datetime, _zone, locale: Locale) -> str:
    # Keyed by the zone and the locale it is written for: a list shown again (a person's
    # entries after each log, an inbox) writes the same moments, 20 µs each.
    local = to_user_timezone(value)
    joined = locale.datetime_formats["medium"]
    return str(joined).format(format_clock(local.time()), format_day(local.date()))


PARIS = "Europe/Paris"


@lru_cache(maxsize=64)
def _zone_location(zone: str, locale: Locale) -> str:
    # CLDR's French writes « heure : La Réunion » with a plain space, which a line may
    # break at: the colon keeps its non-breaking space, as the catalogue's French does.
    return get_timezone_location(zone, locale=locale).replace(" :", "\u00a0:")


def zone_label() -> str:
    """The portal's time zone (TIMEZONE) as a label after a time says it, in the reader's
    language: « heure de Paris », "Paris time" for Europe/Paris; Babel's wording of
    another zone's place otherwise (« heure : La Réunion », "Réunion Time"), for an
    authority overseas whose pages would otherwise say their times are Paris's."""
    zone = current_app.config.get("TIMEZONE", PARIS)
    if zone == PARIS:
        return _("Paris time")
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    return _zone_location(zone, locale)


def zone_phrase() -> str:
    """The portal's time zone inside a sentence (« Les heures sont indiquées … »):
    « à l'heure de Paris », "in Paris time"; « à l'heure locale (heure : La Réunion) »,
    "in local time (Réunion Time)" elsewhere, Babel's wording being a label."""
    if current_app.config.get("TIMEZONE", PARIS) == PARIS:
        return _("in Paris time")
    return _("in local time (%(zone)s)", zone=zone_label())


def zone_place_phrase() -> str:
    """Where a local time is read, inside a sentence about the clocks: « à Paris », "in
    Paris" for Europe/Paris; `zone_phrase` elsewhere (« à l'heure locale (heure : La
    Réunion) »), so a portal in another zone never says its times are Paris's."""
    if current_app.config.get("TIMEZONE", PARIS) == PARIS:
        return _("in Paris")
    return zone_phrase()


#: zone_label() for form labels and messages made at import time (`_l`): read when shown.
lazy_zone_label = LazyString(zone_label)


# A day and a time in a sentence ("le 16 mars 2026 à 9 h"): not a translation, since
# messages are written for their reader with no request, hence no catalogue, around.
_AT = {"fr": "%(day)s à %(time)s", "en": "%(day)s at %(time)s"}


def format_full_moment(value: datetime) -> str:
    """A moment with its day named in full, in the reader's language and time zone, as
    a sentence says it: "Friday, 18 December 2026 at 18:00", « vendredi 18 décembre 2026
    à 18 h » (a new end read back without doubt, as the question before it asked)."""
    local = to_user_timezone(value)
    language = current_language()
    return _AT[language] % {
        "day": first_of_month(format_date(local, "full"), local.date(), language),
        "time": format_clock(local.time()),
    }


def moment_patterns() -> dict[str, str]:
    """How format_full_moment words a moment, as patterns for portal.js, which words a
    date-time typed in a form (a campaign's new end) in the question before it is sent:
    « {day} à {H} h {mm} », "{day} at {HH}:{mm}", and the same on the hour (« {day} à
    {H} h »). {day} is the day in full, {H} the hour, {HH} on two digits, {mm} the
    minutes: the words and the clock are the server's, in the reader's language."""
    language = current_language()

    def pattern(minute: int) -> str:
        # A sample time whose numbers become the placeholders (7 and 43 appear once).
        clock = format_clock(time(7, minute), language)
        clock = clock.replace("43", "{mm}").replace("07", "{HH}").replace("7", "{H}")
        return _AT[language] % {"day": "{day}", "time": clock}

    return {"moment": pattern(43), "moment-on-the-hour": pattern(0)}


def sentence_moment(value: datetime, language: str, zone) -> str:
    """A moment inside a message's sentence, for one reader with no request around:
    "16 mars 2026 à 9 h", "16 March 2026 at 09:00"."""
    local = value.astimezone(zone)
    day = long_date(local.date(), language)
    return _AT[language] % {"day": day, "time": format_clock(local.time(), language)}


def plural_count(value) -> int:
    """The count to give ngettext for `value`, which may be a fraction: a whole number as
    it is; a fraction 1 or 2 as the reader's language's plural rule (Babel) says it: a
    French fraction below 2 takes the singular (« 0,5 point », « 1,5 an »), an English
    one the plural ("0.5 points"). The catalogues' own rule reads whole numbers only."""
    if float(value).is_integer():
        return int(value)
    return 1 if get_locale().plural_form(abs(float(value))) == "one" else 2


def format_number(value, pattern: str | None = None) -> str:
    """Babel's format_decimal for the request's locale, its pattern parsed once.

    Babel parses the pattern again at every call (a regular expression and a dozen
    steps), and a leaderboard or a list of entries formats a hundred numbers.
    """
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    if pattern is None and type(value) is int and value >= 0:
        # Points, ranks, counts: grouped by three, as Babel writes them, ten times faster.
        return f"{value:,}".replace(",", _group_symbol(locale))
    if not value:  # Babel writes -0.0 as "-0", which a cache keyed by value mixes with 0
        return _number_pattern(locale, pattern).apply(value, locale)
    return _number_text(value, pattern, locale)


@lru_cache(maxsize=4096, typed=True)
def _number_text(value, pattern: str | None, locale: Locale) -> str:
    # Quantities repeat (0,5 Go, 2 kg, a price): Babel takes 20 µs to write one.
    return _number_pattern(locale, pattern).apply(value, locale)


def format_month(iso_month: str) -> str:
    """A month as people read it, in the request's locale: "2026-05" is "mai 2026" in
    French, "May 2026" in English. Exports keep "2026-05" for machines; text that is no
    such month comes back unchanged."""
    try:
        month = date.fromisoformat(f"{iso_month}-01")
    except (TypeError, ValueError):
        return iso_month
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    return format_skeleton("yMMMM", month, locale=locale)


@lru_cache(maxsize=16)
def _group_symbol(locale: Locale) -> str:
    return locale.number_symbols["latn"]["group"]


def integer_writer(language: str) -> Callable[[int], str]:
    """Whole numbers (zero or more) written for readers of `language`, without Babel at
    each call: "12\u202f400" in French, "12,400" in English.

    For text composed in bulk: a dispatch words the scores of 20,000 recipients, and
    Babel's format_decimal takes about 30 µs a number. Both languages group by three
    from the first thousand; `tests/core/test_i18n.py` compares with Babel.
    """
    group = Locale.parse(regional_locale(language)).number_symbols["latn"]["group"]
    return lambda value: f"{value:,}".replace(",", group)


#: One comma between digits, not followed by exactly three: no thousands group reads so.
DECIMAL_COMMA = re.compile(r"[+-]?\d+,(?!\d{3}$)\d+")


#: A point grouping thousands ('1.000', '12.500.000'): how many French readers write a
#: thousand, though Python and the English pages read a decimal point there.
POINT_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+")


#: What a person types as a number: an optional sign, digits, and the points and commas
#: that group or separate them (which of them is which is the locale's matter, below).
#: Python's float() reads more ('NaN', 'inf', '1e3', '1_000'), none of it typed as a
#: quantity: 'nan' slipped through as a number no range refuses, '1e3' as a thousand.
#: Written so that it never backtracks (only points and commas before the first digit):
#: `[0-9.,]*[0-9][0-9.,]*` took quadratic time, 3 s for 32 kB of digits, 45 min for a
#: 1 MB form field.
TYPED_NUMBER = re.compile(r"[+-]?[.,]*[0-9][0-9.,]*")

#: The longest number a person types ('-1 000 000 000,000001' and much more): a longer
#: text is no number, refused before any parser reads it.
TYPED_NUMBER_MAX_LENGTH = 100


class AmbiguousNumber(ValueError):
    """A number that reads two ways in the reader's language; its text says how to write
    it (every number field shows it rather than its own "Enter a number")."""


def parse_local_number(text: str, locale: Locale | str | None = None) -> float:
    """A number as the reader types it: '1,5' or '1 000,5' in French, '1,000.5' in English.

    A French phone keyboard offers a comma for decimals. The point is read too ('1.5'),
    as Python reads it. In English a comma that cannot group thousands ('1,5', '12,50':
    staff in France reading the English pages type it) is a decimal comma; '1,500' stays
    1,500. In French, '1.000' could be a thousand or one (AmbiguousNumber): a thousand
    times too small, silently, would be worse than a question. Anything else raises
    ValueError, 'NaN', 'inf' and exponents ('1e3') included.

    `locale`: a text written another way than the request's language (a CSV file is read
    by the convention of its own format, whoever uploads it)."""
    if len(text) > TYPED_NUMBER_MAX_LENGTH:
        raise ValueError("not a number as a person types it: too long")
    compact = re.sub(r"\s", "", text)  # spaces, no-break and narrow no-break spaces
    if not TYPED_NUMBER.fullmatch(compact):
        raise ValueError(f"not a number as a person types it: {text!r}")
    if locale is None:
        locale = get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]
    locale = Locale.parse(locale)
    if locale.number_symbols["latn"]["decimal"] == "," and POINT_GROUPED.fullmatch(compact):
        raise AmbiguousNumber(
            _(
                "%(typed)s reads two ways: write %(whole)s for a whole number, or %(decimal)s with a comma for a decimal.",
                typed=compact,
                whole=format_decimal(int(compact.replace(".", "")), locale=locale),
                decimal=compact.replace(".", ","),
            )
        )
    try:
        return float(parse_decimal(compact, locale=locale, strict=True))
    except NumberFormatError:
        if DECIMAL_COMMA.fullmatch(compact):
            return float(compact.replace(",", "."))
        return float(compact)


def format_kg_co2e(value: float | None, digits: int = 1) -> str:
    """A mass of CO2-equivalent, e.g. '1 234,5 kg CO₂e' in French."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return f"{format_number(value, pattern)}\u00a0kg\u00a0CO₂e"


def format_quantity(value: float, unit: str, length: str = "short") -> str:
    """A number with a CLDR unit ('gigabyte', 'kilogram', 'year'…) in the user's locale."""
    return format_unit(value, unit, length=length, locale=get_locale())


@lru_cache(maxsize=4096)  # the same few hundred names, sorted on every points page
def alphabetical(name: str) -> tuple[str, str]:
    """A key sorting names as a French index does: accents and capitals do not move a
    name ("Bègles" before "Blanquefort", not after "Bruges" as code points put it).

    SQLite orders by code point, and a PostgreSQL database's collation is the
    installer's choice: the short lists people pick from are sorted here instead."""
    return collation_key(name), name


_DIGITS = re.compile(r"\d+")


def collation_key(name: str) -> str:
    """`name` as a French index compares it, as plain text a database can sort and index:
    without accents or capitals, and with its numbers by value ("8-inch" before "10-inch").
    """
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _DIGITS.sub(lambda digits: digits[0].zfill(8), letters)[:255]


def labeller(labels: dict) -> Callable[[str], str]:
    """A function naming a stored key in the reader's language (the key itself when it has
    no label): for roles, states, units… that the database keeps as short English keys."""

    def label(key: str) -> str:
        return str(labels.get(key, key))

    return label
