"""An upload folder the portal cannot write to (PENDING_UPLOADS_DIR) stops the start with
the settings message; one that fails later answers the error page (503), not a 500: the
staff import's confirmation step answered 500 (`NotADirectoryError`, `PermissionError`)."""

import io
import logging
import os

import pytest

from app import create_app
from app.config import TestConfig
from app.core.settings_check import SettingsError
from tests.conftest import login


def _refused(**settings) -> str:
    with pytest.raises(SettingsError) as refused:
        create_app(TestConfig, **settings)
    return str(refused.value)


def test_an_upload_folder_under_a_file_stops_the_start(tmp_path):
    (tmp_path / "instance").write_text("")
    folder = tmp_path / "instance" / "pending-uploads"
    message = _refused(PENDING_UPLOADS_DIR=str(folder))
    assert (
        f"- PENDING_UPLOADS_DIR={str(folder)!r}: the staff directory's and the catalogue's "
        f"imports keep uploaded files there until their admin confirms, but {tmp_path}/instance "
        "is a file, not a folder; give the folder to the service's user (chown) or set "
        "PENDING_UPLOADS_DIR to one it owns"
    ) in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_upload_folder_the_user_cannot_write_to_stops_the_start(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir(mode=0o500)
    message = _refused(PENDING_UPLOADS_DIR=str(folder))
    assert "cannot write to it (Permission denied)" in message


def test_an_upload_folder_still_to_make_is_accepted_and_not_made(make_app, tmp_path):
    """Made by the check, as root running a command, the service could not use it."""
    folder = tmp_path / "later" / "uploads"
    assert make_app(PENDING_UPLOADS_DIR=str(folder))
    assert not folder.exists()


def test_an_upload_folder_failing_later_answers_the_error_page(
    app, client, auth, make, tmp_path, monkeypatch, caplog
):
    blocked = tmp_path / "was-a-folder"
    blocked.write_text("")  # the folder replaced by a file (or unmounted) after the start
    monkeypatch.setitem(app.config, "PENDING_UPLOADS_DIR", str(blocked / "uploads"))
    admin = make.user(roles=("admin",), locale="fr")
    leaving = make.user(email="leaving@metropole.fr", password=None, with_department=False)
    login(client, admin)
    staff = f"email,display_name\n{admin.email},Admin\n"
    data = {"file": (io.BytesIO(staff.encode()), "staff.csv"), "deactivate_missing": "y"}
    caplog.set_level(logging.WARNING)
    response = auth.post("/admin/directory", data, content_type="multipart/form-data")
    assert response.status_code == 503
    page = response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "Le portail ne peut pas garder les fichiers envoyés pour le moment" in page
    (line,) = [r for r in caplog.records if "Upload folder" in r.getMessage()]
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert line.getMessage() == (
        f"Upload folder unavailable on POST /admin/directory: Not a directory (in {blocked}/uploads)"
    )
    assert leaving.active  # nothing was changed
