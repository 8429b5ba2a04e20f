"""A collection point saved from a form opened before another change of it is refused,
as a campaign's or a catalogue item's: nothing is saved, the admin is told what the
other change was, and what they typed stays in the form for a second, knowing save."""

import re

import pytest

from app.extensions import db
from app.recycling.models import CollectionPoint
from tests.conftest import login
from tests.recycling.conftest import HOURS


def _version(page: str) -> str:
    return re.search(r'<input[^>]*name="version"[^>]*value="([^"]*)"', page).group(1)


def _data(point, agent_ids, hours=HOURS, version=None) -> dict:
    data = {"name": point.name, "commune_id": point.commune_id, "address": point.address,
            "latitude": str(point.latitude), "longitude": str(point.longitude),
            "opening_hours": hours, "accepted_types": ["laptop"], "agent_ids": agent_ids}  # fmt: skip
    if version is not None:
        data["version"] = version
    return data


@pytest.fixture
def two_tabs(client, auth, make, rec):
    """A point with one agent, its edit form opened twice (tabs A and B), and A saved
    with a second agent ticked: (point, first agent, second agent, B's version)."""
    first = make.user(roles=("agent",), display_name="First Agent")
    second = make.user(roles=("agent",), display_name="Second Agent")
    point = rec.point(agents=[first])
    login(client, make.user(roles=("admin",), locale="en"))
    url = f"/recycling/admin/points/{point.id}/edit"
    tab_a = _version(client.get(url).get_data(as_text=True))
    tab_b = _version(client.get(url).get_data(as_text=True))
    saved = auth.post(url, _data(point, [first.id, second.id], version=tab_a))
    assert saved.status_code == 302
    return point, first, second, tab_b


def _save_from_b(auth, point, first, version):
    return auth.post(
        f"/recycling/admin/points/{point.id}/edit",
        _data(point, [first.id], hours="Mo-Fr 09:00-12:00", version=version),
    )


def test_a_save_from_the_older_tab_is_refused(auth, two_tabs):
    point, first, _second, tab_b = two_tabs
    assert _save_from_b(auth, point, first, tab_b).status_code == 409


def test_the_refused_save_keeps_the_other_tab_s_agent(auth, two_tabs):
    point, first, second, tab_b = two_tabs
    _save_from_b(auth, point, first, tab_b)
    db.session.expire_all()
    point = db.session.get(CollectionPoint, point.id)
    assert sorted(row.user_id for row in point.agent_rows) == sorted([first.id, second.id])
    assert point.opening_hours == HOURS


def test_the_refusal_says_someone_else_changed_the_point_and_what(auth, two_tabs):
    point, first, _second, tab_b = two_tabs
    page = _save_from_b(auth, point, first, tab_b).get_data(as_text=True)
    assert "Someone else changed this collection point" in page
    assert "Agents of this point" in page  # the other change, in words


def test_what_the_older_tab_typed_stays_in_the_form(auth, two_tabs):
    point, first, _second, tab_b = two_tabs
    page = _save_from_b(auth, point, first, tab_b).get_data(as_text=True)
    assert re.search(r'<input[^>]*id="opening_hours"[^>]*value="Mo-Fr 09:00-12:00"', page)


def test_a_second_save_made_knowing_is_taken(auth, two_tabs):
    point, first, _second, tab_b = two_tabs
    page = _save_from_b(auth, point, first, tab_b).get_data(as_text=True)
    again = _save_from_b(auth, point, first, _version(page))
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(CollectionPoint, point.id).opening_hours == "Mo-Fr 09:00-12:00"


def test_the_refusal_is_in_french_for_a_french_admin(client, auth, make, two_tabs):
    point, first, _second, tab_b = two_tabs
    login(client, make.user(roles=("admin",), locale="fr"))
    page = _save_from_b(auth, point, first, tab_b).get_data(as_text=True)
    assert "Quelqu&#39;un d&#39;autre a modifié ce point de collecte" in page
