"""What the staff-directory import says: its counts in correct French, every problem of
a line at once, and an agent it no longer lists left to an admin."""

import html
import io
import re
from datetime import UTC, datetime

from app.auth.directory import read_directory
from app.auth.models import User
from app.extensions import db
from app.recycling.models import CollectionPoint, PointAgent
from tests.conftest import login


def upload(auth, text, **options):
    data = {"file": (io.BytesIO(text.encode()), "staff.csv")}
    data.update({name: "y" for name, on in options.items() if on})
    return auth.post("/admin/directory", data, content_type="multipart/form-data")


def test_the_counts_of_an_import_agree_in_number_in_french(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    assert upload(auth, "email,display_name\nnew@example.org,New One\n").status_code == 302
    page = html.unescape(client.get("/admin/directory").get_data(as_text=True))
    assert "Annuaire importé\u00a0: 1 compte créé, 0 modifié, 0 réactivé, 0 désactivé." in page


def test_the_counts_of_an_import_read_in_english_too(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = "email,display_name\none@example.org,One\ntwo@example.org,Two\n"
    assert upload(auth, text).status_code == 302
    page = html.unescape(client.get("/admin/directory").get_data(as_text=True))
    assert "Directory imported: 2 accounts created, 0 updated, 0 reactivated, 0 deactivated." in (
        page
    )


def test_a_repeated_address_is_reported_even_when_its_first_line_has_another_problem(app):
    text = "email,display_name,department\nok43@x.fr,Ok,NOPE\nok43@x.fr,Ok,\n"
    _entries, problems = read_directory(text)
    assert [(problem.line, problem.column) for problem in problems] == [
        (2, "department"),
        (3, "email"),
    ]
    assert "2" in str(problems[1].message)  # « already on line 2 »


def test_a_repeated_staff_number_is_reported_even_when_its_first_line_is_refused(app):
    text = "email,display_name,staff_number\nnot-an-address,One,M42\ntwo@example.org,Two,M42\n"
    _entries, problems = read_directory(text)
    assert [(problem.line, problem.column) for problem in problems] == [
        (2, "email"),
        (3, "staff_number"),
    ]


def test_an_import_leaving_out_the_only_agent_of_a_point_leaves_them_to_an_admin(
    client, auth, make
):
    login(client, make.user(roles=("admin",), locale="en"))
    kept = make.user(email="kept@example.org", display_name="Kept")
    manon = make.user(roles=("employee", "agent"), display_name="Manon Fabre")
    commune = make.commune()
    point = CollectionPoint(
        commune=commune, name="Mairie", address="1 place", latitude=commune.latitude,
        longitude=commune.longitude, opening_hours="Mo-Fr 09:00-12:00", accepted_types="laptop",
        active=True, closure_note="", created_at=datetime(2026, 11, 25, tzinfo=UTC),
    )  # fmt: skip
    point.agent_rows = [PointAgent(user_id=manon.id)]
    db.session.add(point)
    db.session.commit()
    text = f"email,display_name\n{kept.email},Kept\n"
    checked = html.unescape(upload(auth, text, deactivate_missing=True, check_only=True).text)
    # The admin and the agent: an admin handles people holding a role.
    assert re.search(r"Not listed but kept active \(they hold a role\)</dt><dd>2<", checked)
    assert upload(auth, text, deactivate_missing=True).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, manon.id).active and point.agent_rows
