"""The collection point form reports every problem in one submit, each at its field."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.recycling import services
from app.recycling.models import CollectionPoint
from tests.conftest import login
from tests.recycling.conftest import HOURS, NOW, error_at

BAD_HOURS = "lundi-vendredi 9h-17h"  # French day names are not the syntax


def _text(response) -> str:
    return response.get_data(as_text=True)


_error = error_at


def _focused(page: str) -> list[str]:
    return re.findall(r"<(?:input|select|textarea)[^>]*\bautofocus\b[^>]*>", page)


def _without_types_with_bad_hours(data: dict) -> dict:
    return {**{k: v for k, v in data.items() if k != "accepted_types"}, "opening_hours": BAD_HOURS}


def test_a_new_point_shows_the_missing_type_and_the_bad_hours_at_once(auth, point_data):
    page = _text(
        auth.post("/recycling/admin/points/new", _without_types_with_bad_hours(point_data))
    )
    assert "Choose at least one device type." in _error(page, "accepted_types")
    assert "not in OpenStreetMap syntax" in _error(page, "opening_hours")


def test_both_refused_fields_are_marked_invalid(auth, point_data):
    page = _text(
        auth.post("/recycling/admin/points/new", _without_types_with_bad_hours(point_data))
    )
    hours_input = re.search(r'<input[^>]*id="opening_hours"[^>]*>', page).group(0)
    boxes = re.findall(r'<input[^>]*name="accepted_types"[^>]*>', page)
    assert 'aria-invalid="true"' in hours_input and "opening_hours-error" in hours_input
    assert boxes and all('aria-invalid="true"' in box for box in boxes)
    assert all('aria-describedby="accepted_types-error"' in box for box in boxes)


def test_a_point_refused_for_two_fields_is_not_saved(auth, point_data):
    response = auth.post("/recycling/admin/points/new", _without_types_with_bad_hours(point_data))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 0


def test_the_first_refused_field_takes_the_focus(auth, point_data):
    page = _text(
        auth.post("/recycling/admin/points/new", _without_types_with_bad_hours(point_data))
    )
    focused = _focused(page)
    assert len(focused) == 1 and 'id="opening_hours"' in focused[0]


def test_the_device_types_take_the_focus_when_they_are_the_first_refused(auth, point_data):
    data = {k: v for k, v in point_data.items() if k not in ("accepted_types", "agent_ids")}
    page = _text(auth.post("/recycling/admin/points/new", data))
    focused = _focused(page)
    assert len(focused) == 1 and 'name="accepted_types"' in focused[0]


def test_the_missing_agent_is_told_along_with_the_form_s_own_problems(auth, point_data):
    data = {k: v for k, v in point_data.items() if k not in ("accepted_types", "agent_ids")}
    page = _text(auth.post("/recycling/admin/points/new", {**data, "opening_hours": BAD_HOURS}))
    assert all(_error(page, field) for field in ("opening_hours", "accepted_types", "agent_ids"))


def test_a_point_far_from_its_commune_is_told_along_with_the_bad_hours(auth, point_data):
    data = {**point_data, "latitude": "45.80", "opening_hours": BAD_HOURS}
    page = _text(auth.post("/recycling/admin/points/new", data))
    assert "km from the centre of Bassens" in _error(page, "latitude")
    assert "not in OpenStreetMap syntax" in _error(page, "opening_hours")


def test_editing_a_point_reports_both_problems_and_keeps_it_unchanged(client, auth, make, rec):
    agent = make.user(roles=("agent",))
    point = rec.point(agents=[agent], name="Mairie")
    login(client, make.user(roles=("admin",), locale="en"))
    data = {"name": "Renamed", "commune_id": point.commune_id, "address": point.address,
            "latitude": str(point.latitude), "longitude": str(point.longitude),
            "opening_hours": BAD_HOURS, "agent_ids": [agent.id]}  # fmt: skip
    response = auth.post(f"/recycling/admin/points/{point.id}/edit", data)
    page = _text(response)
    assert response.status_code == 422
    assert _error(page, "accepted_types") and _error(page, "opening_hours")
    db.session.expire_all()
    assert (point.name, point.opening_hours) == ("Mairie", HOURS)


def test_the_service_still_refuses_bad_hours_on_its_own(make, rec):
    commune = make.commune()
    data = {"name": "P", "commune_id": commune.id, "address": "A", "latitude": commune.latitude,
            "longitude": commune.longitude, "opening_hours": BAD_HOURS,
            "accepted_types": ["laptop"], "agent_ids": [make.user(roles=("agent",)).id]}  # fmt: skip
    with pytest.raises(services.ReturnError) as refused:
        services.save_point(None, data, make.user(roles=("admin",)), NOW)
    assert refused.value.field == "opening_hours"


def test_hours_typed_the_french_way_are_saved_in_the_syntax(auth, point_data):
    """« 8h30 » and a word processor's dash are what an admin means: saved as 08:30 and
    "-", and shown in words, rather than refused as "not in OpenStreetMap syntax"."""
    typed = {**point_data, "opening_hours": "Mo–Fr 8h30-12h,13h30-17h; PH off"}
    answer = auth.post("/recycling/admin/points/new", typed)
    assert answer.status_code == 302
    point = db.session.scalar(
        select(CollectionPoint).where(CollectionPoint.name == "Mairie de Bassens")
    )
    assert point.opening_hours == "Mo-Fr 08:30-12:00,13:30-17:00; PH off"
