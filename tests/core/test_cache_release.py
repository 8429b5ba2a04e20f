"""A release's fragments are its own (app/core/cache.py): a store shared across an
upgrade (Redis) never serves the HTML of the templates and translations of before."""

import shutil
from pathlib import Path

from cachelib import SimpleCache

from app.core import cache

# One store for every app built here, as Redis is for every worker and every release.
_SHARED = SimpleCache()


def shared_store(_app, _config, _args, _options):
    """A CACHE_TYPE factory: the same store whichever app asks."""
    return _SHARED


def _fragment_of(app, render):
    with app.test_request_context("/"):
        return str(cache.fragment("release.test", ("fr",), ("catalogue",), render))


def test_a_new_release_does_not_serve_the_fragment_of_the_old_one(make_app):
    _SHARED.clear()
    old = make_app(CACHE_TYPE=f"{__name__}.shared_store", CACHE_RELEASE="v1")
    new = make_app(CACHE_TYPE=f"{__name__}.shared_store", CACHE_RELEASE="v2")
    assert _fragment_of(old, lambda: "Ancien libellé") == "Ancien libellé"

    assert _fragment_of(new, lambda: "Nouveau libellé") == "Nouveau libellé"


def test_workers_of_the_same_release_share_their_fragments(make_app):
    _SHARED.clear()
    first = make_app(CACHE_TYPE=f"{__name__}.shared_store")
    second = make_app(CACHE_TYPE=f"{__name__}.shared_store")
    assert _fragment_of(first, lambda: "Rendu une fois") == "Rendu une fois"

    assert _fragment_of(second, lambda: "Rendu encore") == "Rendu une fois"


def _release(tmp_path: Path) -> tuple[Path, Path]:
    package, translations = tmp_path / "app", tmp_path / "translations"
    (package / "templates").mkdir(parents=True)
    (package / "templates" / "page.html").write_text("<p>{{ _('Hello') }}</p>")
    (package / "routes.py").write_text("WORDS = 1\n")
    (translations / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (translations / "fr" / "LC_MESSAGES" / "messages.mo").write_bytes(b"bonjour")
    return package, translations


def test_the_release_changes_with_a_template(tmp_path):
    package, translations = _release(tmp_path)
    before = cache.release_fingerprint(package, [translations])
    (package / "templates" / "page.html").write_text("<p>{{ _('Hello again') }}</p>")
    assert cache.release_fingerprint(package, [translations]) != before


def test_the_release_changes_with_a_translation(tmp_path):
    package, translations = _release(tmp_path)
    before = cache.release_fingerprint(package, [translations])
    (translations / "fr" / "LC_MESSAGES" / "messages.mo").write_bytes(b"salut")
    assert cache.release_fingerprint(package, [translations]) != before


def test_the_same_release_installed_elsewhere_has_the_same_fingerprint(tmp_path):
    package, translations = _release(tmp_path / "one")
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    assert cache.release_fingerprint(package, [translations]) == cache.release_fingerprint(
        tmp_path / "two" / "app", [tmp_path / "two" / "translations"]
    )
