"""Templates rendered once with slots (app/core/slots.py): what each use puts in is inert."""

from markupsafe import Markup

from app.core import slots


def _layout() -> list[str]:
    return slots.cut(f"<h1>{slots.slot('title')}</h1><p>{slots.slot('body')}</p>")


def test_values_are_escaped_unless_already_markup():
    html = slots.fill(_layout(), {"title": "<script>x</script>", "body": Markup("<em>hi</em>")})
    assert html == "<h1>&lt;script&gt;x&lt;/script&gt;</h1><p><em>hi</em></p>"


def test_a_value_that_looks_like_a_marker_stays_text():
    marker = str(slots.slot("body"))
    html = slots.fill(_layout(), {"title": marker, "body": "kept"})
    assert html == f"<h1>{marker}</h1><p>kept</p>"


def test_a_slot_without_a_value_is_left_empty():
    assert slots.fill(_layout(), {"title": "T"}) == "<h1>T</h1><p></p>"
