"""Keeping accounts in step with the staff directory's CSV export (`flask users import`)."""

from sqlalchemy import func, select

from app.auth.models import User
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
        "line 3: e-mail 'not-an-address'",
        "line 4: unknown department code 'NOPE'",
        "line 5: ok@example.org is already on line 2",
        "line 6: display_name is empty",
        "line 6: unknown commune INSEE code '99999'",
        "Nothing was changed",
    ):
        assert expected in result.output
    assert people_count() == before


def test_a_file_without_the_needed_columns_is_refused(runner, tmp_path):
    result = run_import(runner, tmp_path, "mail;name\nx@example.org;X\n")
    assert result.exit_code == 1
    assert "missing column(s): email, display_name" in result.output


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
    assert "1 deactivated, 1 not listed but kept (they hold a role)" in result.output
    assert not person("left@example.org").is_active
    assert device.get("/").status_code == 302  # their session ended
    assert person("organiser@example.org").is_active
    assert person(erased.email).anonymised_at is not None  # erased accounts are left alone


def test_someone_listed_again_is_reactivated(runner, tmp_path, make):
    make.user(email="back@example.org", display_name="Back Again", active=False)
    result = run_import(runner, tmp_path, "email,display_name\nback@example.org,Back Again\n")
    assert "1 reactivated" in result.output
    assert person("back@example.org").is_active


def test_an_empty_file_deactivates_nobody(runner, tmp_path, make):
    make.user(email="here@example.org")
    result = run_import(runner, tmp_path, "email,display_name\n", "--deactivate-missing")
    assert result.exit_code == 1
    assert "the file lists nobody" in result.output
    assert person("here@example.org").is_active


def test_a_dry_run_counts_and_saves_nothing(runner, tmp_path, make):
    before = people_count()
    result = run_import(
        runner, tmp_path, "email,display_name\nnew@example.org,New Person\n", "--dry-run"
    )
    assert "Would change: 1 created" in result.output
    assert people_count() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


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
