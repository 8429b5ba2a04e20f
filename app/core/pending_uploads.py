"""Uploaded files kept between what they would change and their admin's confirmation
(the catalogue's import, the staff directory's).

The file stays on the server, under a random
token and the admin's id, rather than travelling back through the browser. Nothing the
browser sends can change what was shown, and a file of several megabytes does not hit
the form size limit. A file is kept for `KEEP_SECONDS`, in one folder per kind of
import (PENDING_UPLOADS_DIR, by default the instance folder, which every worker of one
host shares; the catalogue's is CATALOGUE_IMPORT_DIR when set). One left unconfirmed is
deleted at the next upload of its kind, or by the nightly retention job
(`purge_pending_uploads`), whichever comes first.
"""

import os
import re
import secrets
import time
from datetime import datetime
from pathlib import Path

from flask import current_app

KEEP_SECONDS = 30 * 60
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
KIND = re.compile(r"[a-z-]+")
# Kinds of import whose folder has a setting of its own (set before the shared one existed).
OWN_FOLDER_SETTING = {"catalogue": "CATALOGUE_IMPORT_DIR"}


def _folder(kind: str) -> Path:
    """A kind's own folder when its setting is set (`OWN_FOLDER_SETTING`), else one under
    PENDING_UPLOADS_DIR."""
    if not KIND.fullmatch(kind):
        raise ValueError(kind)
    setting = OWN_FOLDER_SETTING.get(kind)
    own = current_app.config.get(setting) if setting else None
    root = current_app.config.get("PENDING_UPLOADS_DIR") or os.path.join(
        current_app.instance_path, "pending-uploads"
    )
    path = Path(own) if own else Path(root) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(kind: str, token: str, user_id: int) -> Path | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    return _folder(kind) / f"{int(user_id)}-{token}.csv"


def _forget_old(folder: Path, now: float) -> int:
    """Delete the files of `folder` kept longer than `KEEP_SECONDS`; how many."""
    deleted = 0
    for path in folder.glob("*.csv"):
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
                deleted += 1
        except FileNotFoundError:
            pass  # another worker removed it first
    return deleted


def _kind_folders() -> list[Path]:
    """Every folder holding kept files: each kind's under PENDING_UPLOADS_DIR (or the
    instance folder), and the kinds' own folders when their setting is set."""
    root = Path(
        current_app.config.get("PENDING_UPLOADS_DIR")
        or os.path.join(current_app.instance_path, "pending-uploads")
    )
    folders = [path for path in root.iterdir() if path.is_dir()] if root.is_dir() else []
    for setting in OWN_FOLDER_SETTING.values():
        own = current_app.config.get(setting)
        if own and Path(own).is_dir() and Path(own) not in folders:
            folders.append(Path(own))
    return folders


def purge_pending_uploads(now: datetime) -> dict[str, int]:
    """Retention step: delete every upload left unconfirmed for more than `KEEP_SECONDS`
    (a staff directory file holds every employee's name, address and staff number), so
    that it does not wait on disk for the next upload of its kind."""
    moment, deleted = now.timestamp(), 0
    try:
        folders = _kind_folders()
    except OSError:
        folders = []
        current_app.logger.warning("pending uploads: their folder cannot be read", exc_info=True)
    for folder in folders:
        # A folder the service cannot clear (its rights changed) must not stop the
        # retention steps that come after this one: logged, and tried again next night.
        try:
            deleted += _forget_old(folder, moment)
        except OSError:
            current_app.logger.warning(
                "pending uploads: %s cannot be cleared", folder, exc_info=True
            )
    return {"unconfirmed upload(s) deleted": deleted}


def keep(kind: str, text: str, user_id: int) -> str:
    """Keep an uploaded file for its admin; the token that names it."""
    _forget_old(_folder(kind), time.time())
    token = secrets.token_urlsafe(24)
    descriptor = os.open(_path(kind, token, user_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
        file.write(text)
    return token


def fetch(kind: str, token: str, user_id: int) -> str | None:
    """The file this admin uploaded under `token`, or None (unknown, someone else's, expired)."""
    path = _path(kind, token, user_id)
    try:
        if path is None or time.time() - path.stat().st_mtime > KEEP_SECONDS:
            return None
        with path.open(encoding="utf-8", newline="") as file:
            return file.read()
    except FileNotFoundError:
        return None


def forget(kind: str, token: str, user_id: int) -> None:
    """Remove a kept file once it is imported."""
    path = _path(kind, token, user_id)
    if path is not None:
        path.unlink(missing_ok=True)
