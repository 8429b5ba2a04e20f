"""Locale selection order, <html lang>, the language button and locale formatting."""

import html

import pytest
from babel.numbers import format_decimal as babel_decimal
from flask_babel import force_locale, format_decimal, gettext

from app.auth.models import User
from app.core.i18n import (
    AmbiguousNumber,
    alphabetical,
    format_kg_co2e,
    format_moment,
    format_month,
    format_number,
    integer_writer,
    parse_local_number,
    regional_locale,
)
from app.extensions import db
from tests.conftest import csrf_token, login


def html_lang(response) -> str:
    text = response.get_data(as_text=True)
    return text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_french_is_the_default(client):
    assert html_lang(client.get("/auth/sign-in")) == "fr"


def test_browser_language_is_used_when_nothing_else_is_set(client):
    response = client.get("/auth/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(response) == "en"
    assert "Sign in" in response.get_data(as_text=True)


def test_lang_parameter_beats_the_browser_and_is_remembered(client):
    client.get("/auth/sign-in?lang=en", headers={"Accept-Language": "fr"})
    response = client.get("/auth/sign-in", headers={"Accept-Language": "fr"})
    assert html_lang(response) == "en"


def test_unknown_lang_parameter_is_ignored(client):
    assert html_lang(client.get("/auth/sign-in?lang=xx")) == "fr"


def test_user_preference_beats_lang_parameter_and_browser(client, make):
    user = make.user(locale="en")
    login(client, user)
    response = client.get("/?lang=fr", headers={"Accept-Language": "fr"})
    assert html_lang(response) == "en"


def test_language_button_saves_the_signed_in_users_preference(client, make):
    user = make.user(locale="fr")
    login(client, user)
    response = client.post(
        "/language", data={"lang": "en", "next": "/auth/profile", "csrf_token": csrf_token(client)}
    )
    assert response.headers["Location"] == "/auth/profile"
    assert db.session.get(User, user.id).locale == "en"
    assert html_lang(client.get("/")) == "en"


def test_language_button_for_anonymous_visitors_uses_the_session(client):
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    assert html_lang(client.get("/auth/sign-in")) == "en"


def test_language_button_refuses_an_external_next(client):
    response = client.post(
        "/language",
        data={"lang": "en", "next": "https://evil.example/", "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/"


def test_error_pages_speak_the_users_language(client):
    assert "n'existe pas" in html.unescape(client.get("/nowhere").get_data(as_text=True))
    english = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert "does not exist" in english.get_data(as_text=True)


def test_masses_are_formatted_for_the_locale(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert format_kg_co2e(1234.5) == "1\u202f234,5\u00a0kg\u00a0CO₂e"
        with force_locale("en"):
            assert format_kg_co2e(1234.5) == "1,234.5\u00a0kg\u00a0CO₂e"


def test_moments_are_written_to_the_minute_in_the_readers_time_zone(app):
    """When a message goes out or a request was sent: no seconds, Paris time."""
    from datetime import UTC, datetime

    winter_eight_utc = datetime(2026, 12, 18, 8, 0, 41, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("fr"):
            assert format_moment(winter_eight_utc) == "18 déc. 2026, 9\u00a0h"
        with force_locale(regional_locale("en")):
            assert format_moment(winter_eight_utc) == "18 Dec 2026, 09:00"


def test_days_are_written_in_the_readers_language_and_time_zone_each_time(app):
    """The `date` filter keeps a day's text: asked again in the other language (or for
    late evening in Paris, already the next day there), it still answers for the reader."""
    from datetime import UTC, date, datetime

    late_evening = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 1 January in Paris
    template = app.jinja_env.from_string("{{ day|date }} / {{ moment|date('long') }}")
    with app.test_request_context():
        for _round in range(2):
            with force_locale("fr"):
                written = template.render(day=date(2026, 12, 18), moment=late_evening)
                assert written == "18 déc. 2026 / 1er janvier 2027"
            with force_locale(regional_locale("en")):
                written = template.render(day=date(2026, 12, 18), moment=late_evening)
                assert written == "18 Dec 2026 / 1 January 2027"


def test_the_first_of_a_month_is_an_ordinal_in_french_wherever_a_day_is_written(app):
    """« 1er décembre », as French writes it; the 11th, the 21st and English unchanged."""
    from datetime import UTC, date, datetime

    from app.core.i18n import format_full_moment, long_date, sentence_moment

    first = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 9:00 in Paris
    with app.test_request_context():
        with force_locale("fr"):
            assert format_moment(first) == "1er déc. 2026, 9\u00a0h"
            assert format_full_moment(first) == "mardi 1er décembre 2026 à 9\u00a0h"
            assert format_moment(first.replace(day=11)) == "11 déc. 2026, 9\u00a0h"
            assert format_moment(first.replace(day=21)) == "21 déc. 2026, 9\u00a0h"
        with force_locale(regional_locale("en")):
            assert format_moment(first) == "1 Dec 2026, 09:00"
    assert long_date(date(2026, 12, 1), "fr") == "1er décembre 2026"
    assert long_date(date(2026, 12, 1), "en") == "1 December 2026"
    assert sentence_moment(first, "fr", UTC).startswith("1er décembre 2026 à")


@pytest.mark.parametrize(
    ("language", "iso", "written"),
    [
        ("fr", "2026-05", "mai 2026"),
        ("en", "2026-05", "May 2026"),
        ("fr", "2026-12", "décembre 2026"),
    ],
)
def test_months_are_named_in_the_readers_language(app, language, iso, written):
    """Statistics name "2026-05" the reader's way; the exports keep the ISO month."""
    with app.test_request_context(), force_locale(regional_locale(language)):
        assert format_month(iso) == written


@pytest.mark.parametrize("text", ["2026-13", "mai", "", "2026-05-12"])
def test_text_that_is_no_month_is_shown_as_it_is(app, text):
    with app.test_request_context(), force_locale("fr"):
        assert format_month(text) == text


def test_whole_numbers_written_in_bulk_read_as_babel_writes_them():
    """The fast writer a dispatch uses for 20,000 scores: "12 400" in French."""
    for language in ("fr", "en"):
        write = integer_writer(language)
        for value in (0, 1, 999, 1000, 12400, 20000, 1234567):
            assert write(value) == babel_decimal(value, locale=regional_locale(language))
    assert integer_writer("fr")(12400) == "12\u202f400"
    assert integer_writer("en")(12400) == "12,400"


def test_numbers_are_formatted_as_babel_does_in_each_locale(app):
    """The number filter keeps parsed patterns: what it writes must not change."""
    patterns = (None, "#,##0.###", "0.###", "#,##0", "#,##0.0")
    with app.test_request_context():
        for language, expected in (("fr", "1\u202f234\u202f567,891"), ("en", "1,234,567.891")):
            with force_locale(language):
                assert format_number(1234567.891) == expected
                for value in (
                    0,
                    1,
                    999,
                    1000,
                    20000,
                    1234567,
                    -1234,
                    -3.5,
                    0.0004,
                    99.999,
                    1234567.891,
                ):
                    for pattern in patterns:
                        assert format_number(value, pattern) == format_decimal(value, pattern)


def test_menu_marks_only_the_current_entry_of_a_section(client, make):
    admin = make.user(roles=("admin",))
    login(client, admin)
    page = client.get("/catalogue/").get_data(as_text=True)
    assert page.count('aria-current="page"') == 1
    assert 'href="/catalogue/" aria-current="page"' in page


def test_templates_follow_a_locale_forced_for_a_while(app):
    """A page in French can render a message in the recipient's English, then go on in French."""
    template = app.jinja_env.from_string("{{ _('Sign out') }} {{ current_language() }}")
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert template.render() == "Se déconnecter fr"
        assert gettext("Sign out") == "Se déconnecter"
        with force_locale("en"):
            assert template.render() == "Sign out en"
            assert gettext("Sign out") == "Sign out"
        assert template.render() == "Se déconnecter fr"
        assert gettext("Sign out") == "Se déconnecter"


@pytest.mark.parametrize(
    ("locale", "typed", "read"),
    [
        ("fr", "1,5", 1.5),
        ("fr", "1.5", 1.5),
        ("fr", "1 000,5", 1000.5),
        ("fr", "1\u202f000,5", 1000.5),
        ("fr", " 49,5 ", 49.5),
        ("en", "1.5", 1.5),
        ("en", "1,000.5", 1000.5),
        ("en", "1,000", 1000.0),
        ("en", "1,5", 1.5),  # staff in France reading the English pages
        ("en", "12,50", 12.5),
    ],
)
def test_numbers_are_read_as_the_reader_types_them(app, locale, typed, read):
    with app.test_request_context(), force_locale(locale):
        assert parse_local_number(typed) == read


@pytest.mark.parametrize(("locale", "typed"), [("en", "1,5,0"), ("fr", "abc"), ("fr", "")])
def test_a_number_that_is_not_one_in_the_readers_language_is_refused(app, locale, typed):
    with app.test_request_context(), force_locale(locale), pytest.raises(ValueError):
        parse_local_number(typed)


def test_a_point_grouping_thousands_is_a_question_in_french_not_one_unit(app):
    """'1.000' logged 1 GB for someone who meant a thousand: a thousand times too small,
    silently. It is asked about; a decimal point that cannot group thousands is read."""
    with app.test_request_context(), force_locale("fr"):
        with pytest.raises(
            AmbiguousNumber,
            match="écrivez 1\u202f000 pour un nombre entier, ou 1,000 avec une virgule",
        ):
            parse_local_number("1.000")
        assert parse_local_number("0.500") == 0.5
        assert parse_local_number("1.50") == 1.5
    with app.test_request_context(), force_locale("en"):
        assert parse_local_number("1.000") == 1.0


def test_names_are_sorted_as_a_french_index_sorts_them():
    communes = ["Bruges", "Eysines", "Bègles", "bordeaux", "Ambès", "Ambarès-et-Lagrave", "Écully"]
    assert sorted(communes, key=alphabetical) == [
        "Ambarès-et-Lagrave",
        "Ambès",
        "Bègles",
        "bordeaux",
        "Bruges",
        "Écully",
        "Eysines",
    ]
