"""A point's accepted device types are said in one order everywhere, the order of their
definition, whatever order they were stored in (review of Dec 6: « Centre technique
municipal – Ambès » listed « …, Accessoire…, Écran », the monitor last)."""

import html
import re

from tests.conftest import login

STORED = "laptop,smartphone,tablet,accessory,monitor"
IN_ORDER_FR = "Ordinateur portable, écran, smartphone, tablette, accessoire"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _accepts(page: str) -> str:
    """What follows « Accepte : » (its first occurrence), up to the end of its line."""
    match = re.search(r"Accepte\s*:\s*([^.\n]*?)(?:\.| Déposer| Affiche)", _text(page))
    return match.group(1).strip() if match else ""


def test_the_points_list_says_the_types_in_their_definition_order(client, make, rec):
    login(client, make.user(locale="fr"))
    rec.point(accepted_types=STORED)
    assert _accepts(client.get("/recycling/").text).startswith(IN_ORDER_FR)


def test_the_return_form_says_the_types_in_their_definition_order(client, make, rec):
    login(client, make.user(locale="fr"))
    point = rec.point(accepted_types=STORED)
    page = client.get(f"/recycling/returns/new?point={point.id}").text
    assert _accepts(page).startswith(IN_ORDER_FR)
    assert (
        f'data-accepted="{",".join(["laptop", "monitor", "smartphone", "tablet", "accessory"])}"'
        in page
    )


def test_the_poster_says_the_types_in_their_definition_order(client, make, rec):
    login(client, make.user(locale="fr"))
    point = rec.point(accepted_types=STORED)
    text = _text(client.get(f"/recycling/points/{point.id}/poster").text)
    assert re.search(r"Ordinateur portable.*écran.*smartphone.*tablette.*accessoire", text)


def test_the_api_gives_the_types_in_their_definition_order(client, make, rec):
    login(client, make.user(locale="fr"))
    point = rec.point(accepted_types=STORED)
    points = client.get("/api/v1/collection-points").get_json()["collection_points"]
    listed = next(p for p in points if p["id"] == point.id)
    assert listed["accepted_device_types"] == [
        "laptop", "monitor", "smartphone", "tablet", "accessory"
    ]  # fmt: skip
