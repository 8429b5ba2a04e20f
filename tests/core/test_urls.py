"""How every list reads the page it is asked for."""

import pytest

from app.core.urls import requested_page


@pytest.mark.parametrize(
    ("asked", "page"),
    [("", 1), ("abc", 1), ("0", 1), ("-3", 1), ("٣", 1), ("3", 3), ("99999999999999", 100_000)],
)
def test_a_page_typed_by_hand_is_the_first_or_past_any_end(app, asked, page):
    """Every list reads ?page= the same way; past any end, the list shows its last page."""
    with app.test_request_context(f"/?page={asked}"):
        assert requested_page() == page
