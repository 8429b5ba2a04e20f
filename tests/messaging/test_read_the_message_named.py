"""Each message's « Lire le message » names its message, as its buttons do: a screen
reader's list of controls no longer reads the same words for every message."""

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
    assert {s.split(",")[0] for s in summaries} == {
        "Lire le message Relevé de mars",
        "Lire le message Rappel de collecte",
    }
