"""Reference data for a real deployment: the communes shipped with the portal, the
departments from the organisation chart, then the people (`flask reference …`)."""

import csv
import html
import io

from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.models import Commune, Department
from app.extensions import db
from tests.conftest import login


def run(runner, *args):
    return runner.invoke(args=list(args))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_deployment_loads_communes_then_departments_then_its_people(runner, tmp_path):
    """The order a city follows on an empty database, and what a person ends up with."""
    assert run(runner, "reference", "communes").output.strip() == (
        "Communes: 28 created, 0 updated, 0 unchanged."
    )
    departments = write(
        tmp_path,
        "departments.csv",
        "code,name_fr,name_en,commune\n"
        "DNUM,Direction du numérique,Digital Department,33063\n"
        "MAIRIE-33318,Mairie de Pessac,Pessac Town Hall,33318\n",
    )
    result = run(runner, "reference", "departments", departments)
    assert result.output.strip() == "Departments: 2 created, 0 updated, 0 unchanged."
    people = write(
        tmp_path, "staff.csv", "email,display_name,department\nlou@example.org,Lou Bernard,DNUM\n"
    )
    assert run(runner, "users", "import", people).exit_code == 0
    lou = db.session.scalar(select(User).where(User.email == "lou@example.org"))
    assert (lou.department.name_fr, lou.commune.name) == ("Direction du numérique", "Bordeaux")


def test_loading_the_communes_again_changes_nothing_and_mends_what_was_changed(runner):
    run(runner, "reference", "communes")
    bordeaux = db.session.scalar(select(Commune).where(Commune.insee_code == "33063"))
    bordeaux.name = "Bordo"
    db.session.commit()
    result = run(runner, "reference", "communes")
    assert result.output.strip() == "Communes: 0 created, 1 updated, 27 unchanged."
    assert db.session.get(Commune, bordeaux.id).name == "Bordeaux"
    assert count(Commune) == 28


def test_another_metropolis_loads_its_own_communes_from_a_file(runner, tmp_path):
    communes = write(
        tmp_path,
        "communes.csv",
        "\ufeffINSEE_CODE,Name,Latitude,Longitude\n"
        "31555,Toulouse,43.6045,1.4440\n"
        '31069,Blagnac,"43,6364",1.3906\n'
        "2a004,Ajaccio,41.9267,8.7369\n",
    )
    result = run(runner, "reference", "communes", communes)
    assert result.output.strip() == "Communes: 3 created, 0 updated, 0 unchanged."
    blagnac = db.session.scalar(select(Commune).where(Commune.insee_code == "31069"))
    assert (blagnac.name, blagnac.latitude, blagnac.longitude) == ("Blagnac", 43.6364, 1.3906)
    assert db.session.scalar(select(Commune).where(Commune.insee_code == "2A004")).name == "Ajaccio"
    assert (
        "Communes: 0 created, 0 updated, 3 unchanged."
        in run(runner, "reference", "communes", communes).output
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "commune"))
    assert (event.action, event.summary) == ("import", "3 created, 0 updated")
    departments = write(
        tmp_path, "departments.csv", "code,name_fr,name_en,commune\nDSI,DSI,IT,31555\n"
    )
    assert run(runner, "reference", "departments", departments).exit_code == 0
    assert db.session.scalar(select(Department)).commune.name == "Toulouse"


def test_a_wrong_communes_file_changes_nothing_and_lists_every_problem(runner, tmp_path):
    path = write(
        tmp_path,
        "communes.csv",
        "insee_code,name,latitude,longitude\n"
        "31555,Toulouse,43.6,1.4\n"
        "3155,Too short,43.6,1.4\n"
        "31555,Twice,43.6,1.4\n"
        "31069,,north,200\n",
    )
    result = run(runner, "reference", "communes", path)
    assert result.exit_code == 1
    for expected in (
        "line 3, insee_code: An INSEE code has five characters, like 33063.",
        "line 4, insee_code: This code is already on line 2.",
        "line 5, name: A name is needed, of at most 120 characters.",
        "line 5, latitude: Enter a number of degrees between -90 and 90.",
        "line 5, longitude: Enter a number of degrees between -180 and 180.",
        "Nothing was changed",
    ):
        assert expected in result.output
    assert count(Commune) == 0


def test_a_reorganisation_renames_and_moves_departments_and_deletes_none(runner, tmp_path, make):
    make.department(code="DNUM", name_fr="Ancien nom", name_en="Old name")
    kept = make.department(code="GONE")
    run(runner, "reference", "communes")
    path = write(
        tmp_path,
        "departments.csv",
        "code,name_fr,name_en,commune\ndnum,Direction du numérique,Digital Department,33318\n",
    )
    result = run(runner, "reference", "departments", path)
    assert result.output.strip() == "Departments: 0 created, 1 updated, 0 unchanged."
    dnum = db.session.scalar(select(Department).where(Department.code == "DNUM"))
    assert (dnum.name_en, dnum.commune.name) == ("Digital Department", "Pessac")
    assert db.session.get(Department, kept.id) is not None  # people and budgets refer to it
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "department"))
    assert (event.action, event.summary) == ("import", "0 created, 1 updated")


def test_a_wrong_departments_file_changes_nothing_and_lists_every_problem(runner, tmp_path):
    path = write(
        tmp_path,
        "departments.csv",
        "code,name_fr,name_en,commune\n"
        "A,Nom A,Name A,\n"
        ",Sans code,No code,\n"
        "a,Doublon,Duplicate,\n"
        "B,,Name B,99999\n",
    )
    result = run(runner, "reference", "departments", path)
    assert result.exit_code == 1
    for expected in (
        "line 3, code: A code is needed, of at most 32 characters.",
        "line 4, code: This code is already on line 2.",
        "line 5, name_fr: A name is needed, of at most 200 characters.",
        "line 5, commune: Unknown commune INSEE code.",
        "Nothing was changed",
    ):
        assert expected in result.output
    assert count(Department) == 0


def test_a_departments_file_without_its_columns_is_refused(runner, tmp_path):
    path = write(tmp_path, "departments.csv", "code;name\nA;B\n")
    result = run(runner, "reference", "departments", path)
    assert result.exit_code == 1
    # Semicolons are read as French Excel writes them: "code" is there, the names are not.
    assert "line 1, name_fr; name_en: Missing columns in the header line." in result.output


# --- the admin page: download, edit, import ---------------------------------------------


def upload(auth, text: str, **options):
    data = {"file": (io.BytesIO(text.encode()), "departments.csv")}
    data.update({name: "y" for name, on in options.items() if on})
    return auth.post("/admin/departments", data, content_type="multipart/form-data")


def test_an_admin_downloads_the_departments_edits_them_and_imports_them(client, auth, make):
    admin = make.user(roles=("admin",))
    login(client, admin)
    pessac = make.commune(name="Pessac", insee_code="33318")
    make.department(code="DNUM", name_fr="Ancien nom", name_en="Old name", commune=pessac)
    exported = client.get("/admin/departments.csv")
    assert exported.mimetype == "text/csv"
    # Written for the French admin's spreadsheet: a byte order mark, semicolons.
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True)[1:]), delimiter=";"))
    assert rows[0] == ["code", "name_fr", "name_en", "commune"]
    dnum = next(row for row in rows if row[0] == "DNUM")
    assert dnum == ["DNUM", "Ancien nom", "Old name", "33318"]
    dnum[1] = "Direction du numérique"
    rows.append(["DRH", "Direction des ressources humaines", "Human Resources", ""])
    edited = io.StringIO("\ufeff")  # saved again as "CSV UTF-8" by French Excel
    edited.seek(1)
    csv.writer(edited, delimiter=";").writerows(rows)
    checked = upload(auth, edited.getvalue(), check_only=True)
    assert checked.status_code == 200
    page = html.unescape(checked.get_data(as_text=True))
    assert "<dt>Directions créées</dt><dd>1</dd>" in page
    assert "<dt>Directions modifiées</dt><dd>1</dd>" in page
    assert count(Department) == 2  # DNUM and the factory's team of the admin
    assert upload(auth, edited.getvalue()).status_code == 302
    assert "Directions importées\u00a0: 1 direction créée, 1 direction modifiée." in html.unescape(
        client.get("/admin/departments").get_data(as_text=True)
    )
    names = set(db.session.scalars(select(Department.name_fr)))
    assert {"Direction du numérique", "Direction des ressources humaines"} <= names
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "department"))
    assert event.actor_id == admin.id


def test_a_wrong_departments_upload_lists_its_problems_in_french(client, auth, make):
    login(client, make.user(roles=("admin",)))
    before = count(Department)
    answer = upload(auth, "code,name_fr,name_en\n,Sans code,No code\n")
    assert answer.status_code == 422
    page = html.unescape(answer.get_data(as_text=True))
    assert (
        "<td>2</td><td>code</td><td>Un code est nécessaire, de 32 caractères au plus.</td>" in page
    )
    assert count(Department) == before


def test_only_admins_see_or_download_the_departments(client, make):
    login(client, make.user(roles=("organiser", "agent")))
    assert client.get("/admin/departments").status_code == 403
    assert client.get("/admin/departments.csv").status_code == 403
