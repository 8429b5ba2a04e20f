"""Uploaded catalogue files kept between their preview and the admin's confirmation
(`app.core.pending_uploads`, in CATALOGUE_IMPORT_DIR): nothing the browser sends can
change what was previewed, and a file of several megabytes does not hit the form size
limit (MAX_FORM_MEMORY_SIZE, 500 kB).

A confirmed file is taken aside while it is imported, then replaced by what its import
did: the same confirmation sent twice (a double click) is answered with that, not with
"expired", and is never imported twice."""

import contextlib
import json
import os
import time
from pathlib import Path

from app.core import pending_uploads

KIND = "catalogue"
# How long a second confirmation waits for the first one's import to finish.
WAIT_SECONDS = 10.0


def keep(text: str, user_id: int) -> str:
    """Keep an uploaded file for its admin; the token that names it."""
    return pending_uploads.keep(KIND, text, user_id)


def fetch(token: str, user_id: int) -> str | None:
    """The file this admin uploaded under `token`, or None (unknown, someone else's, expired)."""
    return pending_uploads.fetch(KIND, token, user_id)


def _kept(token: str, user_id: int, state: str) -> Path | None:
    """Where the kept file is while it is imported ("taken") or once it is ("done")."""
    path = pending_uploads._path(KIND, token, user_id)  # the shared naming of kept files
    return path.with_suffix(f".{state}") if path is not None else None


def take(token: str, user_id: int) -> str | None:
    """The kept file to import, moved aside as it is read: of two confirmations of it at
    once, one gets it, the other None (then `outcome`)."""
    text = fetch(token, user_id)
    if text is None:
        return None
    try:
        os.rename(pending_uploads._path(KIND, token, user_id), _kept(token, user_id, "taken"))
    except FileNotFoundError:
        return None  # the other confirmation took it first
    return text


def give_back(token: str, user_id: int) -> None:
    """The taken file kept again, not imported (problems, or the catalogue changed since
    its preview): its preview can still be confirmed."""
    with contextlib.suppress(FileNotFoundError):
        os.rename(_kept(token, user_id, "taken"), pending_uploads._path(KIND, token, user_id))


def settle(token: str, user_id: int, counts: tuple[int, int, int]) -> None:
    """The taken file, imported, replaced by what the import did (created, updated and
    unchanged items), kept as long as an upload is."""
    done, now = _kept(token, user_id, "done"), time.time()
    # Outcomes past their time, and files taken by an import that never ended (an error).
    for old in [*done.parent.glob("*.done"), *done.parent.glob("*.taken")]:
        with contextlib.suppress(FileNotFoundError):
            if now - old.stat().st_mtime > pending_uploads.KEEP_SECONDS:
                old.unlink()
    written = done.with_suffix(".writing")
    written.write_text(json.dumps(list(counts)), encoding="utf-8")
    os.replace(written, done)
    _kept(token, user_id, "taken").unlink(missing_ok=True)


def outcome(token: str, user_id: int) -> tuple[int, int, int] | None:
    """What the import of this file did, waiting while another confirmation imports it;
    None when it was not imported (unknown, expired, given back)."""
    done, taken = _kept(token, user_id, "done"), _kept(token, user_id, "taken")
    if done is None:
        return None
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            return tuple(json.loads(done.read_text(encoding="utf-8")))
        except FileNotFoundError:
            if not taken.exists() or time.monotonic() > deadline:
                return None
        time.sleep(0.05)
