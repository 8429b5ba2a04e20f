"""The folders where uploaded files wait for their admin's confirmation (the staff
directory's and the catalogue's imports, app/core/pending_uploads.py): checked at start,
and a folder failing later answered with the error page (503), not a 500.

A PENDING_UPLOADS_DIR the service user could not write to (the checkout owned by root,
`instance/` not given to the user) let the portal start, then the staff import's
confirmation step answered 500 with `PermissionError` or `NotADirectoryError`.
"""

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Flask
from flask_babel import gettext as _

#: Where uploads wait when PENDING_UPLOADS_DIR is not set, under the instance folder.
DEFAULT_FOLDER = "pending-uploads"


def upload_folders(value: Callable, instance_path: str | None) -> Iterator[tuple[str, Path]]:
    """Each setting naming an upload folder, and the folder: PENDING_UPLOADS_DIR (by
    default under `instance_path`, left out when it is unknown) and CATALOGUE_IMPORT_DIR
    when set. `value(name)` reads a setting."""
    shared = str(value("PENDING_UPLOADS_DIR") or "").strip()
    if shared:
        yield "PENDING_UPLOADS_DIR", Path(shared)
    elif instance_path:
        yield "PENDING_UPLOADS_DIR", Path(instance_path) / DEFAULT_FOLDER
    own = str(value("CATALOGUE_IMPORT_DIR") or "").strip()
    if own:
        yield "CATALOGUE_IMPORT_DIR", Path(own)


def _user() -> str:
    """The name of the user this process runs as (the service's), for the message."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return str(os.geteuid())


def _exists(path: Path) -> bool:
    """Whether `path` exists, as far as this user may look."""
    try:
        return path.exists()
    except OSError:  # a parent this user may not enter: not known to exist
        return False


def folder_problem(path: Path) -> str | None:
    """Why this process cannot keep files in `path`, or None: the folder must exist and
    take a file, or its nearest existing parent must be a folder it may create it in.
    Nothing is left behind (not even the folder: made by root, the service could not use it)."""
    existing = path
    while not _exists(existing) and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if existing != path:
        if not os.access(existing, os.W_OK | os.X_OK):
            return f"it does not exist, and user {_user()} may not create it in {existing}"
        return None
    try:
        with tempfile.TemporaryFile(dir=path):
            return None
    except OSError as error:
        return f"user {_user()} cannot write to it ({error.strerror})"


def upload_folder_problems(value: Callable, instance_path: str | None) -> Iterator[str]:
    """The settings check's lines for the upload folders this process cannot use."""
    for name, path in upload_folders(value, instance_path):
        problem = folder_problem(path)
        if problem:
            given = f"{name}={str(path)!r}" if value(name) else f"{name} (not set: {path})"
            yield (
                f"{given}: the staff directory's and the catalogue's imports keep uploaded "
                f"files there until their admin confirms, but {problem}; give the folder to "
                f"the service's user (chown) or set {name} to one it owns, such as "
                "/var/lib/empreinte/pending-uploads (systemd's StateDirectory=empreinte)"
            )


def failed_upload_folder(error: OSError, app: Flask) -> Path | None:
    """The upload folder `error` came from (its path is in it), or None. The folder, not
    the file: a kept file's name holds its token."""
    if not error.filename:
        return None
    failed = Path(os.path.abspath(os.fsdecode(error.filename)))
    for _name, folder in upload_folders(app.config.get, app.instance_path):
        if failed.is_relative_to(os.path.abspath(folder)):
            return folder
    return None


def upload_folder_unavailable() -> str:
    """The error page's message: the admin can do nothing but tell whoever runs the server."""
    return _(
        "The portal cannot keep uploaded files for now (its folder for them cannot be "
        "written to). Nothing was changed. Please tell the portal's technical team: the "
        "PENDING_UPLOADS_DIR setting."
    )
