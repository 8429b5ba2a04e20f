"""The results page writes its CO₂ estimate rounded a half up, as a person does and as
the portal rounds elsewhere: 28.5 GB counted make 0.285 kg in open data, shown as
« 0,29 kg » (organiser review: Babel's half to even wrote « 0,28 kg »)."""

import json
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def test_a_frozen_campaigns_co2_is_shown_rounded_half_up(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    for _person in range(3):  # 9.5 GB each: under the review threshold of 10
        services.log_action(make.user(), campaign, "delete-mail", 9.5, now)
    campaign.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    assert services.freeze_campaign(campaign, now, announce=False)
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="fr"))
    data = client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json").get_data(as_text=True)
    assert json.loads(data)["co2_kg"]["central"] == 0.285
    page = client.get(f"/cleanup/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert "Environ 0,29\u00a0kg\u00a0CO₂e" in page
