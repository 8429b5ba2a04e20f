"""A point's hours inside a reminder's sentence, after "Opening hours:"."""

from app.recycling.providers import _hours_in_sentence

HOURS = "Mo-Fr 08:30-12:00; PH off"


def test_english_hours_mid_sentence_keep_day_capitals_only(app):
    """ "…; Public holidays: closed" read wrongly inside an English sentence."""
    with app.test_request_context():
        text = _hours_in_sentence(HOURS, "en")
    assert text.startswith("Monday to Friday: ")
    assert text.endswith("; public holidays: closed")


def test_french_hours_mid_sentence_are_lower_case(app):
    with app.test_request_context():
        text = _hours_in_sentence(HOURS, "fr")
    assert text.startswith("du lundi au vendredi\u00a0: ")
    assert text.endswith("jours fériés\u00a0: fermé")
