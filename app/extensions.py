"""Flask extensions, created unbound and initialised in create_app."""

import threading

from flask import current_app, g, request
from flask_caching import Cache
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.core.i18n import PortalBabel

# Stable constraint names make Alembic migrations reviewable and portable
# between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _render_migration_type(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy types so migrations never import the app."""
    from app.core.types import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


db = SQLAlchemy(model_class=Base)

# The `__table_args__` of a table whose rows people delete and whose ids pages put in
# forms and addresses: on SQLite its ids are never given again (AUTOINCREMENT), so a
# form on a page left open names the row deleted since, never a newer one that took
# its id. PostgreSQL sequences never give one again anyway.
IDS_NEVER_REUSED = {"sqlite_autoincrement": True}
migrate = Migrate(compare_type=True, render_as_batch=True, render_item=_render_migration_type)
login_manager = LoginManager()
babel = PortalBabel()
htmx = HTMX()
csrf = CSRFProtect()
# Rendered fragments (app/core/cache.py); the Jinja tag is not used.
cache = Cache(with_jinja2_ext=False)
# Static files only (app/core/assets.py): pages stay uncompressed, their CPU goes to people.
compress = Compress()


def _rate_limit_key() -> str:
    """Signed-in people are limited one by one, others by address.

    Behind a reverse proxy every request shares the proxy's address; keying on the
    person keeps one busy user from throttling a whole building (see PROXY_FIX_X_FOR).
    """
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"addr:{get_remote_address()}"


def _write_limit() -> str:
    return current_app.config["WRITE_RATE_LIMIT"]


def _is_read() -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS")


def _web_page_read() -> bool:
    """A web page read: no default limit applies to it (`_is_read`)."""
    return _is_read() and not request.path.startswith("/api/")


def count_write(_response) -> bool:
    """Whether a write uses up its WRITE_RATE_LIMIT (`default_limits_deduct_when`): a web
    form's always, as before; an API write only once it reached its view (the flag
    `app.api.mark_view_reached` sets). The limiter tests the budget before the view and
    deducts after the answer, so an API write refused unchanged before its view (401,
    a read-only token's 403, 400, 415, 422 on the body) costs the person nothing, while
    a write the view answered, even with a 404 or a 409, counts."""
    return not request.path.startswith("/api/") or g.get("api_view_reached", False)


#: Answers a `Retry-After` belongs on (RFC 9110 §10.2.3): "too many", and "unavailable".
RETRY_AFTER_STATUSES = (429, 503)


class PortalLimiter(Limiter):
    """Flask-Limiter, its before-request pass skipped for a web page read, and its
    `Retry-After` kept to the answers that mean "come back later".

    No default limit applies to reading a page, yet the limiter named the view and
    resolved its meta limits and exemptions to find that out: 35 µs of every page. A
    view's own limit (the single sign-on's, on GET) is still checked by its decorator.
    The library puts `Retry-After` on every limited answer, a 200 included, where a
    client may read it as "wait"; the X-RateLimit-* headers say what is left.
    """

    def _check_request_limit(self, callable_name=None, in_middleware=True) -> None:
        if in_middleware and _web_page_read():
            return None
        # Who is asking is read before the check: its key needs them, and a database that
        # fails while they are read must reach the portal's 503. Inside the check, the
        # library takes any error for its store's (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED)
        # and tries again in the failed transaction: a 500.
        _rate_limit_key()
        return super()._check_request_limit(callable_name, in_middleware)

    def init_app(self, app) -> None:
        # Registered first, so run last: after-request functions run in reverse order,
        # and the library's adds its headers.
        app.after_request(_retry_after_only_when_due)
        super().init_app(app)


def _retry_after_only_when_due(response):
    if response.status_code not in RETRY_AFTER_STATUSES:
        response.headers.pop("Retry-After", None)
    return response


class SweptMemoryStorage(MemoryStorage):
    """The limiter's in-process storage (`memory://`), its expired counters swept once
    a second instead of 10 ms after each counted request.

    The library starts a thread 10 ms after a hit whenever its last one has ended, and
    that thread walks every counter: under steady writes, a thread started per write
    (0.3 to 0.5 ms of it) and a walk over everyone's counters a hundred times a second.
    A counter past its window is already ignored when read (`get`); the sweep only
    frees memory, which once a second does as well. Registered under the `memory`
    scheme, so RATELIMIT_STORAGE_URI keeps its usual values.
    """

    STORAGE_SCHEME = ["memory"]
    SWEEP_SECONDS = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True  # a command's exit never waits for a sweep
            self.timer.start()


# Every state-changing request is limited per route (WRITE_RATE_LIMIT); sign-in and the
# API have limits of their own. RATELIMIT_STORAGE_URI=redis://… shares them across workers.
limiter = PortalLimiter(
    key_func=_rate_limit_key,
    default_limits=[_write_limit],
    default_limits_exempt_when=_is_read,
    default_limits_deduct_when=count_write,
)


def limiter_store_answers() -> bool:
    """Whether the rate limits' store answers (`/healthz`); in memory, always. While a
    shared one does not, each worker counts in its own memory
    (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED)."""
    try:
        return bool(limiter.storage.check())
    except Exception:  # a store's client raises its own kinds
        return False
