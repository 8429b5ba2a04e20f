"""What a staff directory import changed, person by person: their admin page says it (moved,
created), the check names the department moves before anything is saved, a file without
rows changes nothing, the directory downloads in the import's own format, and an admin
changes a department by hand between two imports."""

import csv
import html
import io
import re

from sqlalchemy import select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.csv_safety import BYTE_ORDER_MARK
from app.extensions import db
from tests.conftest import login


def upload(auth, text, **options):
    data = {"file": (io.BytesIO(text.encode()), "staff.csv")}
    data.update({name: "y" for name, on in options.items() if on})
    return auth.post("/admin/directory", data, content_type="multipart/form-data")


def page_text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def person(email) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_a_person_moved_by_an_import_has_the_move_on_their_page(client, auth, make):
    admin = make.user(roles=("admin",), locale="en", email="chief@example.org")
    dgen, drh = make.department(code="DGEN"), make.department(code="DRH")
    moved = make.user(email="moved@example.org", display_name="Léa Martin", department=dgen)
    login(client, admin)
    assert upload(auth, "email,display_name,department\nmoved@example.org,Léa Martin,DRH\n")
    text = " ".join(page_text(client.get(f"/admin/people/{moved.id}")).split())
    assert re.search(
        r"Changed by the staff directory \(Department: DGEN → DRH · Commune: \d+ → \d+\) · "
        r"chief@example\.org",
        text,
    )
    assert "No change" not in text
    assert drh.id == person("moved@example.org").department_id


def test_a_person_created_by_an_import_is_said_to_have_been(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    assert (
        upload(auth, "email,display_name\nnew@example.org,Nouvelle Personne\n").status_code == 302
    )
    text = " ".join(page_text(client.get(f"/admin/people/{person('new@example.org').id}")).split())
    assert "Création (Par l'import de l'annuaire du personnel)" in text


def test_the_check_names_the_department_moves_before_anything_is_saved(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    dgen, _drh = make.department(code="DGEN"), make.department(code="DRH")
    make.user(email="moved@example.org", display_name="Léa Martin", department=dgen)
    make.user(email="stays@example.org", display_name="Yann Roux", department=dgen)
    file = (
        "email,display_name,department\n"
        "moved@example.org,Léa Martin,DRH\nstays@example.org,Yann Roux,DGEN\n"
    )
    text = " ".join(page_text(upload(auth, file, check_only=True)).split())
    assert "Department changes Léa Martin (moved@example.org): DGEN → DRH" in text
    assert "Yann Roux" not in text
    assert person("moved@example.org").department_id == dgen.id


def test_a_file_with_a_header_and_no_rows_changes_nothing_and_says_so(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    response = upload(auth, "email;display_name;department\n")
    text = " ".join(page_text(response).split())
    assert response.status_code == 422
    assert "Le fichier n'a aucune ligne, seulement son en-tête" in text
    assert "Le fichier est correct" not in text
    after = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert after == before  # no import recorded


def test_the_directory_downloads_in_the_import_format_and_imports_again_unchanged(
    client, auth, make
):
    admin = make.user(roles=("admin",), locale="fr", email="chief@example.org")
    dgen = make.department(code="DGEN")
    elsewhere = make.commune(insee_code="33281")
    make.user(email="lea@example.org", display_name="=Léa", department=dgen, staff_number="M1")
    make.user(email="yann@example.org", display_name="Yann", department=dgen, commune=elsewhere)
    gone = make.user(email="gone@example.org", display_name="Parti")
    gone.active = False
    db.session.commit()
    login(client, admin)
    assert 'action="/admin/directory.csv"' in client.get("/admin/directory").get_data(as_text=True)
    assert client.post("/admin/directory.csv").status_code == 400  # no CSRF token
    response = auth.post("/admin/directory.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "annuaire" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith(BYTE_ORDER_MARK)
    rows = list(csv.reader(io.StringIO(body.removeprefix(BYTE_ORDER_MARK)), delimiter=";"))
    assert rows[0] == ["email", "display_name", "department", "commune", "staff_number"]
    assert ["lea@example.org", "'=Léa", "DGEN", "", "M1"] in rows
    assert ["yann@example.org", "Yann", "DGEN", "33281", ""] in rows
    assert not any(row[0] == "gone@example.org" for row in rows)
    logged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "download_directory"))
    assert logged is not None and logged.actor_id == admin.id
    # Imported again as it is (the formula guard aside): nothing moves.
    again = body.replace("'=Léa", "=Léa")
    checked = " ".join(page_text(upload(auth, again, check_only=True)).split())
    assert "Comptes créés 0 Modifiés 0" in checked


def test_an_admin_changes_a_department_on_the_persons_page(client, auth, make):
    admin = make.user(roles=("admin",), locale="en", email="chief@example.org")
    dgen, drh = make.department(code="DGEN"), make.department(code="DRH", name_en="HR")
    moved = make.user(email="moved@example.org", display_name="Léa Martin", department=dgen)
    login(client, admin)
    page = client.get(f"/admin/people/{moved.id}").get_data(as_text=True)
    assert f'action="/admin/people/{moved.id}/department"' in page
    response = auth.post(f"/admin/people/{moved.id}/department", {"department": str(drh.id)})
    assert response.status_code == 302
    text = " ".join(page_text(client.get(f"/admin/people/{moved.id}")).split())
    assert "Léa Martin is now in the department HR." in text
    assert "Department changed (DGEN → DRH) · chief@example.org" in text
    db.session.expire_all()
    assert db.session.get(User, moved.id).department_id == drh.id


def test_an_unknown_department_is_refused_at_its_field(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    dgen = make.department(code="DGEN")
    moved = make.user(department=dgen)
    response = auth.post(f"/admin/people/{moved.id}/department", {"department": "999999"})
    assert response.status_code == 422
    assert "Choose a department from the list." in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, moved.id).department_id == dgen.id


def test_a_department_change_without_a_csrf_token_is_refused(client, make):
    login(client, make.user(roles=("admin",), locale="en"))
    dgen, drh = make.department(code="DGEN"), make.department(code="DRH")
    moved = make.user(department=dgen)
    response = client.post(f"/admin/people/{moved.id}/department", data={"department": drh.id})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, moved.id).department_id == dgen.id
