"""A goal's unit agrees with its number: a goal of 1 participant read « 0 / 1 participants »
and its bar « Objectif : 1 participants » (likewise 1 device, 1 item)."""

import html
import re
from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

NBSP = "\u00a0"


def _goals(page: str) -> tuple[str, list[str]]:
    goals = page.split('<ul class="cleanup-goals">', 1)[1].split("</ul>", 1)[0]
    labels = [html.unescape(label) for label in re.findall(r'aria-label="([^"]*)"', goals)]
    text = re.sub(r"[ \t\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", goals))).strip()
    return text, labels


def test_a_goal_of_one_reads_in_the_singular_in_both_languages(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=3),
        goals={"participants": 1, "devices": 1, "items": 1, "GB": 1},
    )
    reader = make.user(locale="fr")
    login(client, reader)
    text, labels = _goals(client.get(f"/cleanup/campaigns/{campaign.id}").text)
    for unit in ("participant", "appareil", "élément"):
        assert f"0 / 1{NBSP}{unit} " in text, text
        assert f"Objectif{NBSP}: 1{NBSP}{unit}" in labels, labels
    assert f"0 / 1{NBSP}Go" in text and f"Objectif{NBSP}: 1{NBSP}Go" in labels
    assert "participants" not in text and "appareils" not in text and "éléments" not in text

    reader.locale = "en"
    db.session.commit()
    text, labels = _goals(client.get(f"/cleanup/campaigns/{campaign.id}").text)
    for unit in ("participant", "device", "item"):
        assert f"0 / 1{NBSP}{unit} " in text, text
        assert f"Goal: 1{NBSP}{unit}" in labels, labels


def test_a_goal_of_many_keeps_its_plural(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=3),
        goals={"participants": 40, "devices": 5},
    )
    login(client, make.user(locale="fr"))
    text, labels = _goals(client.get(f"/cleanup/campaigns/{campaign.id}").text)
    assert f"0 / 40{NBSP}participants" in text and f"0 / 5{NBSP}appareils" in text, text
    assert f"Objectif{NBSP}: 40{NBSP}participants" in labels, labels
