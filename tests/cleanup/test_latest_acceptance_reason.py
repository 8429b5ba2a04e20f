"""Under "Latest decisions", an acceptance's reason was not shown (a rejection's was):
a second organiser could not see what a colleague told the author. It is shown the same
way, escaped, its line breaks kept."""

import re

import pytest

from tests.cleanup.conftest import flagged_entry, send_review
from tests.conftest import login

REASON = "Checked with IT.\r\nA shared <b>mailbox</b>."
SHOWN = "Checked with IT.<br>\nA shared &lt;b&gt;mailbox&lt;/b&gt;."


def _decision_shown(client, running) -> str:
    page = client.get(f"/cleanup/campaigns/{running.id}/review").get_data(as_text=True)
    latest = page.split('id="review-decided"', 1)[1]
    return re.search(r'data-testid="review-decision">(.*?)</p>', latest, re.S).group(1)


@pytest.mark.parametrize(("locale", "said"), [("en", "Accepted on "), ("fr", "Acceptée le ")])
def test_latest_decisions_show_an_acceptances_reason_to_another_organiser(
    client, make, running, locale, said
):
    entry = flagged_entry(client, running, make.user())
    # Written in the reader's language: a reason in another one is marked with its `lang`
    # (test_reason_language.py).
    login(client, make.user(roles=("organiser",), locale=locale))
    assert send_review(client, entry.id, "accept", REASON).status_code == 302
    login(client, make.user(roles=("organiser",), locale=locale))
    shown = _decision_shown(client, running)
    colon = ":" if locale == "en" else "\u00a0:"
    assert shown.startswith(said) and shown.endswith(f"{colon} {SHOWN}")


def test_an_acceptance_without_a_reason_says_the_date_only(client, make, running):
    entry = flagged_entry(client, running, make.user())
    login(client, make.user(roles=("organiser",), locale="en"))
    assert send_review(client, entry.id, "accept", "  ").status_code == 302
    shown = _decision_shown(client, running)
    assert shown.startswith("Accepted on ") and shown.endswith(".") and ": " not in shown
