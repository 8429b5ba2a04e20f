"""Rendered fragments shared by everyone who sees the same data.

A fragment's key names what it shows (its arguments and the language) and the
version of every kind of data behind it. Versions live in the database
(`core_cache_version`) and change in the same transaction as the data: a flush
listener bumps the namespace of every ORM object written (models declare
`__cache_namespace__`), and bulk statements bump theirs through `do_orm_execute`.
So every worker sees a change at its next request, whatever the cache store (one
per process by default, or Redis with CACHE_REDIS_URL), and nothing relies on a
timeout or on remembering to invalidate by hand.

What depends on the person (their rank, their basket, a form with its CSRF token)
stays outside cached fragments.
"""

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.core import person_figures
from app.core.sql import upsert_insert
from app.extensions import cache, db

_NOT_READ = object()

# How long an unused fragment stays; correctness never depends on it (versions do).
FRAGMENT_SECONDS = 3600


def _table():
    from app.core.models import CacheVersion

    return CacheVersion.__table__


def namespace_of(model) -> str | None:
    return getattr(model, "__cache_namespace__", None)


def _upsert(connection, names: Iterable[str]) -> None:
    """Give each namespace a new random version (sorted: no deadlock between writers)."""
    names = sorted(set(names))
    if not names:
        return
    statement = upsert_insert(connection.dialect.name)(_table()).values(
        [{"name": name, "version": secrets.token_hex(8)} for name in names]
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"version": statement.excluded.version}
        )
    )


def bump(session, *names: str) -> None:
    """Mark namespaces changed, in the session's transaction (for Core bulk writes)."""
    _upsert(session.connection(), names)
    if has_request_context():
        g.pop("_cache_versions", None)
        person_figures.forget(VERSIONS_FIGURE)


def _written_namespaces(session: Session) -> set[str]:
    names = {namespace_of(type(obj)) for obj in (*session.new, *session.deleted)}
    names |= {
        namespace_of(type(obj))
        for obj in session.dirty
        if namespace_of(type(obj)) and session.is_modified(obj)
    }
    names.discard(None)
    return names


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, _context) -> None:
    names = _written_namespaces(session)
    if names:
        bump(session, *names)


@event.listens_for(Session, "do_orm_execute")
def _bump_after_bulk(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    name = namespace_of(mapper.class_) if mapper is not None else None
    if name:
        bump(state.session, name)


VERSIONS_FIGURE = "cache_versions"


def _versions_subquery(_user_id_column):
    """Every version as one 'name:version,…' text, read with the signed-in person."""
    table = _table()
    return select(
        func.aggregate_strings(table.c.name + ":" + table.c.version, ",")
    ).scalar_subquery()


def _read_versions() -> dict[str, str]:
    db.session.flush()  # a pending change bumps its namespace before it is read
    rows = db.session.connection().execute(select(_table().c.name, _table().c.version)).all()
    return dict(rows)


def versions() -> dict[str, str]:
    """Every namespace's version, once per request (with the person when signed in).

    A write's pending changes are flushed first: each bumps its namespace, which
    forgets the versions read so far, so the write's answer never shows a fragment of
    before its own change.
    """
    if has_request_context() and request.method not in ("GET", "HEAD"):
        db.session.flush()
    if has_request_context() and "_cache_versions" in g:
        return g._cache_versions
    packed = _NOT_READ
    if has_request_context() and current_user.is_authenticated:
        # Every bump forgets the figure: a write that changed nothing cached may use it.
        packed = person_figures.person_figure(
            VERSIONS_FIGURE, current_user.id, lambda: _NOT_READ, on_writes=True
        )
    if packed is _NOT_READ:
        current = _read_versions()
    else:
        current = dict(item.split(":", 1) for item in (packed or "").split(",") if item)
    if has_request_context():
        g._cache_versions = current
    return current


def version_of(*names: str) -> str:
    found = versions()
    return "-".join(found.get(name, "0") for name in names)


def digest(value) -> str:
    """A short stable digest of a small value (e.g. a campaign's goals) for a key."""
    return hashlib.blake2s(repr(value).encode(), digest_size=8).hexdigest()


# How many keys typed by visitors this process remembers having seen once (a few MB).
SEEN_ONCE_LIMIT = 20_000


def _seen_before(cache_key: str) -> bool:
    """Whether this process was asked for `cache_key` before (and remember it now)."""
    seen = current_app.extensions.setdefault("empreinte.cache_seen_once", set())
    token = hash(cache_key)  # a number, whatever the length of what was typed
    if token in seen:
        return True
    if len(seen) >= SEEN_ONCE_LIMIT:
        seen.clear()
    seen.add(token)
    return False


RELEASE = "empreinte.cache_release"


def release_fingerprint(package: Path, translation_dirs: Iterable[Path]) -> str:
    """A short digest of what a release renders with: the package's code and templates
    and the compiled translations. Read once per process (about 10 ms for 2 MB)."""
    # Named relative to their folder: the same release installed elsewhere shares keys.
    files = [
        (path.relative_to(package).as_posix(), path)
        for path in package.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and (path.suffix == ".py" or "templates" in path.relative_to(package).parts)
    ]
    for directory in translation_dirs:
        files += [
            (path.relative_to(directory).as_posix(), path)
            for path in directory.glob("*/LC_MESSAGES/*.mo")
        ]
    found = hashlib.blake2s(digest_size=6)
    for name, path in sorted(files):
        found.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return found.hexdigest()


def _release_of(app: Flask) -> str:
    """CACHE_RELEASE when the deployment names its release, else the files' digest."""
    if app.config.get("CACHE_RELEASE"):
        return str(app.config["CACHE_RELEASE"])
    directories = app.config.get("BABEL_TRANSLATION_DIRECTORIES") or "translations"
    translation_dirs = [Path(app.root_path, d) for d in directories.split(";") if d]
    return release_fingerprint(Path(app.root_path), translation_dirs)


def _cached(
    kind: str,
    name: str,
    key: tuple,
    depends_on: tuple[str, ...],
    compute: Callable,
    typed: bool = False,
):
    # The release in every key: a shared store (Redis) outlives an upgrade, whose
    # templates, translations or code would else be served in the old words for an hour.
    release = current_app.extensions[RELEASE]
    cache_key = ":".join(
        (kind, name, release, version_of(*depends_on), *(str(part) for part in key))
    )
    found = _stored(cache_key)
    if found is None:
        found = compute()
        if not typed or _seen_before(cache_key):
            _store(cache_key, found)
    return found


def _stored(cache_key: str):
    """What the store holds under this key; None when it does not answer (a Redis
    restarting): a page is then worked out afresh, never refused for it."""
    try:
        return cache.get(cache_key)
    except Exception as error:  # the store's client raises its own kinds (redis.ConnectionError…)
        _store_unreachable(error)
        return None


def _store(cache_key: str, found) -> None:
    try:
        cache.set(cache_key, found, timeout=FRAGMENT_SECONDS)
    except Exception as error:
        _store_unreachable(error)


# When this process last said that the store did not answer: once a minute at most.
_LAST_WARNING = [0.0]


def _store_unreachable(error: Exception) -> None:
    now = time.monotonic()
    if now - _LAST_WARNING[0] >= 60:
        _LAST_WARNING[0] = now
        current_app.logger.warning(
            "The fragment cache's store does not answer (%s): pages are worked out afresh "
            "until it does.",
            type(error).__name__,
        )


def store_answers() -> bool:
    """Whether the fragment cache's store answers (`/healthz`): always true in memory."""
    try:
        cache.get("healthz")
    except Exception:
        return False
    return True


def value(
    name: str, key: tuple, depends_on: tuple[str, ...], compute: Callable, typed: bool = False
):
    """A computed value (plain data: lists, tuples, numbers), cached like a fragment.

    `typed`: the key holds what a visitor typed (a search, coordinates, a page number),
    which can take endless values. Such a value is kept only once this process is asked
    for it a second time, so that a stream of one-off queries (a script, a scan) cannot
    push the pages everyone reads out of the store, nor fill a shared Redis.
    """
    return _cached("value", name, key, depends_on, compute, typed)


def fragment(
    name: str,
    key: tuple,
    depends_on: tuple[str, ...],
    render: Callable[[], str],
    typed: bool = False,
):
    """A rendered fragment, from the cache when the same data was rendered before.

    `key` holds what the fragment shows (arguments, language, anything personal it
    varies on); `depends_on` the namespaces whose version it must follow; `typed` as
    for `value`.
    """
    html = _cached("fragment", name, key, depends_on, lambda: str(render()), typed)
    return Markup(html)  # noqa: S704 - the output of our own autoescaped templates


def personal_fragment(name: str, key: tuple, render: Callable[[], str], limit: int = 5000):
    """A fragment showing one person's own data, kept in this process only.

    `key` must hold everything it shows (a digest of the rows, the language). Kept in
    this process, they need no release in their key: a new release is a new process.
    Kept in the shared store, 20,000 people's entries would push out the fragments everyone shares
    (the store prunes when full); here they are bounded on their own, emptied when full.
    """
    kept = current_app.extensions.setdefault(f"empreinte.personal.{name}", {})
    html = kept.get(key)
    if html is None:
        if len(kept) >= limit:
            kept.clear()
        html = kept[key] = str(render())
    return Markup(html)  # noqa: S704 - the output of our own autoescaped templates


def init_app(app: Flask) -> None:
    cache.init_app(app)
    app.extensions[RELEASE] = _release_of(app)
    person_figures.register_person_figure(app, VERSIONS_FIGURE, _versions_subquery)


def head_columns(model, head: type) -> list:
    """The model's columns a head (a NamedTuple whose fields name them) is read from."""
    return [getattr(model, name) for name in head._fields]


def row_head(model, row_id: int, head: type):
    """A few columns of one row as `head` (a NamedTuple whose fields name them), kept
    until the model's namespace changes; None when there is no such row.

    For a page whose body is a cached fragment: the fields around it, without loading
    the whole row (and its eager relationships) as an object.
    """

    def read():
        statement = select(*head_columns(model, head)).where(model.id == row_id)
        row = db.session.execute(statement).first()
        return head(*row) if row is not None else None

    name = f"row_head.{model.__tablename__}.{head.__name__}"
    return value(name, (row_id,), (namespace_of(model),), read)
