""" "My badges" showed badge names only: a disclosure under it says what earns each one,
in the reader's language."""

import html
import re


def _help(page: str) -> str:
    found = re.search(r'<details class="cleanup-badges-help"[^>]*>(.*?)</details>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def test_my_badges_explains_how_each_badge_is_earned(participant):
    shown = _help(participant.page())
    assert "<summary>Comment obtenir les badges</summary>" in shown
    assert "<dt>Premier pas</dt><dd>A enregistré une première action.</dd>" in shown
    assert "<dt>Club des 10 Go</dt>" in shown


def test_the_explanation_is_in_english_for_an_english_reader_and_after_a_log(participant, make):
    participant.sign_in(make.user(locale="en"))
    fragment = participant.log("delete-mail", "1").get_data(as_text=True)
    assert "<dt>10 GB club</dt><dd>Freed at least 10 GB.</dd>" in _help(fragment)
