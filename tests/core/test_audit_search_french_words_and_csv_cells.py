"""Administration pages: the audit log found by the words
its page shows, the roles list's page kept without JavaScript, imports that read cells as
one clean line and read the portal's own exports back unchanged, counts worded one by one."""

import csv
import html
import io
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.auth.models import User
from app.core.audit import ERASED_TEXT, record_audit
from app.core.csv_import import csv_lines
from app.core.models import Department
from app.extensions import db
from tests.conftest import login

NOW = datetime(2026, 12, 8, 9, tzinfo=UTC)


def upload(auth, path, text, **fields):
    data = {"file": (io.BytesIO(text.encode() if isinstance(text, str) else text), "file.csv")}
    data.update(fields)
    return auth.post(path, data, content_type="multipart/form-data")


# --- 2. The audit log's "Containing" finds what its page shows, in French -------------


@pytest.fixture
def audit_log(client, make):
    """An admin reading in French, and events whose page words are French only."""
    admin = make.user(roles=("admin",), locale="fr")
    person = make.user(display_name="Zoé Blanc")
    record_audit(admin, "grant_role", "user", person.id, NOW, "role=organiser")
    record_audit(admin, "revoke_role", "user", person.id, NOW, "role=agent")
    record_audit(admin, "erase", "user", person.id, NOW, "personal data erased")
    record_audit(admin, "import", "department", "", NOW, "1 created, 0 updated")
    record_audit(
        admin,
        "sync_directory",
        "user_directory",
        "",
        NOW,
        "2 created, 0 updated, 0 deactivated, 0 reactivated",
    )
    record_audit(admin, "reject", "cleanup_action", 4, NOW, ERASED_TEXT)
    record_audit(admin, "update", "catalogue_item", 9, NOW, "LAPTOP-9: lifetime_years 4 -> 5")
    db.session.commit()  # fmt: skip
    login(client, admin)

    def found(text: str) -> list[tuple[str, str]]:
        answer = client.get("/admin/audit.csv", query_string={"text": text})
        rows = list(csv.reader(io.StringIO(answer.text.removeprefix("\ufeff")), delimiter=";"))
        return sorted((row[7], row[9]) for row in rows[1:])  # the codes, as stored

    return found


def test_the_audit_log_finds_a_role_by_its_french_name(audit_log):
    assert audit_log("Organisateur") == [("grant_role", "role=organiser")]


def test_the_audit_log_finds_a_detail_by_its_french_words(audit_log):
    assert audit_log("Données personnelles effacées") == [("erase", "personal data erased")]
    assert audit_log("texte effacé") == [("reject", ERASED_TEXT)]


def test_the_audit_log_finds_counts_by_their_french_words(audit_log):
    assert [action for action, _summary in audit_log("créé")] == ["import", "sync_directory"]
    # The figures are no words to find: "2 compte" is not every import that created some.
    assert audit_log("9 compte") == []


def test_the_audit_log_finds_an_action_by_its_french_label(audit_log):
    assert audit_log("retrait de rôle") == [("revoke_role", "role=agent")]


def test_the_audit_log_finds_no_stored_form_its_page_words_otherwise(audit_log):
    """Found by what the page shows (« Organisateur », « Durée de vie »), not by the
    stored keys it words (the CSV's last column keeps them): "_" found the edits whose
    stored `lifetime_years` the page shows as « Durée de vie »."""
    assert audit_log("role=organiser") == []
    assert audit_log("lifetime_years") == audit_log("_") == []
    assert audit_log("LAPTOP-9") == [("update", "LAPTOP-9: lifetime_years 4 -> 5")]


def test_the_audit_page_lists_the_event_found_by_its_french_words(client, audit_log):
    page = html.unescape(client.get("/admin/audit?text=Organisateur").get_data(as_text=True))
    assert "<td>Attribution de rôle</td>" in page and "<td>Organisateur</td>" in page
    assert "<td>Effacement</td>" not in page


# --- 3. Roles: the page of the list is kept without JavaScript -------------------------


def test_a_change_on_page_2_without_javascript_comes_back_to_page_2(client, auth, make):
    login(client, make.user(roles=("admin",)))
    people = [make.user(display_name=f"Martin {n:02d}", email=f"martin{n:02d}@example.org")
              for n in range(27)]  # fmt: skip
    person = people[-1]  # by e-mail, the 27th: on page 2 (25 a page)
    listed = client.get("/admin/roles?q=martin&page=2").get_data(as_text=True)
    assert f"/admin/roles/{person.id}?q=martin&amp;page=2" in listed

    answer = auth.post(f"/admin/roles/{person.id}?q=martin&page=2", {"change": "grant:agent"})

    assert answer.headers["Location"] == f"/admin/roles?q=martin&page=2#person-{person.id}"
    assert "agent" in db.session.get(User, person.id).roles


# --- 4. Imports read each cell as one clean line ---------------------------------------


def test_csv_cells_fold_whitespace_and_drop_control_characters():
    problems = []
    text = 'code,name,description_fr\nA-1,"Jean\nDupont","Ligne 1\nLigne 2\x07"\nB-2,Jean\tDupont\x07 ,\n'
    with force_locale("en"):
        lines = list(
            csv_lines(
                text,
                problems,
                required=("code", "name"),
                max_lines=10,
                multiline=("description_fr",),
            )
        )
    assert problems == []
    assert [cells["name"] for _line, cells in lines] == ["Jean Dupont", "Jean Dupont"]
    # A column the import names multi-line (a text area's): its line breaks stay.
    assert lines[0][1]["description_fr"] == "Ligne 1\nLigne 2"


def test_the_staff_directory_stores_names_on_one_line(client, auth, make):
    login(client, make.user(roles=("admin",)))
    text = (
        "email,display_name\n"
        'jean@example.org,"Jean\r\nDupont"\n'
        "jeanne@example.org,Jeanne\t\tDupont\x07\n"
    )
    assert upload(auth, "/admin/directory", text).status_code == 302
    names = db.session.scalars(
        select(User.display_name).where(User.email.like("jean%")).order_by(User.email)
    ).all()
    assert names == ["Jean Dupont", "Jeanne Dupont"]


# --- 5. An export imported unchanged changes nothing -----------------------------------


def test_departments_exported_then_imported_keep_names_a_spreadsheet_would_run(client, auth, make):
    login(client, make.user(roles=("admin",)))
    make.department(code="-D1", name_fr="=Direction", name_en="+Plus")
    make.department(code="T2", name_fr="@Équipe", name_en="-Team")
    exported = client.get("/admin/departments.csv").data
    assert "'=Direction" in exported.decode("utf-8-sig")  # still protected on its way out

    answer = upload(auth, "/admin/departments", exported)

    assert answer.status_code == 302
    stored = db.session.execute(
        select(Department.code, Department.name_fr, Department.name_en).order_by(Department.code)
    ).all()
    assert [tuple(row) for row in stored if row[0] in ("-D1", "T2")] == [
        ("-D1", "=Direction", "+Plus"),
        ("T2", "@Équipe", "-Team"),
    ]
    done = html.unescape(client.get("/admin/departments").get_data(as_text=True))
    assert "0 direction créée, 0 direction modifiée" in done


# --- 6. Counts worded one by one -------------------------------------------------------


def test_the_departments_import_words_each_count_in_french(client, auth, make):
    login(client, make.user(roles=("admin",)))
    assert (
        upload(auth, "/admin/departments", "code,name_fr,name_en\nDX,Dir,Dep\n").status_code == 302
    )
    page = client.get("/admin/departments").get_data(as_text=True)
    assert "Directions importées\u00a0: 1 direction créée, 0 direction modifiée." in page


def test_one_problem_beyond_those_listed_is_said_in_the_singular(client, auth, make):
    login(client, make.user(roles=("admin",)))
    text = "code,name_fr,name_en\n" + "".join(f"bad code {n},Dir,Dep\n" for n in range(201))
    answer = upload(auth, "/admin/departments", text)
    assert answer.status_code == 422
    assert "… et 1 autre problème." in answer.get_data(as_text=True)
