"""The goal line of the campaign messages agrees with its numbers: the results e-mail
said « 1 participants sur 5 participants »."""

import pytest

from app.cleanup.integration import goal_text


@pytest.mark.parametrize(
    ("goal", "locale", "expected"),
    [
        ({"achieved": 1, "target": 5, "unit": "participants"}, "fr",
         "1\u00a0participant sur 5\u00a0participants (20\u00a0%)"),
        ({"achieved": 0, "target": 1, "unit": "devices"}, "fr",
         "0\u00a0appareil sur 1\u00a0appareil (0\u00a0%)"),
        ({"achieved": 1, "target": 5, "unit": "participants"}, "en",
         "1\u00a0participant of 5\u00a0participants (20%)"),
        ({"achieved": 0, "target": 1, "unit": "devices"}, "en",
         "0\u00a0devices of 1\u00a0device (0%)"),
        ({"achieved": 1500, "target": 3000, "unit": "GB"}, "fr",
         "1\u00a0500\u00a0Go sur 3\u00a0000\u00a0Go (50\u00a0%)"),
    ],
)  # fmt: skip
def test_the_goal_line_agrees_with_its_numbers(goal, locale, expected):
    assert goal_text(goal, locale).replace("\u202f", "\u00a0") == expected
