"""A quantity typed with its unit (« 5 Go », "0.5GB", « 3 éléments ») is read as the
number in that unit; other words after the number are refused, naming the unit, rather
than told to type a number when one was there."""

import html

from sqlalchemy import select

from app.cleanup.models import CleanupAction
from app.extensions import db
from tests.cleanup.conftest import refusal_at


def _quantities() -> list[float]:
    db.session.expire_all()
    return list(db.session.scalars(select(CleanupAction.quantity).order_by(CleanupAction.id)))


def test_a_quantity_with_its_unit_in_either_language_is_logged(participant):
    for typed in ("5 Go", "0,5 Go", "1,5go", "2 GB", "0.5gb"):
        assert participant.log("delete-mail", typed).status_code == 200, typed
    for typed in ("3 éléments", "1 élément", "4 Items", "2item"):
        assert participant.log("unsubscribe", typed).status_code == 200, typed
    assert _quantities() == [5, 0.5, 1.5, 2, 0.5, 3, 1, 4, 2]


def test_other_words_after_the_number_are_refused_naming_the_unit(participant):
    response = participant.log("delete-mail", "500 Mo", htmx=False)
    assert response.status_code == 422
    assert html.unescape(refusal_at(response.get_data(as_text=True), "quantity")) == (
        "Saisissez le nombre seul, sans unité\u00a0: cette action se compte en Go."
    )
    response = participant.log("unsubscribe", "3 Go")
    assert "cette action se compte en éléments" in html.unescape(response.get_data(as_text=True))
    assert _quantities() == []


def test_a_correction_takes_the_unit_too(participant):
    assert participant.log("delete-mail", "2").status_code == 200
    entry_id = db.session.scalars(select(CleanupAction.id)).one()
    assert participant.correct(entry_id, "3 Go").status_code == 200
    assert _quantities() == [3]
    response = participant.correct(entry_id, "4 kg")
    assert response.status_code == 422
    assert "sans unité\u00a0: cette action se compte en Go" in html.unescape(
        response.get_data(as_text=True)
    )
    assert _quantities() == [3]


def test_text_without_a_number_is_still_asked_as_a_number(participant):
    response = participant.log("delete-mail", "cinq Go", htmx=False)
    assert "Saisissez la quantité sous forme de nombre." in html.unescape(
        refusal_at(response.get_data(as_text=True), "quantity")
    )
