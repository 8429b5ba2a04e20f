"""Uploaded catalogue files kept between their preview and the admin's confirmation
(`app.core.pending_uploads`, in CATALOGUE_IMPORT_DIR): nothing the browser sends can
change what was previewed, and a file of several megabytes does not hit the form size
limit (MAX_FORM_MEMORY_SIZE, 500 kB)."""

from app.core import pending_uploads

KIND = "catalogue"


def keep(text: str, user_id: int) -> str:
    """Keep an uploaded file for its admin; the token that names it."""
    return pending_uploads.keep(KIND, text, user_id)


def fetch(token: str, user_id: int) -> str | None:
    """The file this admin uploaded under `token`, or None (unknown, someone else's, expired)."""
    return pending_uploads.fetch(KIND, token, user_id)


def forget(token: str, user_id: int) -> None:
    """Remove a kept file once it is imported."""
    pending_uploads.forget(KIND, token, user_id)
