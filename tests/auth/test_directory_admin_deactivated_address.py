"""An account an admin deactivated stays so: the directory import never gives its address
to a new account (a returning person would lose their history), it asks the admin; and
a name compared with the file's ignores hyphens as it ignores spacing."""

import html

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from tests.auth.test_directory_address_reuse import (
    HEADER,
    account,
    departed,
    page_text,
    upload,
)
from tests.conftest import login


def people_with(email) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(User.email == email))


def test_a_new_number_on_an_admin_deactivated_persons_line_is_for_the_admin(client, auth, make):
    suspended = departed(make, "jean.martin@example.org", "Jean Martin", "M00135", by="admin")
    login(client, make.user(roles=("admin",), locale="fr"))

    answer = upload(auth, HEADER + "jean.martin@example.org,Jean Martin,N09999\n")

    said = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422, page_text(client)
    assert (
        "appartient à un compte qu'un administrateur a désactivé (Jean Martin, matricule M00135)"
        in said
    )
    kept = db.session.get(User, suspended.id)
    assert (kept.email, kept.active, kept.staff_number) == (
        "jean.martin@example.org",
        False,
        "M00135",
    )
    assert people_with("jean.martin@example.org") == 1


def test_a_married_name_on_an_admin_deactivated_account_without_number_is_refused(
    runner, tmp_path, make
):
    suspended = departed(make, "claire.dubois@example.org", "Claire Dubois", by="admin")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "claire.dubois@example.org,Claire Roux,R-1\n", encoding="utf-8")

    result = runner.invoke(args=["users", "import", str(path)])

    assert result.exit_code == 1, result.output
    assert "belongs to an account an admin deactivated (Claire Dubois)" in result.output
    assert "reactivate their account on its page" in result.output
    kept = account("claire.dubois@example.org")
    assert (kept.id, kept.active, kept.staff_number) == (suspended.id, False, None)


def test_a_hyphen_in_the_name_is_the_same_person_kept_deactivated(runner, tmp_path, make):
    suspended = departed(make, "mc.dubois@example.org", "Marie-Claire Dubois", by="admin")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "mc.dubois@example.org,Marie Claire Dubois,D-2\n", encoding="utf-8")

    result = runner.invoke(args=["users", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert "0 created" in result.output
    kept = account("mc.dubois@example.org")
    assert (kept.id, kept.active, kept.staff_number) == (suspended.id, False, "D-2")


def test_a_hyphen_in_the_name_gives_a_departed_person_their_account_back(runner, tmp_path, make):
    gone = departed(make, "mc.dubois@example.org", "Marie Claire Dubois")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "mc.dubois@example.org,Marie-Claire Dubois,D-2\n", encoding="utf-8")

    result = runner.invoke(args=["users", "import", str(path)])

    assert "1 reactivated" in result.output, result.output
    back = account("mc.dubois@example.org")
    assert (back.id, back.active, back.display_name) == (gone.id, True, "Marie-Claire Dubois")


def test_an_admin_deactivated_account_listed_at_its_new_address_frees_the_old_one(
    runner, tmp_path, make
):
    """Its own number finds it on another line: it moves, still deactivated, and its old
    address goes to the new hire without asking anyone."""
    suspended = departed(make, "jean.martin@example.org", "Jean Martin", "M00135", by="admin")
    path = tmp_path / "staff.csv"
    path.write_text(
        HEADER
        + "jean.martin@example.org,Jean Martin,N09999\n"
        + "jean.martin2@example.org,Jean Martin,M00135\n",
        encoding="utf-8",
    )

    result = runner.invoke(args=["users", "import", str(path)])

    assert result.exit_code == 0, result.output
    moved = db.session.get(User, suspended.id)
    assert (moved.email, moved.active) == ("jean.martin2@example.org", False)
    new = account("jean.martin@example.org")
    assert new.id != suspended.id and new.staff_number == "N09999" and new.active
