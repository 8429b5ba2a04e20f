"""The demo's refurbished items, described in English as English writes a percentage."""

from app.catalogue.seed import REFURBISHED_NOTE


def test_english_writes_a_percentage_without_a_space_before_the_sign():
    english = REFURBISHED_NOTE["en"]
    assert "counts for 25% (10 to 40%) of the same" in english
    assert " %" not in english and "\u00a0%" not in english
    # French keeps its no-break space before the sign.
    assert "25\u00a0% (de 10 à 40\u00a0%)" in REFURBISHED_NOTE["fr"]
