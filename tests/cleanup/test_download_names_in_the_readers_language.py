"""A campaign's downloads are named in the reader's language, the open data too: beside
« campagne-1.ics » and « campagne-1-resultats.csv », it was « campaign-1.json »."""

from datetime import timedelta

import pytest

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


@pytest.mark.parametrize(
    ("locale", "pattern"),
    [("fr", "campagne-{id}-donnees-ouvertes.json"), ("en", "campaign-{id}-open-data.json")],
)
def test_the_open_data_file_is_named_in_the_readers_language(
    client, make, make_campaign, locale, pattern
):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=1))
    services.log_action(make.user(), campaign, "delete-mail", 1, now - timedelta(days=2))
    services.freeze_campaign(campaign, now)
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale=locale))
    answer = client.get(f"/cleanup/campaigns/{campaign.id}/open-data.json")
    assert answer.status_code == 200
    disposition = answer.headers["Content-Disposition"]
    assert disposition == f"attachment; filename={pattern.format(id=campaign.id)}"
    calendar = client.get(f"/cleanup/campaigns/{campaign.id}/calendar.ics")
    prefix = pattern.split("-")[0]
    assert calendar.headers["Content-Disposition"].startswith(f"attachment; filename={prefix}-")
