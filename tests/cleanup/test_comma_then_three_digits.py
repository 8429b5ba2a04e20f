"""On the English pages a quantity with a comma then three digits ('1,250') reads two ways:
1250 where a comma groups thousands, 1.25 to the staff in France who read them. It is
asked, as the French pages ask about '1.000', rather than logged a thousand times off."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant, refusal_at


@pytest.fixture
def english(client, make, make_campaign):
    """A person reading the English pages, in a campaign running since yesterday whose
    daily caps let a thousand through."""
    now = utcnow()
    rules = [
        {"action_type_id": t.id, "points_per_unit": 1, "daily_cap": 10_000}
        for t in services.ensure_default_action_types()
    ]
    campaign = make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5), rules=rules
    )
    return Participant(client, campaign, make.user(locale="en"))


def _quantities() -> list[float]:
    db.session.expire_all()
    return [
        a.quantity for a in db.session.scalars(select(CleanupAction).order_by(CleanupAction.id))
    ]


def test_a_comma_then_three_digits_is_asked_about_on_the_english_log_form(english):
    response = english.log("remove-duplicates", "1,250", htmx=False)
    assert response.status_code == 422
    assert html.unescape(refusal_at(response.get_data(as_text=True), "quantity")) == (
        "1,250 reads two ways: write 1250 for a whole number, or 1.250 with a point for a decimal."
    )
    assert _quantities() == []


def test_a_comma_then_three_digits_is_asked_about_through_htmx_too(english):
    response = english.log("delete-mail", "1,500")
    assert response.status_code == 422
    assert "1,500 reads two ways" in html.unescape(response.get_data(as_text=True))
    assert _quantities() == []


def test_a_correction_with_a_comma_then_three_digits_is_asked_about(english):
    assert english.log("delete-mail", "2").status_code == 200
    entry_id = db.session.scalars(select(CleanupAction.id)).one()
    response = english.correct(entry_id, "1,250")
    assert response.status_code == 422
    assert "1,250 reads two ways" in html.unescape(response.get_data(as_text=True))
    assert _quantities() == [2]


def test_every_other_english_form_reads_as_before(english):
    for typed in ("1,5", "12,50", "1.25", "1,250.5", "1500"):
        assert english.log("empty-cloud", typed).status_code == 200, typed
    # Items are whole: '1,000' reads only one way.
    assert english.log("unsubscribe", "1,000").status_code == 200
    assert _quantities() == [1.5, 12.5, 1.25, 1250.5, 1500, 1000]


def test_the_french_form_reads_a_comma_then_three_digits_as_a_decimal(participant):
    assert participant.log("delete-mail", "1,250").status_code == 200
    assert _quantities() == [1.25]
