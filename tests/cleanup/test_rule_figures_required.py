"""A type that counts in a campaign needs its points per unit and its daily cap: left
empty, they were saved as 0 points and a cap of 1, with no word said."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupCampaignActionType
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import edit_form
from tests.conftest import login


@pytest.mark.parametrize("field", ["rules-0-points_per_unit", "rules-0-daily_cap"])
def test_an_empty_figure_of_a_type_that_counts_is_refused_at_its_field(
    client, make, make_campaign, field
):
    organiser = make.user(roles=("organiser",), locale="en")
    mail = services.ensure_default_action_types()[0]
    now = utcnow().replace(second=0, microsecond=0)
    campaign = make_campaign(
        organiser=organiser,
        publish=False,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=5),
        goals={"GB": 100},
        rules=[{"action_type_id": mail.id, "points_per_unit": 10, "daily_cap": 20}],
    )
    login(client, organiser)
    form = edit_form(client, campaign)
    form[field] = ""

    answer = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)

    assert answer.status_code == 422
    assert "Enter a figure for a type that counts." in answer.get_data(as_text=True)
    db.session.expire_all()
    rule = db.session.scalars(
        select(CleanupCampaignActionType).where(
            CleanupCampaignActionType.campaign_id == campaign.id
        )
    ).one()
    assert (rule.points_per_unit, rule.daily_cap) == (10, 20)
