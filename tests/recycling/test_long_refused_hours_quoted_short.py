"""A refused value quoted in a recycling form's message is cut to about 60 characters,
after a word where one ends, followed by « … »: the message stays readable whatever was
typed (up to the field's 250 characters)."""

import html
import re

from tests.conftest import login
from tests.recycling.conftest import error_at

LONG_WORD = "lundiaumatinetaussilemardi" * 9  # no word ends in it
RANGES = ",".join(f"{h:02d}:00-{h:02d}:30" for h in range(7, 20))  # words end at commas


def _message(auth, point_data, hours: str) -> str:
    page = auth.post("/recycling/admin/points/new", {**point_data, "opening_hours": hours})
    assert page.status_code == 422
    return html.unescape(error_at(page.get_data(as_text=True), "opening_hours"))


def _quoted(message: str) -> list[str]:
    return re.findall(r"“(.*?)”", message)


def test_a_long_word_not_in_the_syntax_is_quoted_cut_short(auth, point_data):
    message = _message(auth, point_data, f"Mo-Fr 08:30-12:00; {LONG_WORD}"[:250])
    (part,) = _quoted(message)
    assert part == LONG_WORD[:60] + "…"
    assert message.endswith("e.g. Mo-Fr 08:30-12:00; PH off.")


def test_long_rules_are_cut_after_a_word(auth, point_data):
    message = _message(auth, point_data, f"Dec 24 off; Mo-Fr {RANGES}")
    rule, exception = _quoted(message)
    assert rule == "Mo-Fr 07:00-07:30,08:00-08:30,09:00-09:30,10:00-10:30…"
    assert exception == "Dec 24 off"


def test_a_french_admin_reads_the_value_cut_short_too(auth, make, point_data):
    login(auth.client, make.user(roles=("admin",), locale="fr"))
    message = _message(auth, point_data, f"Mo-Fr 08:30-12:00; {LONG_WORD}"[:250])
    assert re.findall(r"«\s(.*?)\s»", message) == [LONG_WORD[:60] + "…"]
    assert message.startswith("Ces horaires")
