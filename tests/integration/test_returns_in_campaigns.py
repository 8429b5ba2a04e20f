"""Recycling → clean-up: a device returned during a running campaign is a logged
`return-device` action, through the real pages and API; it scores once an agent of the
point confirms receipt (declared only, it waits and scores nothing)."""

from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import User
from app.cleanup import services
from app.cleanup.models import CleanupAction, CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from app.recycling.models import PointAgent
from tests.conftest import Auth, csrf_token, login


def _running(make_campaign, **overrides):
    """A campaign running by the real clock (the pages use it)."""
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=10),
                         **overrides)  # fmt: skip


def _declare(auth, point, **overrides):
    """Declare with the form, ticked to count in every campaign offered (someone not
    taking part yet counts a return only where they choose)."""
    campaigns = [str(c) for c in db.session.scalars(select(CleanupCampaign.id))]
    data = {"collection_point_id": point.id, "device_type": "laptop", "condition": "working",
            "wipe_requested": "y", "asset_tag": "", "count_in": campaigns}  # fmt: skip
    data.update(overrides)
    return auth.post("/recycling/returns/new", data)


def _received(app, point, *receipt_urls):
    """An agent of the point confirms receipt of each device, on the agent desk."""
    agent_id = db.session.scalar(select(PointAgent.user_id).where(PointAgent.point_id == point.id))
    agent_client = app.test_client()
    login(agent_client, db.session.get(User, agent_id))
    for url in receipt_urls:
        receipt = url.rsplit("/", 1)[1]
        response = Auth(agent_client).post(f"/recycling/agent/returns/{receipt}/receive", {})
        assert response.status_code == 302


def _my_points(client, campaign):
    return client.get(f"/api/v1/campaigns/{campaign.id}").get_json()["points"]


def test_a_return_declared_on_the_form_moves_my_campaign_score_once_received(
    app, auth, client, make, rec, make_campaign
):
    campaign = _running(make_campaign)
    point = rec.point(opening_hours="24/7")
    rec.agent(point)
    owner = make.user(locale="en")
    login(client, owner)
    assert _my_points(client, campaign) == 0

    response = _declare(auth, point, asset_tag="BM-PC-77")
    assert response.status_code == 302 and "/recycling/returns/RC-" in response.location
    assert _my_points(client, campaign) == 0  # declared, not yet in an agent's hands
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Waiting for an agent to receive the device" in page
    goals = client.get(f"/api/v1/campaigns/{campaign.id}").get_json()["goals"]
    assert {g["key"]: g["achieved"] for g in goals}["devices-returned"] == 0

    _received(app, point, response.location)
    assert _my_points(client, campaign) == 100
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-testid="my-points">100<' in page
    goals = client.get(f"/api/v1/campaigns/{campaign.id}").get_json()["goals"]
    assert {g["key"]: g["achieved"] for g in goals}["devices-returned"] == 1

    # The same device declared again: the original receipt, not a second action.
    again = _declare(auth, point, asset_tag="bm pc 77")
    assert again.location == response.location
    assert _my_points(client, campaign) == 100
    action = db.session.scalar(select(CleanupAction))
    assert (action.action_type.key, action.points, action.source_key.startswith("device-return:"))\
        == ("return-device", 100, True)  # fmt: skip


def test_a_return_through_the_api_counts_too_once_received(app, client, make, rec, make_campaign):
    # Where the person takes part already: the API asks nobody to join a campaign.
    campaign = _running(make_campaign)
    point = rec.point(opening_hours="24/7")
    rec.agent(point)
    person = make.user()
    services.log_action(person, campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    login(client, person)
    response = client.post(
        "/api/v1/device-returns",
        json={"collection_point_id": point.id, "device_type": "monitor", "condition": "broken"},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 201
    assert _my_points(client, campaign) == 10
    _received(app, point, f"/recycling/returns/{response.get_json()['receipt_number']}")
    assert _my_points(client, campaign) == 110


def test_a_return_counts_nowhere_outside_a_running_campaign_in_my_scope(
    auth, client, make, rec, make_campaign
):
    now = utcnow()
    other_department = make.department()
    scoped = _running(make_campaign, all_departments=False,
                      department_ids=[other_department.id])  # fmt: skip
    closed = make_campaign(starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=20))
    point = rec.point(opening_hours="24/7")
    login(client, make.user())
    assert _declare(auth, point).status_code == 302
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0
    assert _my_points(client, scoped) == 0 and _my_points(client, closed) == 0


def test_beyond_the_daily_cap_the_return_stands_but_scores_no_more(
    app, auth, client, make, rec, make_campaign
):
    campaign = _running(make_campaign)
    point = rec.point(opening_hours="24/7")
    rec.agent(point)
    login(client, make.user())
    declared = []
    for n in range(6):  # the cap of `return-device` is 5 a day
        response = _declare(auth, point, asset_tag=f"TAG-{n}")
        assert response.status_code == 302
        declared.append(response.location)
    _received(app, point, *declared)
    assert _my_points(client, campaign) == 500
    assert len(client.get("/recycling/").get_data(as_text=True).split("RC-")) > 1


def _withdraw(auth, receipt_url):
    return auth.post(f"{receipt_url}/withdraw", {})


def test_a_withdrawn_declaration_leaves_the_agents_desk_my_score_and_the_statistics(
    app, auth, client, make, rec, make_campaign
):
    campaign = _running(make_campaign)
    point = rec.point(opening_hours="24/7")
    agent = rec.agent(point)
    agent.locale = "en"
    db.session.commit()
    login(client, make.user(locale="en"))
    receipt_url = _declare(auth, point, asset_tag="BM-PC-78").location
    receipt = receipt_url.rsplit("/", 1)[1]
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 1  # waiting for receipt
    page = client.get(receipt_url).get_data(as_text=True)
    assert "Withdraw my declaration" in page and 'data-confirm="Withdraw this declaration?' in page

    response = _withdraw(auth, receipt_url)
    assert response.location.endswith(receipt_url)
    page = client.get(receipt_url).get_data(as_text=True)
    assert "Your declaration was withdrawn." in page
    assert "Withdrawn by you" in page  # the status, and the last custody step
    assert "Withdraw my declaration" not in page and "Bringing the device" not in page
    assert "Each step is signed" in page and "changed after it was" not in page
    assert _my_points(client, campaign) == 0
    goals = client.get(f"/api/v1/campaigns/{campaign.id}").get_json()["goals"]
    assert {g["key"]: g["achieved"] for g in goals}["devices-returned"] == 0
    assert db.session.scalar(select(func.count(CleanupAction.id))) == 0

    # The agent no longer expects it, and cannot receive it from an old page.
    agent_client = app.test_client()
    login(agent_client, agent)
    desk = agent_client.get("/recycling/agent").get_data(as_text=True)
    assert receipt not in desk
    Auth(agent_client).post(f"/recycling/agent/returns/{receipt}/receive", {})
    page = agent_client.get(f"/recycling/agent/returns/{receipt}").get_data(as_text=True)
    assert "This declaration was withdrawn by the person who made it." in page
    assert "Withdrawn by the person" in agent_client.get(
        "/recycling/agent?status=withdrawn"
    ).get_data(as_text=True)

    # No statistic counts it; the asset tag is free for a new declaration.
    admin_client = app.test_client()
    login(admin_client, make.user(roles=("admin",)))
    assert admin_client.get("/recycling/admin/statistics.json").get_json()["records"] == []
    again = _declare(auth, point, asset_tag="BM-PC-78")
    assert again.location != receipt_url
    _received(app, point, again.location)
    assert _my_points(client, campaign) == 100

    # Withdrawn twice (a second tab): said so, nothing changes.
    page = client.get(_withdraw(auth, receipt_url).location).get_data(as_text=True)
    assert "You have already withdrawn this declaration." in page


def test_a_received_device_can_no_longer_be_withdrawn(app, auth, client, make, rec, make_campaign):
    campaign = _running(make_campaign)
    point = rec.point(opening_hours="24/7")
    agent = rec.agent(point)
    owner = make.user(locale="fr")
    login(client, owner)
    receipt_url = _declare(auth, point).location
    receipt = receipt_url.rsplit("/", 1)[1]
    agent_client = app.test_client()
    login(agent_client, agent)
    Auth(agent_client).post(f"/recycling/agent/returns/{receipt}/receive", {})
    assert "Retirer ma déclaration" not in client.get(receipt_url).get_data(as_text=True)

    page = client.get(_withdraw(auth, receipt_url).location).get_data(as_text=True)
    assert "Un agent a reçu cet appareil\u00a0: la déclaration ne peut plus être retirée." in page
    assert _my_points(client, campaign) == 100

    # Nobody but its owner withdraws a declaration, not even the point's agent.
    login(client, make.user())
    assert _withdraw(auth, receipt_url).status_code == 404
    assert Auth(agent_client).post(f"{receipt_url}/withdraw", {}).status_code == 404
