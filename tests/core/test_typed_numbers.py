"""Numbers are read as a person types them in their language: Python's words for
numbers ('NaN', 'inf', '1e3') are not quantities."""

import html

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.cleanup.models import CleanupAction
from app.core.i18n import parse_local_number
from app.extensions import db
from tests.cleanup.conftest import make_campaign, participant  # noqa: F401 (fixtures)

NOT_TYPED_NUMBERS = ["NaN", "nan", "inf", "-inf", "infinity", "Infinity", "1e3", "1E3", "1_000"]


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("typed", NOT_TYPED_NUMBERS)
def test_python_words_for_numbers_are_not_numbers_typed_in_either_language(app, locale, typed):
    with app.test_request_context(), force_locale(locale), pytest.raises(ValueError):
        parse_local_number(typed)


@pytest.mark.parametrize(
    ("locale", "typed", "read"),
    [
        ("fr", "-1,5", -1.5),
        ("fr", "+2", 2.0),
        ("fr", "1\u00a0000", 1000.0),
        ("en", "-1,000.5", -1000.5),
        ("en", "+0.5", 0.5),
    ],
)
def test_signed_and_grouped_numbers_are_still_read(app, locale, typed, read):
    with app.test_request_context(), force_locale(locale):
        assert parse_local_number(typed) == read


@pytest.mark.parametrize("typed", ["NaN", "inf", "-infinity"])
def test_a_quantity_typed_as_nan_or_infinity_is_asked_as_a_number(participant, typed):  # noqa: F811
    response = participant.log("delete-mail", typed)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Saisissez la quantité sous forme de nombre." in page
    assert "supérieure à zéro" not in page


def test_a_quantity_with_an_exponent_is_not_read_as_a_thousand(participant, make):  # noqa: F811
    participant.sign_in(make.user(locale="en"))
    response = participant.log("delete-mail", "1e3")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and "Enter the quantity as a number." in page
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0
