"""The departments and staff directory imports read what spreadsheets save: semicolons
(French Excel), a BOM; a file in another encoding says how to save it; department
codes follow the catalogue's rule."""

import html
import io

from sqlalchemy import select

from app.auth.models import User
from app.core.models import Department
from app.extensions import db
from tests.conftest import login


def upload(auth, url, content: bytes):
    data = {"file": (io.BytesIO(content), "file.csv")}
    return auth.post(url, data, content_type="multipart/form-data")


def department(code) -> Department | None:
    return db.session.scalar(select(Department).where(Department.code == code))


def test_departments_separated_by_semicolons_with_a_bom_are_imported(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = "\ufeffcode;name_fr;name_en\nDNUM;Numérique, données;Digital, data\n"
    answer = upload(auth, "/admin/departments", text.encode())
    assert answer.status_code == 302
    assert department("DNUM").name_fr == "Numérique, données"


def test_a_staff_directory_separated_by_semicolons_is_imported(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    answer = upload(
        auth, "/admin/directory", "email;display_name\nlea@example.org;Léa Martin\n".encode()
    )
    assert answer.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "lea@example.org"))
    assert user.display_name == "Léa Martin"


def test_a_file_that_is_not_utf_8_says_how_to_save_it_at_the_field(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    content = "code;name_fr;name_en\nDNUM;Numérique;Digital\n".encode("cp1252")
    answer = upload(auth, "/admin/departments", content)
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert 'id="file-error">Le fichier n\'est pas du texte UTF-8. Enregistrez-le au format ' in page
    assert "«\u00a0CSV UTF-8\u00a0»" in page
    assert department("DNUM") is None


def test_a_department_code_outside_the_catalogue_s_rule_is_refused_on_its_line(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    text = "code,name_fr,name_en\nGOOD-1,Bon,Good\ndbad code!,Mauvais,Bad\n"
    answer = upload(auth, "/admin/departments", text.encode())
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert "<td>3</td><td>code</td><td>Letters, digits, dot, dash and underscore only.</td>" in page
    assert department("GOOD-1") is None


def test_the_command_refuses_a_department_code_outside_the_rule(runner, tmp_path):
    path = tmp_path / "departments.csv"
    path.write_text("code;name_fr;name_en\ndbad code!;Mauvais;Bad\n", encoding="utf-8")
    result = runner.invoke(args=["reference", "departments", str(path)])
    assert result.exit_code == 1
    assert "line 2, code: Letters, digits, dot, dash and underscore only." in result.output
    assert department("dbad code!") is None
