"""The leaderboard API's refusals of a query value name the parameter and the values it
accepts as what a script sends (`individuals`), not as French words: « La portée doit
être individuals, departments ou communes. » read as broken French."""

import pytest

from tests.cleanup.conftest import build_campaign
from tests.conftest import login


@pytest.mark.parametrize(
    ("query", "english", "french"),
    [
        ("scope=teams",
         "The `scope` parameter must be `individuals`, `departments` or `communes`.",
         "Le paramètre `scope` doit valoir `individuals`, `departments` ou `communes`."),
        ("scope=departments&order=best",
         "The `order` parameter must be `total` or `per_head`.",
         "Le paramètre `order` doit valoir `total` ou `per_head`."),
        ("order=per_head",
         "For individuals, the `order` parameter must be `total` (`per_head` ranks "
         "departments and communes).",
         "Pour les personnes, le paramètre `order` doit valoir `total` (`per_head` classe "
         "les directions et les communes)."),
    ],
)  # fmt: skip
def test_a_refused_value_names_the_accepted_ones_as_values(client, make, query, english, french):
    campaign = build_campaign(make)
    url = f"/api/v1/campaigns/{campaign.id}/leaderboard?{query}"
    for locale, message in (("en", english), ("fr", french)):
        login(client, make.user(locale=locale))
        answer = client.get(url, headers={"Accept-Language": locale})
        assert answer.status_code == 422
        assert answer.get_json()["error"]["message"] == message
