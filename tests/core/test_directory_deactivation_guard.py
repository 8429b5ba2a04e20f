"""A staff directory file that deactivates people is confirmed after its counts are read,
and one that would deactivate most of the staff is refused (a partial export)."""

import html
import io
import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from tests.conftest import login


@pytest.fixture(autouse=True)
def _pending_uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PENDING_UPLOADS_DIR", str(tmp_path / "uploads"))


def active_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.active))


def staff(make, count: int) -> list[User]:
    return [
        make.user(email=f"staff{n}@example.org", display_name=f"Staff {n}", password=None,
                  with_department=False)
        for n in range(count)
    ]  # fmt: skip


def upload(auth, text, **options):
    data = {"file": (io.BytesIO(text.encode()), "staff.csv")}
    data.update({name: "y" for name, on in options.items() if on})
    return auth.post("/admin/directory", data, content_type="multipart/form-data")


def confirm(auth, page: str, **overrides):
    fields = dict(re.findall(r'name="(token|deactivating)"[^>]*value="([^"]*)"', page))
    fields.update(overrides)
    return auth.post("/admin/directory/confirm", fields)


def test_an_import_that_deactivates_people_is_asked_about_first_and_saves_nothing(
    client, auth, make
):
    login(client, make.user(roles=("admin",), locale="en"))
    kept, *_leaving = staff(make, 3)
    before = active_count()
    answer = upload(auth, f"email,display_name\n{kept.email},{kept.display_name}\n",
                    deactivate_missing=True)  # fmt: skip
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 200
    assert "This import would deactivate 2 people" in page
    assert "Staff 1 (staff1@example.org)" in page and "Staff 2 (staff2@example.org)" in page
    assert active_count() == before


def test_the_confirmation_deactivates_the_people_it_named(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    kept, *leaving = staff(make, 3)
    asked = upload(auth, f"email,display_name\n{kept.email},{kept.display_name}\n",
                   deactivate_missing=True)  # fmt: skip
    answer = confirm(auth, asked.get_data(as_text=True))
    assert answer.status_code == 302
    assert [db.session.get(User, user.id).active for user in leaving] == [False, False]
    assert "2 deactivated" in client.get("/admin/directory").get_data(as_text=True)


def test_a_confirmation_for_another_count_asks_again_and_saves_nothing(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    kept, *_leaving = staff(make, 3)
    asked = upload(auth, f"email,display_name\n{kept.email},{kept.display_name}\n",
                   deactivate_missing=True)  # fmt: skip
    before = active_count()
    answer = confirm(auth, asked.get_data(as_text=True), deactivating="1")
    assert answer.status_code == 409
    assert "The accounts changed since the file was checked" in answer.get_data(as_text=True)
    assert active_count() == before


def test_a_confirmation_without_the_kept_file_changes_nothing(client, auth, make):
    login(client, make.user(roles=("admin",), locale="en"))
    staff(make, 3)
    before = active_count()
    answer = confirm(auth, "", token="A" * 32, deactivating="3")
    assert answer.status_code == 302
    assert "This check has expired" in client.get("/admin/directory").get_data(as_text=True)
    assert active_count() == before


def test_a_file_listing_only_part_of_the_staff_is_refused_once_with_the_focus(client, auth, make):
    """A one-line file once deactivated 1,973 of 2,005 accounts. The refusal is said once,
    in the faults that take the focus (at the box as well, screen readers said it twice)."""
    login(client, make.user(roles=("admin",), locale="en"))
    kept, *_leaving = staff(make, 20)
    before = active_count()
    answer = upload(auth, f"email,display_name\n{kept.email},{kept.display_name}\n",
                    deactivate_missing=True)  # fmt: skip
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert page.count("would deactivate 19 of the 21 active accounts") == 1
    assert "seems to list only part of the staff" in page
    assert 'id="deactivate_missing-error"' not in page
    assert '<h2 id="import-problems" tabindex="-1" autofocus>' in page
    assert active_count() == before


def test_a_partial_file_is_refused_as_a_whole_not_as_its_first_line(client, auth, make):
    """The refusal is about the file: it read « Ligne 1 · Colonne - » in the table of
    faulty lines, as if the header were wrong."""
    login(client, make.user(roles=("admin",), locale="en"))
    kept, *_leaving = staff(make, 20)
    answer = upload(auth, f"email,display_name\n{kept.email},{kept.display_name}\n",
                    deactivate_missing=True)  # fmt: skip
    alert = re.search(r'<div role="alert" class="notice">(.*?)</div>\n', answer.text, re.S)
    assert "<table" not in alert.group(1)
    assert re.search(r"<p>[^<]*seems to list only part of the staff", html.unescape(alert.group(1)))


def test_the_command_refuses_a_partial_file_unless_told_so_many_left(runner, tmp_path, make):
    kept, *_leaving = staff(make, 20)
    path = tmp_path / "staff.csv"
    path.write_text(f"email,display_name\n{kept.email},{kept.display_name}\n", encoding="utf-8")
    refused = runner.invoke(args=["users", "import", str(path), "--deactivate-missing"])
    assert refused.exit_code == 1
    assert "--allow-mass-deactivation" in refused.output
    assert active_count() == 20
    allowed = runner.invoke(
        args=["users", "import", str(path), "--deactivate-missing", "--allow-mass-deactivation"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert active_count() == 1


def test_an_empty_file_is_said_to_be_empty_and_the_faults_take_the_focus(client, auth, make):
    """A 0-byte file read « Ligne 1 · Colonnes manquantes », and the focus stayed at the
    top of the page, far above the faults."""
    login(client, make.user(roles=("admin",), locale="fr"))
    answer = upload(auth, "")
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422
    alert = re.search(r'<div role="alert" class="notice">(.*?)</div>\n', page, re.S).group(1)
    assert "<p>Le fichier est vide.</p>" in alert and "<table" not in alert
    assert re.search(r'<h2 id="import-problems" tabindex="-1" autofocus>', alert)
