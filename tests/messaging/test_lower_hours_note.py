"""The README recommended `{{ nearest_collection_point_hours|lower }}` for French
sentences; copied into the English body it wrote « monday to friday ». The editor says,
in the page's language, that `|lower` suits French sentences only."""

import html
import re

import pytest

from tests.conftest import login

NOTES = {
    "en": "|lower suits French sentences only (« du lundi au vendredi… »): English day "
    "names keep their capital (“Monday to Friday…”).",
    "fr": "|lower ne convient qu'aux phrases en français («\u00a0du lundi au vendredi…\u00a0»)"
    "\u00a0: en anglais, les jours gardent leur majuscule («\u00a0Monday to Friday…\u00a0»).",
}


def _help_of(page: str, name: str) -> str:
    """The editor's help of one variable, as read."""
    [help_] = re.findall(rf"<dt><code>{{{{ {name} }}}}</code></dt><dd>(.*?)</dd>", page, re.S)
    return html.unescape(help_)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_hours_help_says_lower_suits_french_sentences_only(client, make, locale):
    login(client, make.user(roles=("organiser",), locale=locale))
    page = html.unescape(client.get("/messaging/templates/new").get_data(as_text=True))
    assert NOTES[locale] in _help_of(page, "nearest_collection_point_hours")


def test_no_other_variable_gets_the_note(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    page = html.unescape(client.get("/messaging/templates/new").get_data(as_text=True))
    assert "|lower" not in _help_of(page, "nearest_collection_point")
