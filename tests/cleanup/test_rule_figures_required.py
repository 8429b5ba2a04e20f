"""A type that counts in a campaign needs its points per unit and its daily cap: left
empty, they were saved as 0 points and a cap of 1, with no word said."""

import pytest
from sqlalchemy import select

from app.cleanup.models import CleanupCampaignActionType
from app.extensions import db
from tests.cleanup.conftest import draft_with_its_form


@pytest.mark.parametrize("field", ["rules-0-points_per_unit", "rules-0-daily_cap"])
def test_an_empty_figure_of_a_type_that_counts_is_refused_at_its_field(
    client, make, make_campaign, field
):
    campaign, form = draft_with_its_form(client, make, make_campaign)
    form[field] = ""

    answer = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)

    assert answer.status_code == 422
    assert "Saisissez un chiffre pour un type qui compte." in answer.get_data(as_text=True)
    db.session.expire_all()
    rule = db.session.scalars(
        select(CleanupCampaignActionType).where(
            CleanupCampaignActionType.campaign_id == campaign.id
        )
    ).one()
    assert (rule.points_per_unit, rule.daily_cap) == (10, 20)
