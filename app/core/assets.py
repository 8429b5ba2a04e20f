"""Static files addressed by their content, kept by browsers until a release changes them,
and sent compressed.

Flask serves static files with `no-cache`: each page view asked again for the stylesheet,
htmx, the portal's script and the icon, four conditional requests answered 304. With a
digest of the file in its address (`portal.css?v=3f2a…`), the browser keeps the file for
a year and asks nothing; a changed file gets a new address, so nobody keeps an old one.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, url_for

from app.extensions import compress

A_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _digest(path: Path, modified_ns: int) -> str:
    """The file's digest, worked out again only when the file changes (`modified_ns`)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def static_version(filename: str) -> str | None:
    """The current version of a file of the app's static folder; None if it is missing."""
    path = Path(current_app.static_folder, filename)
    try:
        modified_ns = path.stat().st_mtime_ns
    except OSError:
        return None
    return _digest(path, modified_ns)


def static_url(filename: str) -> str:
    """The address of a static file, with its version when the file exists.

    Not in debug mode: pages keep their frame (`frame.py`) until the process restarts,
    and an edited stylesheet must show at the next reload, not after a restart.
    """
    version = None if current_app.debug else static_version(filename)
    if version is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


class StaticFiles:
    """How the app serves its static files: kept a year at their current version, read
    whole and compressed. Mixed into the app's class (`app/core/application.py`)."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """A year for a static file asked at its current version; otherwise Flask's
        default (`no-cache`: the browser asks again, and gets 304 if nothing changed).
        An old version's address therefore never gets the new file kept for a year."""
        asked = request.args.get("v")
        if filename and asked and asked == static_version(filename):
            return A_YEAR
        return super().get_send_file_max_age(filename)

    def send_static_file(self, filename: str):
        """The whole file, read at once and its handle closed, for Flask-Compress to
        compress (`COMPRESS_MIMETYPES`): it compresses a streamed file without ever
        closing it. A range of a compressed file would mean nothing, and a server may
        ignore Range (RFC 9110, 14.2): these files are small and sent whole.

        A response without a body (304, 412) closes the file here too: left to the
        server, it stayed open when the browser dropped the connection first."""
        request.environ.pop("HTTP_RANGE", None)
        response = super().send_static_file(filename)
        response.headers.pop("Accept-Ranges", None)
        if response.is_streamed:
            stream = response.response
            try:
                body = b"".join(stream) if response.status_code == 200 else b""
            finally:
                stream.close()
            response.direct_passthrough = False
            response.set_data(body)
        return response


def init_app(app: Flask) -> None:
    """`static_url` for templates; static files marked immutable and compressed (only
    them: Flask-Compress's own hook would look at every page, `COMPRESS_REGISTER`)."""
    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def finish_static_file(response):
        if request.endpoint != "static":
            return response
        # A versioned address never changes content: no revalidation, even on reload.
        if response.cache_control.max_age == A_YEAR:
            response.cache_control.immutable = True
        return compress.after_request(response)
