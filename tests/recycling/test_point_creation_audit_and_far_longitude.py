"""A new collection point's audit entry « Création · Point de collecte » only repeated its
name: it now lists the values the point starts with, as a catalogue item's does. A
longitude typed far off was reported at the Latitude field: it is said at the field that
is wrong."""

import html
import re

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.recycling.conftest import error_at


def _creation_line(client, auth, point_data) -> str:
    """The audit log's line of the point just created, as read."""
    assert auth.post("/recycling/admin/points/new", point_data).status_code == 302
    log = html.unescape(client.get("/admin/audit").text).replace("\u00a0", " ")
    line = next(row for row in log.split("<tr") if "Mairie de Bassens" in row)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line))


def test_a_new_point_s_audit_entry_lists_its_starting_values(client, auth, point_data):
    agent = db.session.get(User, point_data["agent_ids"][0])
    line = _creation_line(client, auth, point_data)
    for shown in ("Address: “Rue du Dr Roux”", "Commune: “Bassens”",
                  "Opening hours: “Mo-Fr 09:00-12:00”", "Accepted device types: Laptop",
                  f"Agents of this point: {agent.display_name}"):  # fmt: skip
        assert shown in line
    assert "→" not in line


def test_a_new_point_s_audit_entry_reads_in_french(client, auth, make, point_data):
    from tests.conftest import login

    admin = db.session.scalar(select(User).where(User.locale == "en").order_by(User.id.desc()))
    admin.locale = "fr"
    db.session.commit()
    login(client, admin)
    line = _creation_line(client, auth, point_data)
    assert "Mairie de Bassens · Commune : « Bassens » · Adresse : « Rue du Dr Roux »" in line


def test_a_longitude_far_off_is_said_at_the_longitude(auth, point_data):
    page = auth.post("/recycling/admin/points/new", {**point_data, "longitude": "5.2"}).text
    assert (bool(error_at(page, "longitude")), error_at(page, "latitude")) == (True, "")


def test_a_latitude_far_off_is_still_said_at_the_latitude(auth, point_data):
    page = auth.post("/recycling/admin/points/new", {**point_data, "latitude": "48.85"}).text
    assert (bool(error_at(page, "latitude")), error_at(page, "longitude")) == (True, "")
