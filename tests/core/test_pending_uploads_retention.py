"""An unconfirmed staff directory file (every employee's name, address and staff number)
waited on disk for the next upload of its kind: the nightly retention job now deletes
every upload left unconfirmed past `KEEP_SECONDS` (30 minutes), and keeps a fresh one."""

import io
import os
import time
from pathlib import Path

import pytest

from app.core import pending_uploads
from app.core.privacy_services import retention_job
from tests.conftest import login


@pytest.fixture(autouse=True)
def _pending_uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PENDING_UPLOADS_DIR", str(tmp_path / "uploads"))


def upload_directory(client, auth, make) -> Path:
    """A staff directory file uploaded through the admin page and left unconfirmed (it
    would deactivate two people, so it waits for the admin's confirmation)."""
    login(client, make.user(roles=("admin",), locale="en"))
    colleague, *_leaving = [
        make.user(email=f"staff{n}@example.org", display_name=f"Staff {n}", password=None)
        for n in range(3)
    ]
    text = f"email,display_name\n{colleague.email},{colleague.display_name}\n"
    answer = auth.post(
        "/admin/directory",
        {"file": (io.BytesIO(text.encode()), "staff.csv"), "deactivate_missing": "y"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    (kept,) = (pending_uploads._folder("directory")).glob("*.csv")
    return kept


def age(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_the_limit_is_30_minutes():
    assert pending_uploads.KEEP_SECONDS == 30 * 60


def test_the_job_deletes_a_directory_file_left_unconfirmed_past_the_limit(client, auth, make):
    kept = upload_directory(client, auth, make)
    age(kept, pending_uploads.KEEP_SECONDS + 60)
    retention_job()
    assert not kept.exists()


def test_the_job_keeps_a_file_uploaded_within_the_limit(client, auth, make):
    kept = upload_directory(client, auth, make)
    age(kept, pending_uploads.KEEP_SECONDS - 60)
    retention_job()
    assert kept.exists()


def test_the_job_deletes_an_old_catalogue_upload_in_its_own_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CATALOGUE_IMPORT_DIR", str(tmp_path / "catalogue"))
    old = pending_uploads._path("catalogue", pending_uploads.keep("catalogue", "a,b\n", 1), 1)
    fresh = pending_uploads._path("catalogue", pending_uploads.keep("catalogue", "c,d\n", 1), 1)
    age(old, pending_uploads.KEEP_SECONDS + 1)
    retention_job()
    assert (old.exists(), fresh.exists()) == (False, True)


def test_the_retention_command_says_how_many_it_deleted(client, auth, make, runner):
    age(upload_directory(client, auth, make), pending_uploads.KEEP_SECONDS + 60)
    answer = runner.invoke(args=["privacy", "retention"])
    assert answer.exit_code == 0, answer.output
    assert "core: 1 unconfirmed upload(s) deleted" in answer.output


def test_a_file_the_job_cannot_delete_does_not_stop_the_other_steps(app, runner):
    """A folder the service can no longer clear is logged; the steps after this one run."""
    stuck = pending_uploads._folder("directory") / f"1-{'x' * 32}.csv"
    stuck.mkdir()  # unlink() refuses a directory, as it would a file it may not delete
    age(stuck, pending_uploads.KEEP_SECONDS + 60)
    answer = runner.invoke(args=["privacy", "retention"])
    assert answer.exit_code == 0, answer.output
    assert "core: 0 unconfirmed upload(s) deleted" in answer.output
    assert "messaging:" in answer.output  # registered after the core's steps
