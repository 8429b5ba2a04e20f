"""The open data of a campaign's results write every instant one way: ISO 8601 with the
Europe/Paris offset of that instant. The seeded campaigns came out with « +01:00 » (the
seed's Paris times) and those created with the form in UTC (« +00:00 »), the same
snapshot field written two ways."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.cleanup import services
from app.cleanup.models import CleanupCampaign
from app.core.time import local_zone, utcnow
from app.extensions import db
from tests.cleanup.conftest import post_new_campaign
from tests.conftest import login

INSTANTS = ("computed_at", "starts_at", "ends_at")


def _open_data(client, campaign_id) -> dict:
    response = client.get(f"/cleanup/campaigns/{campaign_id}/open-data.json")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def _in_paris(text: str) -> bool:
    """An ISO 8601 instant written with the Paris offset it has at that moment."""
    moment = datetime.fromisoformat(text)
    return moment.utcoffset() == moment.astimezone(local_zone()).utcoffset() and (
        moment.isoformat() == moment.astimezone(local_zone()).isoformat()
    )


def _paris_dates(days_ago: int) -> tuple[datetime, datetime]:
    """A week that ended yesterday at 18:00, started at 09:00, as the seed writes them."""
    start = (utcnow() - timedelta(days=days_ago)).astimezone(local_zone())
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=days_ago - 1, hours=9)


def test_a_seeded_campaigns_instants_are_written_with_the_paris_offset(client, make, make_campaign):
    """Frozen in the seed's session, its dates still Paris times and `now` in UTC."""
    campaign = make_campaign()
    start, end = _paris_dates(8)
    campaign.starts_at, campaign.ends_at = start, end
    assert services.freeze_campaign(campaign, utcnow(), announce=False)
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    document = _open_data(client, campaign.id)
    assert all(_in_paris(document[key]) for key in INSTANTS), document
    assert datetime.fromisoformat(document["starts_at"]) == start
    assert document["starts_at"] == start.isoformat()


def test_a_campaign_created_with_the_form_is_written_the_same_way(client, make, action_types):
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    assert post_new_campaign(client).status_code == 302
    campaign = db.session.scalars(
        select(CleanupCampaign).order_by(CleanupCampaign.id.desc())
    ).first()
    services.publish_campaign(campaign, organiser, utcnow())
    start, end = _paris_dates(8)
    campaign.starts_at, campaign.ends_at = start.astimezone(UTC), end.astimezone(UTC)
    db.session.commit()

    document = _open_data(client, campaign.id)  # frozen at this first read, from the database
    assert all(_in_paris(document[key]) for key in INSTANTS), document
    assert document["starts_at"] == start.isoformat()
    assert document["ends_at"] == end.isoformat()


@pytest.mark.parametrize("offset", ["+00:00", "+01:00"])
def test_an_older_snapshot_is_exported_with_the_paris_offset(client, make, make_campaign, offset):
    """Frozen before, in either zone: the same instant, written the Paris way."""
    campaign = make_campaign()
    campaign.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(client, make.user(roles=("organiser",)))
    _open_data(client, campaign.id)  # freezes it
    frozen = db.session.get(CleanupCampaign, campaign.id)
    snapshot = json.loads(frozen.results_json)
    winter = {"+00:00": "2026-01-05T08:00:00+00:00", "+01:00": "2026-01-05T09:00:00+01:00"}
    snapshot.update(starts_at=winter[offset], ends_at="2026-07-01T16:00:00+00:00")
    frozen.results_json = json.dumps(snapshot)
    db.session.commit()
    document = _open_data(client, campaign.id)
    assert (document["starts_at"], document["ends_at"]) == (
        "2026-01-05T09:00:00+01:00",
        "2026-07-01T18:00:00+02:00",
    )
