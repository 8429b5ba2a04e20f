"""Static files addressed by their content: kept by browsers, never stale."""

import gzip
import re
from pathlib import Path

import brotli
import pytest
from backports import zstd

from app.core.assets import static_url

ASSET_RE = re.compile(r'(?:href|src|data-css|data-js)="(/static/[^"?]+)\?v=([0-9a-f]{16})"')
A_YEAR = 365 * 24 * 3600


def _fetch(client, url):
    """Status, Cache-Control and ETag of a static file (its file handle closed)."""
    response = client.get(url)
    try:
        return response.status_code, response.cache_control, response.headers.get("ETag")
    finally:
        response.close()


def test_pages_address_every_static_file_at_its_version(client):
    page = client.get("/auth/sign-in").get_data(as_text=True)
    assets = dict(ASSET_RE.findall(page))
    assert {"/static/css/portal.css", "/static/js/portal.js", "/static/favicon.svg"} <= set(assets)
    assert "/static/vendor/htmx/htmx.min.js" in assets
    assert not re.search(r'"/static/[^"?]+"', page), "a static file without its version"


def test_a_versioned_file_is_kept_a_year_and_an_unversioned_one_checked(app, client):
    with app.test_request_context():
        current = static_url("css/portal.css")
    status, cache, _etag = _fetch(client, current)
    assert status == 200 and cache.max_age == A_YEAR and cache.immutable and cache.public

    status, cache, etag = _fetch(client, "/static/css/portal.css")
    assert status == 200 and cache.no_cache and etag and cache.max_age is None
    _status, cache, _etag = _fetch(client, "/static/css/portal.css?v=0123456789abcdef")
    assert cache.max_age is None and cache.no_cache
    assert _fetch(client, "/static/nothing.css?v=0123456789abcdef")[0] == 404


def test_a_changed_file_gets_a_new_address(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    style = tmp_path / "site.css"
    style.write_text("body { color: black; }")
    with app.test_request_context():
        before = static_url("site.css")
        style.write_text("body { color: navy; }")
        after = static_url("site.css")
        assert before != after and after.startswith("/static/site.css?v=")
        assert static_url("missing.css") == "/static/missing.css"
    client = app.test_client()
    assert _fetch(client, after)[1].max_age == A_YEAR
    assert _fetch(client, before)[1].max_age is None  # the old address: checked each time


@pytest.mark.parametrize(
    ("accepted", "encoding", "decode"),
    [
        ("gzip", "gzip", gzip.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip, deflate, br, zstd", "zstd", zstd.decompress),
    ],
)
def test_static_files_are_sent_compressed_as_the_browser_accepts(
    app, client, accepted, encoding, decode
):
    with app.test_request_context():
        url = static_url("vendor/htmx/htmx.min.js")
    original = (Path(app.static_folder) / "vendor/htmx/htmx.min.js").read_bytes()
    response = client.get(url, headers={"Accept-Encoding": accepted})
    body = response.get_data()
    response.close()
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decode(body) == original and len(body) < len(original) / 2
    assert response.cache_control.max_age == A_YEAR  # still kept a year


def test_a_browser_that_accepts_no_encoding_gets_the_file_as_is(app, client):
    with app.test_request_context():
        url = static_url("css/portal.css")
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    body = response.get_data()
    response.close()
    assert "Content-Encoding" not in response.headers
    assert body == (Path(app.static_folder) / "css/portal.css").read_bytes()


def test_a_range_of_a_static_file_is_answered_with_the_whole_file(app, client):
    """A range of a compressed file would mean nothing: the small files go whole."""
    with app.test_request_context():
        url = static_url("js/portal.js")
    response = client.get(url, headers={"Range": "bytes=0-9", "Accept-Encoding": "identity"})
    body = response.get_data()
    response.close()
    assert response.status_code == 200 and "Accept-Ranges" not in response.headers
    assert body == (Path(app.static_folder) / "js/portal.js").read_bytes()


def test_every_template_addresses_static_files_by_version():
    """A static file linked with url_for('static', …) would be asked for on every page."""
    templates = Path(__file__).resolve().parents[2] / "app"
    unversioned = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if re.search(r"url_for\(\s*['\"][\w.]*static['\"]", path.read_text())
    ]
    assert unversioned == []


def test_pages_are_not_compressed_and_do_not_vary_on_encoding(client):
    """Pages are small and sent on every view: their CPU goes to serving people."""
    response = client.get("/auth/sign-in", headers={"Accept-Encoding": "gzip, br, zstd"})
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" not in response.headers.get("Vary", "")


def _open_handles_on(path: Path) -> int:
    """How many of this process's file descriptors point at `path`."""
    count = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            count += Path(fd.readlink()) == path
        except OSError:
            continue
    return count


@pytest.mark.parametrize("conditional", [False, True], ids=["200", "304"])
def test_a_static_file_is_closed_before_its_response_is_sent(app, client, conditional):
    """A browser that leaves the page drops the connection mid-answer: a file left to
    the server to close then stayed open (a leak, and a warning in the live tests)."""
    favicon = Path(app.static_folder, "favicon.svg").resolve()
    with app.test_request_context():
        url = static_url("favicon.svg")
    headers = {}
    if conditional:
        first = client.get(url)
        headers["If-None-Match"] = first.headers["ETag"]
        first.close()
    response = client.get(url, headers=headers)
    assert response.status_code == (304 if conditional else 200)
    assert _open_handles_on(favicon) == 0
    response.close()
