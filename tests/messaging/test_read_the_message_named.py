"""Each message's disclosure names its message, as its buttons do: a screen reader's
list of controls no longer reads the same words for every message (once « Lire le
message » and its subject; the subject itself opens it now)."""

import re

from tests.conftest import login
from tests.messaging.conftest import deliver_to_everyone, inbox_of


def _summaries(page: str) -> list[str]:
    """What each disclosure of the inbox says, its hidden words included."""
    found = re.findall(r"<summary[^>]*>(.*?)</summary>", page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", s).split()) for s in found]


def test_each_read_the_message_names_its_subject(client, make, template):
    me = make.user(locale="fr")
    deliver_to_everyone(template(subject_fr="Relevé de mars"))
    deliver_to_everyone(template(key="other", subject_fr="Rappel de collecte"))
    login(client, me)
    summaries = _summaries(client.get("/messaging/").get_data(as_text=True))
    assert len(summaries) == len(inbox_of(me)) == 2
    first, second = sorted(summaries)  # each with the moment it came
    assert first.startswith("Non lu Rappel de collecte ") and " h" in first
    assert second.startswith("Non lu Relevé de mars ") and " h" in second
