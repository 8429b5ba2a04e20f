"""An agent whose account is deactivated receives nothing: the point form does not offer
them for a new assignment, keeps them (marked) where they are assigned, and does not let
them be an open point's only agent."""

import re

from app.extensions import db
from tests.conftest import login
from tests.recycling.conftest import HOURS


def _agent_boxes(page: str) -> str:
    return re.search(
        r"<fieldset[^>]*>\s*<legend[^>]*>Agents of this point.*?</fieldset>", page, re.S
    ).group(0)


def _point_data(point, agent_ids) -> dict:
    return {"name": point.name, "commune_id": point.commune_id, "address": point.address,
            "latitude": str(point.latitude), "longitude": str(point.longitude),
            "opening_hours": HOURS, "accepted_types": ["laptop"], "agent_ids": agent_ids}  # fmt: skip


def test_a_deactivated_agent_is_not_offered_for_a_new_point(client, make):
    make.user(roles=("agent",), display_name="Gone Agent", active=False)
    make.user(roles=("agent",), display_name="Working Agent")
    login(client, make.user(roles=("admin",), locale="en"))
    boxes = _agent_boxes(client.get("/recycling/admin/points/new").get_data(as_text=True))
    assert "Working Agent" in boxes and "Gone Agent" not in boxes


def test_an_assigned_deactivated_agent_stays_ticked_and_marked(client, make, rec):
    gone = make.user(roles=("agent",), display_name="Gone Agent")
    working = make.user(roles=("agent",), display_name="Working Agent")
    point = rec.point(agents=[gone, working])
    gone.active = False
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    boxes = _agent_boxes(
        client.get(f"/recycling/admin/points/{point.id}/edit").get_data(as_text=True)
    )
    assert re.search(rf'<input checked[^>]*value="{gone.id}"', boxes)
    assert "Gone Agent" in boxes and "(account deactivated)" in boxes


def test_an_open_point_with_only_a_deactivated_agent_is_refused(client, auth, make, rec):
    gone = make.user(roles=("agent",), display_name="Gone Agent")
    working = make.user(roles=("agent",), display_name="Working Agent")
    point = rec.point(agents=[gone, working])
    gone.active = False
    db.session.commit()
    login(client, make.user(roles=("admin",), locale="en"))
    response = auth.post(f"/recycling/admin/points/{point.id}/edit", _point_data(point, [gone.id]))
    assert response.status_code == 422
    assert "needs at least one agent" in response.get_data(as_text=True)
    db.session.expire_all()
    assert sorted(row.user_id for row in point.agent_rows) == sorted([gone.id, working.id])
