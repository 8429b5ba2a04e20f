"""Review of 7 December: the staff directory and departments imports read a file's
headings as the catalogue's import does, capitals and accents aside (« Département »,
« departement », « DÉPARTEMENT »), and in an HR export's French words (« Matricule »); an
unknown heading is still refused, said in the admin's language, nothing changed."""

import html
import io
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.auth.models import User
from app.core.csv_import import csv_lines, heading_key, unaccented
from app.core.models import Department
from app.extensions import db
from tests.conftest import login


def _upload(auth, path: str, text: str):
    data = {"file": (io.BytesIO(text.encode()), "annuaire.csv")}
    return auth.post(path, data, content_type="multipart/form-data")


def _person(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _department(code: str) -> Department | None:
    return db.session.scalar(select(Department).where(Department.code == code))


def _words(answer) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True)))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def test_a_heading_is_compared_capitals_accents_and_spacing_aside():
    assert {heading_key(h) for h in ("Département", "departement", " DÉPARTEMENT ")} == {
        "departement"
    }
    assert heading_key("Staff number") == heading_key("staff_number") == heading_key("STAFF-NUMBER")
    assert unaccented("Écran") == unaccented("ECRAN") == "ecran"


@pytest.mark.parametrize(
    "department", ["department", "Département", "departement", "DÉPARTEMENT", "Direction"]
)
@pytest.mark.parametrize("number", ["staff_number", "Matricule", "matricule", "Staff number"])
def test_the_directory_reads_its_columns_under_any_of_their_headings(
    client, auth, make, department, number
):
    login(client, make.user(roles=("admin",), locale="fr"))
    make.department(code="DRH")
    text = f"Courriel;Nom complet;{department};{number}\nlea.martin@example.org;Léa Martin;DRH;M-0042\n"
    answer = _upload(auth, "/admin/directory", text)
    assert answer.status_code == 302, _words(answer)
    lea = _person("lea.martin@example.org")
    assert (lea.display_name, lea.department.code, lea.staff_number) == (
        "Léa Martin",
        "DRH",
        "M-0042",
    )


def test_the_command_reads_french_headings_too(runner, tmp_path, make):
    make.department(code="DRH")
    path = tmp_path / "annuaire.csv"
    path.write_text(
        "E-mail;Display name;Département;Commune;MATRICULE\nana@example.org;Ana Ruiz;DRH;;A-7\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert _person("ana@example.org").staff_number == "A-7"


@pytest.mark.parametrize(
    "header",
    [
        "code;name_fr;name_en",
        "Code;Nom FR;Nom EN",
        "CODE;NAME_FR;Name EN",
        "code;Nom français;Nom anglais",
    ],
)
def test_the_departments_import_reads_its_headings_in_any_form(client, auth, make, header):
    login(client, make.user(roles=("admin",), locale="fr"))
    answer = _upload(auth, "/admin/departments", f"{header}\nDNUM;Numérique;Digital\n")
    assert answer.status_code == 302, _words(answer)
    assert (_department("DNUM").name_fr, _department("DNUM").name_en) == ("Numérique", "Digital")


@pytest.mark.parametrize(
    "path, header, unknown",
    [
        ("/admin/directory", "email;display_name;Matricul", "Matricul"),
        ("/admin/departments", "code;name_fr;name_en;Région", "Région"),
    ],
)
def test_an_unknown_heading_is_still_refused_in_french_and_nothing_changes(
    client, auth, make, path, header, unknown
):
    login(client, make.user(roles=("admin",), locale="fr"))
    before = _counts()
    answer = _upload(auth, path, f"{header}\nlea@example.org;Léa;x;y\n")
    assert answer.status_code == 422
    assert f"1 {unknown} Colonnes inconnues. Les colonnes que ce fichier peut avoir : " in _words(
        answer
    )
    assert _counts() == before


def test_two_headings_of_one_column_are_refused_rather_than_one_guessed(client, auth, make):
    login(client, make.user(roles=("admin",), locale="fr"))
    make.department(code="DRH")
    make.department(code="DSI")
    before = _counts()
    text = "email;display_name;department;Département\nlea@example.org;Léa;DRH;DSI\n"
    answer = _upload(auth, "/admin/directory", text)
    assert answer.status_code == 422
    assert (
        "1 department ; Département Ces en-têtes désignent la même colonne : gardez-en un seul."
        in _words(answer)
    )
    assert _counts() == before


def test_an_empty_column_without_a_heading_is_left_out(client, auth, make):
    """French Excel ends each line with « ; » once a cell beyond the last column was used."""
    login(client, make.user(roles=("admin",), locale="fr"))
    answer = _upload(auth, "/admin/directory", "email;display_name;\nlea@example.org;Léa;\n")
    assert answer.status_code == 302, _words(answer)
    assert _person("lea@example.org").display_name == "Léa"


def test_a_value_under_no_heading_is_refused_on_its_line():
    problems = []
    with force_locale("en"):
        rows = list(
            csv_lines(
                "code,name,\nA,Écran,\nB,Clavier,red\n",
                problems,
                required=("code", "name"),
                max_lines=9,
            )
        )
    assert [line for line, _cells in rows] == [2]
    assert [(p.line, p.message) for p in problems] == [
        (3, "This line has a value in a column without a heading.")
    ]


def _counts() -> tuple[int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) for model in (User, Department)
    )


@pytest.mark.parametrize(
    "path, said",
    [
        ("/admin/directory", "Département ou Direction, Commune, Matricule."),
        ("/admin/departments", "et en français aussi : Code, Nom FR, Nom EN, Commune."),
    ],
)
def test_each_import_page_says_which_headings_it_reads(client, make, path, said):
    login(client, make.user(roles=("admin",), locale="fr"))
    assert said in _words(client.get(path))
