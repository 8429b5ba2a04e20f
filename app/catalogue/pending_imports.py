"""Uploaded catalogue files kept between their preview and the admin's confirmation.

The file stays on the server, under a random token and the admin's id, rather than
travelling back through the browser: nothing the browser sends can change what was
previewed, and a file of several megabytes does not hit the form size limit
(MAX_FORM_MEMORY_SIZE, 500 kB). A file is kept for `KEEP_SECONDS`, in the instance
folder, which every worker of one host shares.
"""

import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app

KEEP_SECONDS = 30 * 60
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _folder() -> Path:
    folder = current_app.config.get("CATALOGUE_IMPORT_DIR") or os.path.join(
        current_app.instance_path, "catalogue-imports"
    )
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(token: str, user_id: int) -> Path | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    return _folder() / f"{int(user_id)}-{token}.csv"


def _forget_old(folder: Path, now: float) -> None:
    for path in folder.glob("*.csv"):
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
        except FileNotFoundError:
            pass  # another worker removed it first


def keep(text: str, user_id: int) -> str:
    """Keep an uploaded file for its admin; the token that names it."""
    _forget_old(_folder(), time.time())
    token = secrets.token_urlsafe(24)
    path = _path(token, user_id)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
        file.write(text)
    return token


def fetch(token: str, user_id: int) -> str | None:
    """The file this admin uploaded under `token`, or None (unknown, someone else's, expired)."""
    path = _path(token, user_id)
    try:
        if path is None or time.time() - path.stat().st_mtime > KEEP_SECONDS:
            return None
        with path.open(encoding="utf-8", newline="") as file:
            return file.read()
    except FileNotFoundError:
        return None


def forget(token: str, user_id: int) -> None:
    """Remove a kept file once it is imported."""
    path = _path(token, user_id)
    if path is not None:
        path.unlink(missing_ok=True)
