"""Recycling pages' accessibility: the desk's empty search refused by the
portal at the field, a required group of tick boxes said once, the points' later pages
named in their title, and the statistics in large text kept within the window."""

import html
import re

import pytest

from tests.conftest import browser_sign_in, login
from tests.recycling.conftest import error_at


def _text(response) -> str:
    return response.get_data(as_text=True)


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", _text(response), re.S).group(1)


def test_an_empty_receipt_search_is_refused_at_the_field_by_the_portal(client, rec):
    login(client, rec.agent(rec.point()))
    page = _text(client.get("/recycling/agent?receipt=+"))
    assert html.unescape(error_at(page, "receipt")) == (
        "Saisissez le numéro de reçu que présente la personne, ou le numéro d'inventaire "
        "de l'appareil."
    )
    field = re.search(r'<input id="receipt"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and "autofocus" in field
    assert "novalidate" in re.search(r'<form [^>]*role="search"[^>]*>', page).group(0)
    assert _title(client.get("/recycling/agent?receipt=")).startswith("Erreur\u00a0: ")


def test_the_desk_without_a_search_shows_no_error(client, rec):
    login(client, rec.agent(rec.point()))
    page = _text(client.get("/recycling/agent"))
    assert error_at(page, "receipt") == ""
    assert not _title(client.get("/recycling/agent")).startswith("Erreur")


def test_the_accepted_types_say_once_in_their_legend_that_one_is_needed(client, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _text(client.get("/recycling/admin/points/new"))
    group = re.search(r"<fieldset[^>]*>\s*<legend>(.*?)</legend>(.*?)</fieldset>", page, re.S)
    legend, boxes = group.groups()
    assert re.sub(r"<[^>]+>", "", legend) == "Types d'appareils acceptés (obligatoire)"
    assert boxes.count('type="checkbox"') == 7
    assert not re.search(r"<input[^>]*\brequired\b", boxes)


def test_no_accepted_type_ticked_is_still_refused(auth, point_data):
    data = {k: v for k, v in point_data.items() if k != "accepted_types"}
    page = _text(auth.post("/recycling/admin/points/new", data))
    assert error_at(page, "accepted_types") == "Choose at least one device type."


def test_the_points_page_past_the_first_names_its_page_in_its_title(client, rec, make):
    for _ in range(11):  # ten a page
        rec.point()
    login(client, make.user(locale="fr"))
    assert _title(client.get("/recycling/")) == "Recyclage · Empreinte"
    for _ in range(2):  # the second time from the cache
        assert _title(client.get("/recycling/?page=2")) == "Recyclage, page 2 · Empreinte"


@pytest.mark.browser
def test_the_statistics_in_double_size_text_never_scroll_sideways(page, make):
    """200 % text on a 1440 px window: a long label wraps instead of widening the page."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32}})
    browser_sign_in(page, make.user(roles=("admin",), locale="fr"))
    page.goto("/recycling/admin/statistics")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
