"""A preview or a test names one reader: their campaign variables are read for them alone
(their participation and badges), not for the campaign's thousands. Whether read for one
reader or among everyone, each person's variables are the same."""

from datetime import timedelta

from app.auth.models import User
from app.cleanup import integration
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant, flagged_entry
from tests.conftest import login

VARIABLES = ("points", "points_text", "rank", "badges", "team_points", "team_rank")


def _as_text(variables: dict) -> dict:
    return {name: str(variables[name]) for name in VARIABLES}


def test_each_readers_variables_are_the_same_alone_and_among_everyone(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    department = make.department()
    logger, second, flagged_only, outsider = (make.user(department=department) for _ in range(4))
    for person, quantity in ((logger, "3"), (second, "1")):
        login(client, person)
        assert Participant(client, campaign, person).log("delete-mail", quantity).status_code == 200
    login(client, flagged_only)
    flagged_entry(client, campaign, flagged_only)  # waiting for review: no participant yet
    readers = [db.session.get(User, u.id) for u in (logger, second, flagged_only, outsider)]
    context = {"campaign_id": campaign.id}

    together = integration.campaign_variables(readers, now, context)
    for reader in readers:
        alone = integration.campaign_variables([reader], now, context)
        assert _as_text(alone[reader.id]) == _as_text(together[reader.id])
    assert str(together[logger.id]["rank"]) == "1"
    assert str(together[flagged_only.id]["points"]) == "0"
    assert together[logger.id]["badges"]  # a first entry earns a badge


def test_more_readers_than_a_window_of_few_are_read_with_the_whole_campaign(
    client, make, make_campaign, monkeypatch
):
    """Past FEW_READERS (a dispatch's window), the campaign's participants are read at once."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    people = [make.user() for _ in range(3)]
    for person in people[:2]:
        login(client, person)
        assert Participant(client, campaign, person).log("delete-mail", "2").status_code == 200
    readers = [db.session.get(User, u.id) for u in people]
    context = {"campaign_id": campaign.id}
    few = integration.campaign_variables(readers, now, context)
    monkeypatch.setattr(integration, "FEW_READERS", 1)
    many = integration.campaign_variables(readers, now, context)
    assert {k: _as_text(v) for k, v in few.items()} == {k: _as_text(v) for k, v in many.items()}
