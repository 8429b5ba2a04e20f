"""Locale selection and locale-aware formatting helpers for templates."""

from babel.units import format_unit
from flask import current_app, has_request_context, request, session
from flask_babel import format_decimal, get_locale
from flask_login import current_user


def select_locale() -> str:
    """The user's preference, then ?lang remembered in the session, then the browser, then French."""
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


def current_language() -> str:
    """'fr' or 'en', for picking a model's name_fr / name_en."""
    return str(get_locale() or "fr")[:2]


def format_kg_co2e(value: float | None, digits: int = 1) -> str:
    """A mass of CO2-equivalent, e.g. '1 234,5 kg CO₂e' in French."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return f"{format_decimal(value, format=pattern)}\u00a0kg\u00a0CO₂e"


def format_quantity(value: float, unit: str, length: str = "short") -> str:
    """A number with a CLDR unit ('gigabyte', 'kilogram', 'year'…) in the user's locale."""
    return format_unit(value, unit, length=length, locale=get_locale())
