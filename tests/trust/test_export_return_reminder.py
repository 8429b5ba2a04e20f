"""A device return's reminder (the agents' page says « son propriétaire a été relancé le
… ») is in its owner's data export, on the web and through the API."""

from datetime import timedelta

from app.auth import services as auth_services
from app.core.privacy_services import export_personal_data
from app.extensions import db
from app.recycling import services as recycling_services
from tests.recycling.conftest import NOW, rec  # noqa: F401 - points and returns


def _reminded_return(make, rec):  # noqa: F811
    owner = make.user(locale="en")
    point = rec.point(opening_hours="24/7")
    rec.agent(point)
    rec.device_return(owner, point, now=NOW - timedelta(days=8))
    assert recycling_services.remind_waiting_returns(NOW, after_days=7) == 1
    db.session.commit()
    return owner


def test_the_export_gives_when_the_owner_was_reminded(make, rec):  # noqa: F811
    owner = _reminded_return(make, rec)
    [exported] = export_personal_data(owner, NOW)["returns"]
    assert exported["reminded_at"] == "2026-11-25T10:00:00+01:00"


def test_the_api_export_gives_when_the_owner_was_reminded(app, make, rec):  # noqa: F811
    owner = _reminded_return(make, rec)
    _token, raw = auth_services.create_api_token(owner, "export")
    db.session.commit()
    answer = app.test_client().get("/api/v1/me/export", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200
    assert answer.get_json()["returns"][0]["reminded_at"] == "2026-11-25T10:00:00+01:00"


def test_a_return_never_reminded_says_so(make, rec):  # noqa: F811
    owner = make.user()
    rec.device_return(owner, rec.point())
    [exported] = export_personal_data(owner, NOW)["returns"]
    assert exported["reminded_at"] is None
