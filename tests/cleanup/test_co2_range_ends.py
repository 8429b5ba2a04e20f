"""Each end of the results page's CO₂ range is written to its own decimals: 2,650 GB
counted make 0.53 to 530 kg in open data, and the page read « entre 1 kg CO₂e et
530 kg CO₂e », the low end rounded to the high end's whole kilograms and doubled."""

import html
import json
import re
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def test_a_low_end_under_one_keeps_the_decimal_that_keeps_it_true(client, make, make_campaign):
    now = utcnow()
    organiser = make.user(roles=("organiser",), locale="fr")
    rules = [
        {"action_type_id": t.id, "points_per_unit": 10, "daily_cap": 5000}
        for t in services.ensure_default_action_types()
    ]
    campaign = make_campaign(
        organiser, starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1), rules=rules
    )
    entry = services.log_action(make.user(), campaign, "empty-cloud", 2650, now)
    services.review_action(entry, organiser, True, "Archive du service vidée", now)
    campaign.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    assert services.freeze_campaign(campaign, now, announce=False)
    db.session.commit()
    login(client, organiser)
    data = client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json").get_data(as_text=True)
    assert json.loads(data)["co2_kg"] == {"central": 26.5, "low": 0.53, "high": 530.0}
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert html.unescape(re.search(r"<p>(Environ [^<]*)</p>", page).group(1)) == (
        "Environ 27\u00a0kg\u00a0CO₂e évités sur un an de stockage, "
        "quelque part entre 0,5\u00a0kg\u00a0CO₂e et 530\u00a0kg\u00a0CO₂e."
    )
