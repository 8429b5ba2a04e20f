"""Two lines of opening hours in one line (messages, the message form's example) are
joined as French writes it, a no-break space before the semicolon (« 12 h ; samedi »
with U+00A0), and as English writes it ("12:00 PM; Saturday")."""

from app.recycling import hours, providers
from tests.recycling.conftest import NOW

TWO_LINES = "Mo-Fr 09:00-12:00; Sa 10:00-12:00"


def test_the_hours_line_puts_a_no_break_space_before_the_semicolon_in_french(app):
    with app.test_request_context():
        described = hours.describe_text(TWO_LINES, "fr")
    assert "\u00a0; " in described and " ; " not in described


def test_the_message_variable_keeps_the_no_break_space(make, rec, app):
    rec.point(opening_hours=TWO_LINES)
    person = make.user(locale="fr")
    with app.test_request_context():
        variables = providers.message_variables([person], NOW, {})
    line = variables[person.id]["nearest_collection_point_hours"]
    assert "12\u00a0h\u00a0; samedi" in line


def test_english_keeps_its_plain_semicolon(app):
    with app.test_request_context():
        described = hours.describe_text(TWO_LINES, "en")
    assert "; " in described and "\u00a0;" not in described
