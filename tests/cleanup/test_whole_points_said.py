"""Points are whole, rounded down for each entry: the campaign's "Actions that count" and
the log form's hint say so, with the smallest entry that scores a point for the action,
which the refusal of an entry scoring nothing names too."""

import html
import re
from datetime import timedelta

import pytest

from app.cleanup import services
from app.core.time import utcnow
from tests.cleanup.conftest import Participant, refusal_at


@pytest.fixture
def one_and_a_half(client, make, make_campaign):
    """A participant in a running campaign where mail counts 1.5 points per GB: 1 GB
    scores 1 point, and an entry scores from 0.667 GB."""
    mail = services.ensure_default_action_types()[0]
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
        rules=[{"action_type_id": mail.id, "points_per_unit": 1.5, "daily_cap": 20}],
    )
    return Participant(client, campaign, make.user())


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def test_actions_that_count_say_points_round_down_and_from_how_much(one_and_a_half):
    page = one_and_a_half.page()
    rules = re.search(r'aria-labelledby="rules-title">(.*?)</section>', page, re.S).group(1)
    assert (
        "1,5 point pour 1\u00a0Go, 20\u00a0Go par jour au plus. La plus petite saisie qui "
        "rapporte un point\u00a0: 0,667\u00a0Go."
    ) in _text(rules)
    assert "Les points sont entiers\u00a0: ceux de chaque saisie" in _text(rules)


def test_the_log_form_hint_says_from_how_much_an_entry_scores(one_and_a_half):
    page = one_and_a_half.page()
    hint = re.search(r'id="quantity-hint">(.*?)</p>', page, re.S).group(1)
    assert (
        "arrondis à l'unité inférieure pour chaque saisie\u00a0: une saisie rapporte un point "
        "à partir de 0,667\u00a0Go."
    ) in _text(hint)
    swapped = one_and_a_half.client.get(
        f"/cleanup/campaigns/{one_and_a_half.campaign.id}/log-unit?action_type=delete-mail",
        headers={"HX-Request": "true"},
    )
    assert _text(swapped.get_data(as_text=True)) == (
        "Unité de l'action choisie\u00a0: Go (gigaoctets). Les points sont entiers, arrondis à l'unité "
        "inférieure pour chaque saisie\u00a0: une saisie rapporte un point à partir de "
        "0,667\u00a0Go."
    )


def test_an_entry_scoring_nothing_names_the_smallest_that_scores(one_and_a_half):
    response = one_and_a_half.log("delete-mail", "0,5", htmx=False)
    assert response.status_code == 422
    assert "la plus petite qui en rapporte est 0,667\u00a0Go" in html.unescape(
        refusal_at(response.get_data(as_text=True), "quantity")
    )
