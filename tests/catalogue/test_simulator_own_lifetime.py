"""The keep-it-longer simulator opens at the item's own lifetime for every item: its
range (2 to 10 years) stretches to a lifetime outside it, so that an item kept 1.5 or 12
years no longer opened at 2 or 10, beside a label figured at its own lifetime."""

import html
import re

import pytest

from tests.conftest import login

HX = {"HX-Request": "true"}
# lifetime, the years' list as the page opens, the years just outside its range
CASES = [
    (1.5, {"min": "1.5", "max": "10", "value": "1.5"}, "1.4"),
    (12.0, {"min": "2", "max": "12", "value": "12"}, "12.1"),
]


def _slider(page: str) -> dict[str, str]:
    """The years' list as the page opens: its first and last years and the one chosen
    (a slider once, which showed no number without JavaScript)."""
    options = re.search(r'<select[^>]*name="years"[^>]*>(.*?)</select>', page, re.S).group(1)
    values = re.findall(r'<option (?:selected )?value="([^"]*)"', options)
    chosen = re.search(r'<option selected value="([^"]*)"', options)
    return {"min": values[0], "max": values[-1], "value": chosen.group(1) if chosen else ""}


def _figure(page: str) -> str:
    return re.search(r'<p class="lifetime-figure">([^<]*)', html.unescape(page)).group(1).strip()


@pytest.mark.parametrize(("lifetime", "slider", "_outside"), CASES)
def test_the_slider_and_its_text_open_at_the_items_own_lifetime(
    client, make, make_item, lifetime, slider, _outside
):
    login(client, make.user(locale="en"))
    page = client.get(f"/catalogue/items/{make_item(lifetime_years=lifetime).id}").text
    assert _slider(page) == slider
    assert _figure(page).startswith(f"Kept {slider['value']} years, its expected lifetime")


@pytest.mark.parametrize(("lifetime", "slider", "_outside"), CASES)
def test_without_javascript_recompute_at_the_opening_keeps_the_items_lifetime(
    client, make, make_item, lifetime, slider, _outside
):
    login(client, make.user(locale="en"))
    item = make_item(lifetime_years=lifetime)
    opening = client.get(f"/catalogue/items/{item.id}").text
    answer = client.get(f"/catalogue/items/{item.id}/lifetime?years={slider['value']}")
    assert answer.location == f"/catalogue/items/{item.id}?years={slider['value']}#lifetime"
    again = client.get(answer.location)
    assert again.status_code == 200
    assert _slider(again.text) == slider and _figure(again.text) == _figure(opening)


@pytest.mark.parametrize(("lifetime", "slider", "_outside"), CASES)
def test_with_htmx_the_items_own_lifetime_is_computed(
    client, make, make_item, lifetime, slider, _outside
):
    login(client, make.user(locale="en"))
    item = make_item(lifetime_years=lifetime)
    fragment = client.get(
        f"/catalogue/items/{item.id}/lifetime?years={slider['value']}", headers=HX
    )
    assert fragment.status_code == 200
    assert _figure(fragment.text).startswith(f"Kept {slider['value']} years, its expected")


@pytest.mark.parametrize(
    ("lifetime", "outside", "message"),
    [
        (1.5, "1.4", "Choisissez une durée de 1,5 à 10 ans."),
        (12.0, "12.1", "Choisissez une durée de 2 à 12 ans."),
    ],
)
@pytest.mark.parametrize("headers", [HX, {}])
def test_years_past_the_items_range_are_refused_with_its_numbers(
    client, make, make_item, lifetime, outside, message, headers
):
    login(client, make.user(locale="fr"))
    item = make_item(lifetime_years=lifetime)
    answer = client.get(f"/catalogue/items/{item.id}/lifetime?years={outside}", headers=headers)
    assert answer.status_code == (200 if headers else 400)
    assert html.unescape(answer.text).count(message) == 1
    assert "lifetime-figure" not in answer.text


def test_an_item_within_the_usual_range_keeps_two_to_ten_years(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(lifetime_years=4)
    assert _slider(client.get(f"/catalogue/items/{item.id}").text)["min"] == "2"
    refused = client.get(f"/catalogue/items/{item.id}/lifetime?years=1.5", headers=HX).text
    assert "Choose a lifetime from 2 to 10 years." in refused
