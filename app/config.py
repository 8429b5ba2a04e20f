"""Configuration read from the environment.

Every setting has a safe development default except SECRET_KEY and PUBLIC_BASE_URL in
production, which must be given explicitly.
"""

import os
import secrets
import tempfile
from pathlib import Path

# Where `flask run` serves by default: links made from it open only on this machine, so a
# production start refuses it (app/core/settings_check.py).
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


# A value these helpers cannot read is kept as given: create_app refuses it with its
# name and what it accepts (app/core/settings_check.py), not with a bare ValueError.
def _bool(name: str, default: bool = False) -> bool | str:
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    return False if word in {"0", "false", "no", "off", ""} else value


def _int(name: str, default: int) -> int | str:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        return value


def _float(name: str, default: float) -> float | str:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        return value


class Config:
    ENV_NAME = os.environ.get("EMPREINTE_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Former secret keys, comma-separated, while a new SECRET_KEY is rolled out: sessions,
    # unsubscribe links in e-mails already sent and custody signatures made with them
    # still verify; everything new is signed with SECRET_KEY.
    SECRET_KEY_FALLBACKS = [
        key.strip() for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()
    ]
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: SQLite in instance/
    # A failed statement's error names the statement, never its values: they are e-mail
    # addresses, names, tokens' digests, and the error is logged ("[parameters: …]").
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}
    # No ping at every checkout: app/core/database.py pings a connection that sat idle.
    DATABASE_PING_AFTER_IDLE = _float("DATABASE_PING_AFTER_IDLE", 10.0)
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Paris")
    # The authority running the portal, named in the footer, the privacy notice and posters.
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Bordeaux Métropole")
    # Named on the privacy notice as processors ("who sees your data"); empty, the notice
    # says "the authority's e-mail provider" and "the authority's host".
    MAIL_PROCESSOR_NAME = os.environ.get("MAIL_PROCESSOR_NAME", "").strip()
    HOSTING_PROCESSOR_NAME = os.environ.get("HOSTING_PROCESSOR_NAME", "").strip()
    # The accessibility statement (/accessibility, RGAA): the compliance status the last
    # RGAA audit of this deployment found ("non-compliant" until one is done, as the RGAA
    # asks), its date and rate, the statement's own date (YYYY-MM-DD; empty: the date of
    # its text in app/core/accessibility.py, or the audit's) and whom to tell about a
    # barrier (an e-mail or web address; empty: PRIVACY_CONTACT).
    ACCESSIBILITY_STATUS = os.environ.get("ACCESSIBILITY_STATUS", "non-compliant")
    ACCESSIBILITY_AUDIT_DATE = os.environ.get("ACCESSIBILITY_AUDIT_DATE", "")
    ACCESSIBILITY_COMPLIANCE_RATE = os.environ.get("ACCESSIBILITY_COMPLIANCE_RATE", "")
    ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "").strip()
    ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT", "").strip()
    # The privacy notice's contacts (RGPD art. 13): how to reach the controller (the
    # authority: a postal or e-mail address) and its data protection officer's e-mail
    # address. Left empty, the notice says the administrator has still to give them.
    PRIVACY_CONTROLLER_CONTACT = os.environ.get("PRIVACY_CONTROLLER_CONTACT", "").strip()
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "").strip()
    # Uploaded files waiting for their admin's confirmation (app/core/pending_uploads.py):
    # a folder every worker, and every host, shares. None: the instance folder.
    PENDING_UPLOADS_DIR = os.environ.get("PENDING_UPLOADS_DIR") or None
    # The largest request body, in bytes: a 413 beyond it, before anything is read. The
    # largest upload is the staff directory's CSV (10 MB, refused at its field above).
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 2**20)
    # A body of fields only (a form, JSON), parsed whole in memory, and each text field of
    # a multipart form: the longest form, a message in two languages, sends under 500 kB.
    MAX_FORM_MEMORY_SIZE = 2**20
    CATALOGUE_IMPORT_DIR = os.environ.get("CATALOGUE_IMPORT_DIR") or None
    BABEL_DEFAULT_LOCALE = "fr"
    LANGUAGES = ("fr", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent.parent / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")  # forced on in production
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8
    # Minutes without a page asked before a browser session ends (0: only the 8 hours
    # above): a depot's shared computer left signed in is not the next colleague's.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    # Strict-Transport-Security, sent where cookies are Secure (production, over HTTPS): a
    # browser that has seen the portal never again tries it over plain HTTP, where a
    # network in between could read the session. Seconds; 0 sends none.
    HSTS_MAX_AGE = _int("HSTS_MAX_AGE", 365 * 24 * 3600)

    # CSRF is enforced by our own before_request hook so that bearer-token API
    # calls, which carry no cookie, are not asked for a token they cannot have.
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT = None
    WTF_I18N_ENABLED = True

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # A shared store (Redis) that stops answering must not stop everyone signing in: each
    # worker counts in its own memory meanwhile, and goes back to the store once it answers.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute")
    # Wrong passwords typed for one address, from any client address: guesses spread over
    # many machines (or behind one proxy) add up. A link or single sign-on still works.
    ACCOUNT_SIGN_IN_RATE_LIMIT = os.environ.get("ACCOUNT_SIGN_IN_RATE_LIMIT", "20 per hour")
    # How long a sign-in link sent by e-mail works (once).
    SIGN_IN_LINK_MINUTES = _int("SIGN_IN_LINK_MINUTES", 15)
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600 per minute")
    WRITE_RATE_LIMIT = os.environ.get("WRITE_RATE_LIMIT", "60 per minute")
    # Number of reverse proxies in front of the portal whose X-Forwarded-For to trust.
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = _int("MAIL_PORT", 1025)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")  # STARTTLS; implicit TLS (port 465) is not spoken
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Empreinte <no-reply@empreinte.local>"
    )
    MAIL_WORKING_HOURS = os.environ.get("MAIL_WORKING_HOURS", "Mo-Fr 08:00-19:00; PH off")

    # Rendered fragments shared by everyone (app/core/cache.py): one store per process
    # by default, or one Redis shared by every worker with CACHE_REDIS_URL.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_TYPE = "RedisCache" if CACHE_REDIS_URL else "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 3600
    CACHE_THRESHOLD = 5000
    CACHE_KEY_PREFIX = "empreinte:"

    # Static files are sent compressed (zstd, Brotli or gzip, as the browser accepts):
    # htmx is 51 KB as is, about 16 KB compressed. Each browser fetches them once a release
    # (app/core/assets.py), so they are compressed as they are sent. Pages are not: small,
    # sent on every view, their CPU is better spent serving people; a proxy may do it.
    COMPRESS_MIMETYPES = ["text/css", "text/javascript", "application/javascript", "image/svg+xml"]
    COMPRESS_REGISTER = False  # called for static files only (app/core/assets.py)
    # A level above Flask-Compress's (zstd 3, Brotli 4), as fast here (1 to 2 ms a file):
    # htmx, portal.css and portal.js are 2 KB lighter together on a first visit.
    COMPRESS_ZSTD_LEVEL = 6
    COMPRESS_BR_LEVEL = 5

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - an algorithm name
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL")  # None: no third-party tiles
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", DEVELOPMENT_BASE_URL)
    # Single sign-on with the authority's OpenID Connect provider (app/auth/sso.py): off
    # unless OIDC_ISSUER is set. The provider is given PUBLIC_BASE_URL/auth/sso/callback.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_SCOPE = os.environ.get("OIDC_SCOPE", "openid email")
    GRID_FACTOR_KGCO2E_PER_KWH = _float("GRID_FACTOR_KGCO2E_PER_KWH", 0.052)
    # Hours a year an office device (laptop, desktop, monitor, phone, tablet) is used: the
    # French public service's legal annual working time. Its yearly electricity is
    # Boavizta's average power × these hours (Boavizta's own 30 % of the clock gave a
    # laptop 197 kWh); equipment that runs around the clock keeps Boavizta's ratio.
    DEVICE_USE_HOURS_PER_YEAR = _int("DEVICE_USE_HOURS_PER_YEAR", 1607)
    # A team (department, commune) with fewer participants is listed on the clean-up
    # boards and results without its figures or a rank: they would be a person's.
    LEADERBOARD_MIN_TEAM = _int("LEADERBOARD_MIN_TEAM", 3)
    DEMO_EMPLOYEES = _int("DEMO_EMPLOYEES", 20_000)
    SCHEDULER_LOCK_FILE = os.environ.get("SCHEDULER_LOCK_FILE")

    # Privacy: a pending erasure request runs by itself after this many days
    # (unless an admin executed it earlier); retention periods for personal data.
    ERASURE_DELAY_DAYS = _int("ERASURE_DELAY_DAYS", 30)
    ACTION_RETENTION_MONTHS = _int("ACTION_RETENTION_MONTHS", 12)
    # An account deactivated by an admin or the staff directory (a person who left) is
    # erased this many calendar months later (app/core/privacy_services.py).
    DEACTIVATED_ACCOUNT_RETENTION_MONTHS = _int("DEACTIVATED_ACCOUNT_RETENTION_MONTHS", 12)
    MESSAGE_BODY_RETENTION_DAYS = _int("MESSAGE_BODY_RETENTION_DAYS", 90)
    # A revoked API token is deleted this many days after its revocation
    # (app/auth/services.py); an erasure deletes the person's tokens at once.
    REVOKED_TOKEN_RETENTION_DAYS = _int("REVOKED_TOKEN_RETENTION_DAYS", 90)
    # Periods the operator applies outside the portal, which the privacy notice states:
    # the servers' access logs (journald's MaxRetentionSec, nginx's logrotate) and the
    # database's backups (README, "Running in production"). Keep both in step with them.
    ACCESS_LOG_RETENTION_MONTHS = _int("ACCESS_LOG_RETENTION_MONTHS", 6)
    BACKUP_RETENTION_DAYS = _int("BACKUP_RETENTION_DAYS", 30)


class TestConfig(Config):
    TESTING = True
    ENV_NAME = "testing"
    SECRET_KEY = "test-secret-key-of-32-characters"  # noqa: S105 - as long as production asks
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - fast in tests only
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SIGN_IN_RATE_LIMIT = "5 per minute"
    DEMO_EMPLOYEES = 200
    MAIL_WORKING_HOURS = "24/7"
    # Not 1025, where `make run`'s mail sink listens: a test's e-mails landed in the demo
    # mailbox. Nothing listens on the discard port; the tests that read e-mails start
    # their own SMTP server (tests/messaging/conftest.py, `smtp`).
    MAIL_PORT = 9
    # The factories give each person a department of their own: tests of team boards
    # would all be withheld. tests/cleanup/test_small_teams.py sets the real minimum.
    LEADERBOARD_MIN_TEAM = 1
    # Catalogue files awaiting confirmation: out of the instance folder, one per test run.
    CATALOGUE_IMPORT_DIR = os.path.join(
        tempfile.gettempdir(), f"empreinte-test-imports-{os.getpid()}"
    )
    PENDING_UPLOADS_DIR = os.path.join(
        tempfile.gettempdir(), f"empreinte-test-uploads-{os.getpid()}"
    )


def check_public_base_url(config: dict) -> None:
    """In production, refuse to start on this machine's address (create_app's settings
    check reports it first, with every other setting to fix; this guards the order)."""
    from app.core.settings_check import public_base_url_problems, refuse

    refuse(list(public_base_url_problems(config.get)))


def resolve_secret_key(config: dict, instance_path: str) -> str:
    """Return the secret key, generating a development one once on disk."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if config.get("ENV_NAME") == "production":
        from app.core.settings_check import refuse, secret_key_problems

        refuse(list(secret_key_problems(config.get)))
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
