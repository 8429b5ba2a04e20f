"""« Le garder plus longtemps »: the years chosen are seen and chosen without JavaScript
(review of Dec 6: the slider showed no number unless portal.js ran, so one could not tell
which year « Recalculer » would compute)."""

import html
import re

from tests.conftest import login


def _years(page: str) -> list[tuple[bool, str, str]]:
    """The years' control as the server writes it: (chosen, value, text) of each option."""
    control = re.search(r'<select[^>]*name="years"[^>]*>(.*?)</select>', page, re.S)
    assert control, "no list of years in the page"
    options = re.findall(r'<option (selected )?value="([^"]*)">([^<]*)</option>', control[1])
    return [(bool(chosen), value, html.unescape(text)) for chosen, value, text in options]


def test_the_years_chosen_are_written_with_their_unit_without_javascript(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(lifetime_years=2.5)
    years = _years(client.get(f"/catalogue/items/{item.id}").text)
    assert [text for chosen, _, text in years if chosen] == ["2,5 ans"]
    # Its own 2.5 years a whole number of years apart too: « Une année de plus (3,5 ans) ».
    assert [value for _, value, _ in years] == [
        "2", "2.5", "3", "3.5", "4", "4.5", "5", "5.5", "6", "6.5", "7", "7.5", "8", "8.5",
        "9", "9.5", "10",
    ]  # fmt: skip


def test_recompute_without_javascript_opens_at_the_years_picked(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(lifetime_years=2.5)
    answer = client.get(f"/catalogue/items/{item.id}/lifetime?years=7")
    page = client.get(answer.location).text
    assert [text for chosen, _, text in _years(page) if chosen] == ["7 ans"]
    assert "Gardé 7 ans" in html.unescape(page)
