"""Keeping accounts in step with the staff directory's CSV export (`flask users import`)."""

import html
import io

import pytest
from sqlalchemy import func, select

from app.auth.models import ErasedAddress, User
from app.auth.services import erased_address_digest
from app.core.audit import AuditEvent
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login


def run_import(runner, tmp_path, text, *options):
    path = tmp_path / "directory.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["users", "import", str(path), *options])


def person(email) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def kept_digests() -> set[str]:
    return set(db.session.scalars(select(ErasedAddress.digest)))


def people_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_the_export_creates_accounts_who_then_sign_in_with_a_link(
    app, runner, tmp_path, make, smtp
):
    team = make.department(code="DNUM")
    result = run_import(
        runner,
        tmp_path,
        "\ufeffemail,display_name,department\n"
        "Lea.Martin@bordeaux-metropole.fr,Léa Martin,dnum\n"
        "yann.roux@bordeaux-metropole.fr,Yann Roux,\n",
    )
    assert result.exit_code == 0, result.output
    assert "Done: 2 created, 0 updated, 0 unchanged" in result.output
    lea = person("lea.martin@bordeaux-metropole.fr")
    assert (lea.display_name, lea.department_id, lea.commune_id) == (
        "Léa Martin",
        team.id,
        team.commune_id,
    )
    assert lea.password_hash is None and lea.roles == {"employee"} and lea.is_active
    assert lea.pseudonym and lea.pseudonym != person("yann.roux@bordeaux-metropole.fr").pseudonym
    client = app.test_client()
    answer = client.post(
        "/auth/sign-in/link",
        data={"link-email": "lea.martin@bordeaux-metropole.fr", "csrf_token": csrf_token(client)},
        buffered=True,  # the e-mail leaves once the answer is closed
    )
    assert answer.status_code == 200
    assert smtp.recipients() == ["lea.martin@bordeaux-metropole.fr"]


def test_a_second_run_updates_names_and_teams_and_leaves_the_rest(runner, tmp_path, make):
    old, new = make.department(code="OLD"), make.department(code="NEW")
    moved = make.user(email="moved@example.org", department=old, locale="en")
    make.add_role(moved, "organiser")
    make.user(email="same@example.org", display_name="Same Person", department=old)
    result = run_import(
        runner,
        tmp_path,
        "email,display_name,department\n"
        "moved@example.org,Moved Person,NEW\n"
        "same@example.org,Same Person,OLD\n",
    )
    assert "Done: 0 created, 1 updated, 1 unchanged" in result.output
    moved = person("moved@example.org")
    assert (moved.display_name, moved.department_id, moved.commune_id) == (
        "Moved Person",
        new.id,
        new.commune_id,
    )
    # What is the person's or the admins' is not the file's.
    assert moved.roles == {"employee", "organiser"} and moved.locale == "en"
    assert moved.password_hash is not None


def test_a_file_with_errors_changes_nothing_and_lists_every_error(runner, tmp_path, make):
    make.department(code="DNUM")
    before = people_count()
    result = run_import(
        runner,
        tmp_path,
        "email,display_name,department,commune\n"
        "ok@example.org,Fine Person,DNUM,\n"
        "not-an-address,Someone,DNUM,\n"
        "two@example.org,Someone Else,NOPE,\n"
        "OK@example.org,Fine Again,DNUM,\n"
        "three@example.org,,DNUM,99999\n",
    )
    assert result.exit_code == 1
    for expected in (
        "line 3, email: This is not a valid e-mail address: not-an-address.",
        "line 4, department: Unknown department code: NOPE.",
        "line 5, email: This address is already on line 2.",
        "line 6, display_name: A name is needed, of at most 120 characters.",
        "line 6, commune: Unknown commune INSEE code: 99999.",
        "Nothing was changed",
    ):
        assert expected in result.output
    assert people_count() == before


def test_a_file_without_the_needed_columns_is_refused(runner, tmp_path):
    result = run_import(runner, tmp_path, "mail;name\nx@example.org;X\n")
    assert result.exit_code == 1
    assert "line 1, email; display_name: Missing columns in the header line." in result.output


def test_a_misspelt_column_is_refused_with_the_names_the_file_may_use(runner, tmp_path, make):
    """« departmnt » was skipped in silence, with every move the file meant to make."""
    make.user(email="ana@example.org", display_name="Ana")
    result = run_import(runner, tmp_path, "email,display_name,Departmnt\nana@example.org,Ana,DSI\n")
    assert result.exit_code == 1
    assert "Departmnt: Unknown columns. The columns this file may have: email;" in result.output


def test_people_who_left_are_deactivated_but_not_those_holding_a_role(app, runner, tmp_path, make):
    stays = make.user(email="stays@example.org")
    left = make.user(email="left@example.org")
    make.user(email="organiser@example.org", roles=("organiser",))
    erased = make.user(email="erased@example.org")
    erase_user(erased, utcnow())
    db.session.commit()
    device = app.test_client()
    login(device, left)
    assert device.get("/").status_code == 200
    result = run_import(
        runner,
        tmp_path,
        f"email,display_name\n{stays.email},{stays.display_name}\n",
        "--deactivate-missing",
    )
    assert result.exit_code == 0, result.output
    assert "1 deactivated. 1 person not listed but kept active (they hold a role)." in result.output
    assert not person("left@example.org").is_active
    assert device.get("/").status_code == 302  # their session ended
    assert person("organiser@example.org").is_active
    assert person(erased.email).anonymised_at is not None  # erased accounts are left alone


def test_someone_listed_again_is_reactivated(runner, tmp_path, make):
    make.user(email="back@example.org", display_name="Back Again", active=False)
    result = run_import(runner, tmp_path, "email,display_name\nback@example.org,Back Again\n")
    assert "1 reactivated" in result.output
    assert person("back@example.org").is_active


def test_a_person_erased_at_their_request_is_not_recreated_until_the_directory_drops_them(
    runner, tmp_path, make
):
    erased = make.user(email="ines.roux@example.org", display_name="Inès Roux")
    make.user(email="stays@example.org", display_name="Stays Here")
    erase_user(erased, utcnow())
    db.session.commit()
    assert kept_digests() == {erased_address_digest("ines.roux@example.org")}
    assert "ines" not in "".join(kept_digests())  # a digest, not the address

    listed = "email,display_name\nInes.Roux@Example.org,Inès Roux\nstays@example.org,Stays Here\n"
    result = run_import(runner, tmp_path, listed)
    assert result.exit_code == 0, result.output
    assert "0 created" in result.output
    assert "1 person erased at their request was not recreated." in result.output
    assert person("ines.roux@example.org") is None

    # A file without the address that still lists everyone else: she left the authority.
    run_import(
        runner,
        tmp_path,
        "email,display_name\nstays@example.org,Stays Here\n",
        "--deactivate-missing",
    )
    assert kept_digests() == set()

    # Hired again later, she gets an account like anyone new.
    result = run_import(runner, tmp_path, listed)
    assert "1 created" in result.output and "not recreated" not in result.output
    assert person("ines.roux@example.org").is_active


def test_an_erased_address_is_remembered_through_partial_files(runner, tmp_path, make):
    erased = make.user(email="gone@example.org")
    erase_user(erased, utcnow())
    db.session.commit()
    run_import(runner, tmp_path, "email,display_name\nsomeone@example.org,Someone\n")
    assert kept_digests() == {erased_address_digest("gone@example.org")}
    result = run_import(runner, tmp_path, "email,display_name\ngone@example.org,Gone Person\n")
    assert "1 person erased at their request was not recreated." in result.output
    assert person("gone@example.org") is None


def test_with_a_staff_number_a_new_address_keeps_the_account_and_its_history(
    runner, tmp_path, make
):
    result = run_import(
        runner,
        tmp_path,
        "email,display_name,staff_number\nmarie.dupont@example.org,Marie Dupont,M-1042\n",
    )
    assert "1 created" in result.output
    marie = person("marie.dupont@example.org")
    account, pseudonym = marie.id, marie.pseudonym
    assert marie.staff_number == "M-1042"

    result = run_import(
        runner,
        tmp_path,
        "email,display_name,staff_number\nmarie.martin@example.org,Marie Martin,M-1042\n",
        "--deactivate-missing",
    )
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated" in result.output and "0 deactivated" in result.output
    assert person("marie.dupont@example.org") is None
    moved = person("marie.martin@example.org")
    assert (moved.id, moved.pseudonym, moved.display_name) == (account, pseudonym, "Marie Martin")
    assert moved.is_active


def test_a_staff_number_is_given_to_an_account_found_by_its_address(runner, tmp_path, make):
    known = make.user(email="known@example.org", display_name="Known")
    run_import(runner, tmp_path, "email,display_name,staff_number\nknown@example.org,Known,K-7\n")
    assert db.session.get(User, known.id).staff_number == "K-7"


def test_two_people_swapping_addresses_keep_their_own_accounts(runner, tmp_path, make):
    header = "email,display_name,staff_number\n"
    run_import(runner, tmp_path, header + "a@example.org,Ann,1\nb@example.org,Bob,2\n")
    ann, bob = person("a@example.org").id, person("b@example.org").id
    result = run_import(runner, tmp_path, header + "b@example.org,Ann,1\na@example.org,Bob,2\n")
    assert result.exit_code == 1  # each new address belongs to the other account still
    assert "line 2, email: This address belongs to another account." in result.output
    assert (person("a@example.org").id, person("b@example.org").id) == (ann, bob)


def test_a_file_that_contradicts_the_accounts_changes_nothing(runner, tmp_path, make):
    header = "email,display_name,staff_number\n"
    run_import(runner, tmp_path, header + "a@example.org,Ann,1\nb@example.org,Bob,2\n")
    before = people_count()
    result = run_import(
        runner,
        tmp_path,
        header
        + "a@example.org,Ann,3\n"  # her address, another number
        + "c@example.org,Cat,4\n"
        + "d@example.org,Dan,4\n"  # a number twice
        + f"e@example.org,Eve,{'9' * 33}\n",
    )
    assert result.exit_code == 1
    for expected in (
        "line 4, staff_number: This staff number is already on line 3.",
        "line 5, staff_number: A staff number has at most 32 printable characters.",
    ):
        assert expected in result.output
    assert people_count() == before and person("c@example.org") is None
    result = run_import(
        runner,
        tmp_path,
        header + "a@example.org,Ann,3\nb@example.org,Bob,\nbob.new@example.org,Bob,2\n",
    )
    assert "line 2, staff_number: This address belongs to the account with staff number 1." in (
        result.output
    )
    assert "line 4, -: This person is already on line 3." in result.output
    assert person("a@example.org").staff_number == "1"
    assert person("bob.new@example.org") is None


def test_an_empty_file_deactivates_nobody(runner, tmp_path, make):
    make.user(email="here@example.org")
    result = run_import(runner, tmp_path, "email,display_name\n", "--deactivate-missing")
    assert result.exit_code == 1
    assert "The file lists nobody: nobody was deactivated." in result.output
    assert person("here@example.org").is_active


def test_a_dry_run_counts_and_saves_nothing(runner, tmp_path, make):
    before = people_count()
    result = run_import(
        runner, tmp_path, "email,display_name\nnew@example.org,New Person\n", "--dry-run"
    )
    assert "Would change: 1 created" in result.output
    assert people_count() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_dry_run_names_whom_it_would_deactivate_and_move(runner, tmp_path, make):
    finance = make.department(code="FIN")
    make.department(code="ECOLES")
    make.user(email="stays@example.org", display_name="Ann Stays", department=finance)
    make.user(email="moves@example.org", display_name="Bob Moves", department=finance)
    for number in range(12):  # more than the admin page's ten, under the 10 % guard
        make.user(email=f"other{number:02}@example.org", display_name=f"Other {number:02}")
    make.user(email="left@example.org", display_name="Cy Left")
    listed = "".join(f"other{number:02}@example.org,Other {number:02},\n" for number in range(12))
    result = run_import(
        runner,
        tmp_path,
        "email,display_name,department\nstays@example.org,Ann Stays,FIN\n"
        "moves@example.org,Bob Moves,ECOLES\n" + listed,
        "--deactivate-missing",
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[lines.index("Would deactivate:") + 1] == "  Cy Left <left@example.org>"
    moved = lines.index("Would move to another department:")
    assert lines[moved + 1] == "  Bob Moves <moves@example.org>: FIN -> ECOLES"
    assert "stays@example.org" not in result.output
    assert (
        person("left@example.org").is_active and person("moves@example.org").department == finance
    )


def test_each_run_is_in_the_audit_log_in_the_admins_language(client, runner, tmp_path, make):
    make.user(email="gone@example.org")
    run_import(
        runner,
        tmp_path,
        "email,display_name\na@example.org,A Person\nb@example.org,B Person\n",
        "--deactivate-missing",
    )
    admin = make.user(roles=("admin",))
    login(client, admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "<td>Annuaire du personnel</td>" in html
    assert "<td>2 comptes créés · 0 modifié · 1 désactivé · 0 réactivé</td>" in html


# --- the admin page: the same import, from a browser ----------------------------------


def upload(auth, text, **options):
    data = {"file": (io.BytesIO(text.encode() if isinstance(text, str) else text), "staff.csv")}
    data.update({name: "y" for name, on in options.items() if on})
    return auth.post("/admin/directory", data, content_type="multipart/form-data")


def test_an_admin_checks_the_file_then_imports_it(client, auth, make):
    admin = make.user(roles=("admin",))
    login(client, admin)
    make.department(code="DNUM")
    text = "email,display_name,department\nnew.person@example.org,New Person,DNUM\n"
    before = people_count()
    checked = upload(auth, text, check_only=True)
    assert checked.status_code == 200
    page = html.unescape(checked.get_data(as_text=True))
    assert "Le fichier est correct. Rien n'a été enregistré" in page
    assert "<dt>Comptes créés</dt><dd>1</dd>" in page
    assert people_count() == before
    imported = upload(auth, text)
    assert imported.status_code == 302
    assert "Annuaire importé\u00a0: 1 compte créé" in client.get("/admin/directory").get_data(
        as_text=True
    )
    assert person("new.person@example.org").department.code == "DNUM"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sync_directory"))
    assert event.actor_id == admin.id


def test_the_admin_page_says_who_was_not_recreated_after_an_erasure(client, auth, make):
    login(client, make.user(roles=("admin",)))
    erase_user(make.user(email="left.alone@example.org"), utcnow())
    db.session.commit()
    text = "email,display_name\nleft.alone@example.org,Left Alone\nnew@example.org,New One\n"
    checked = html.unescape(upload(auth, text, check_only=True).get_data(as_text=True))
    assert "<dt>Non recréés (effacés à leur demande)</dt><dd>1</dd>" in checked
    assert upload(auth, text).status_code == 302
    page = html.unescape(client.get("/admin/directory").get_data(as_text=True))
    assert "1 personne effacée à sa demande n'a pas été recréée." in page
    assert person("left.alone@example.org") is None
    assert person("new@example.org") is not None


def test_a_wrong_file_is_listed_line_by_line_in_french_and_changes_nothing(client, auth, make):
    login(client, make.user(roles=("admin",)))
    before = people_count()
    answer = upload(auth, "email,display_name\nnot-an-address,Someone\nok@example.org,\n")
    assert answer.status_code == 422
    page = html.unescape(answer.get_data(as_text=True))
    assert (
        "<td>2</td><td>email</td><td>Cette adresse e-mail n'est pas valide\u00a0: not-an-address."
        "</td>"
    ) in page
    assert "<td>3</td><td>display_name</td><td>Un nom est nécessaire" in page
    assert people_count() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8", "Le fichier n'est pas du texte UTF-8."),
        (b"email,display_name\nnul\x00@example.org,X\n", "Cette adresse e-mail n'est pas valide."),
        # Over the csv module's field limit (131,072 characters): it raises, we explain.
        (b"email,display_name\n" + b"x" * 200_000 + b",X\n", "Cette ligne ne peut être lue en CSV"),
    ],
)
def test_a_file_that_is_not_text_is_refused_with_a_message(client, auth, make, content, message):
    login(client, make.user(roles=("admin",)))
    before = people_count()
    answer = upload(auth, content)
    assert answer.status_code == 422
    assert message in html.unescape(answer.get_data(as_text=True))
    assert people_count() == before


def test_only_admins_open_the_directory_page(client, make):
    login(client, make.user(roles=("organiser", "agent")))
    assert client.get("/admin/directory").status_code == 403


def test_a_file_that_is_not_utf_8_is_refused_by_the_command(runner, tmp_path):
    """A Latin-1 export would have put replacement characters in people's names."""
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,display_name\nlea@example.org,Léa Martin\n".encode("latin-1"))
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert "The file is not UTF-8 text" in result.output
    assert person("lea@example.org") is None


def test_a_staff_number_is_in_the_person_s_export_and_gone_with_their_erasure(
    client, runner, tmp_path
):
    run_import(runner, tmp_path, "email,display_name,staff_number\nzoe@example.org,Zoé,Z-9\n")
    zoe = person("zoe@example.org")
    login(client, zoe)
    assert client.get("/auth/profile/export").json["profile"]["staff_number"] == "Z-9"
    erase_user(zoe, utcnow())
    db.session.commit()
    assert db.session.get(User, zoe.id).staff_number is None


def test_a_file_without_the_department_column_leaves_departments_alone(runner, tmp_path, make):
    team = make.department(code="DNUM")
    make.user(email="kept@example.org", display_name="Old Name", department=team)
    result = run_import(runner, tmp_path, "email,display_name\nkept@example.org,New Name\n")
    assert result.exit_code == 0, result.output
    kept = person("kept@example.org")
    assert (kept.display_name, kept.department_id, kept.commune_id) == (
        "New Name",
        team.id,
        team.commune_id,
    )


def test_a_row_a_spreadsheet_emptied_is_skipped_and_an_unknown_department_is_named(
    runner, tmp_path, make
):
    result = run_import(
        runner,
        tmp_path,
        "email;display_name;department\r\n;;\r\nnew@example.org;New Person;DXYZ\r\n",
    )
    assert "line 3, department: Unknown department code: DXYZ." in result.output
    assert "line 2" not in result.output
