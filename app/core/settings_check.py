"""Settings with a closed set of values or a format, checked when the app is built.

A typo in one of them (`EMPREINTE_ENV=prod`, `TIMEZONE=Paris`, `MAIL_WORKING_HOURS=lundi
8-19`) would otherwise be accepted and fail later, far from its cause: a traceback at the
first e-mail, or silently another behaviour (development cookies in production). The
portal refuses to start instead, with one message naming each variable and what it accepts.
"""

import ipaddress
import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from datetime import date
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.config import DEVELOPMENT_BASE_URL
from app.core.upload_folders import upload_folder_problems

#: ORGANISATION_NAME's default (app.config), for development and the demo only.
DEVELOPMENT_ORGANISATION_NAME = "Bordeaux Métropole"

ENVIRONMENTS = ("development", "production", "testing")
ACCESSIBILITY_STATUSES = ("non-compliant", "partially-compliant", "fully-compliant")
BOOLEAN_WORDS = ("1", "true", "yes", "on", "0", "false", "no", "off", "")

# Whole numbers and their smallest (and largest) accepted value.
INTEGERS: dict[str, tuple[int, int | None]] = {
    "MAIL_PORT": (1, 65535),
    "PROXY_FIX_X_FOR": (0, None),
    "HSTS_MAX_AGE": (0, None),
    "MAX_CONTENT_LENGTH": (2**20, None),
    "SIGN_IN_LINK_MINUTES": (1, None),
    "SESSION_IDLE_MINUTES": (0, 480),
    "DEMO_EMPLOYEES": (1, None),
    "LEADERBOARD_MIN_TEAM": (1, None),
    "DEVICE_USE_HOURS_PER_YEAR": (1, 8760),
    "ERASURE_DELAY_DAYS": (0, None),
    "ACTION_RETENTION_MONTHS": (1, None),
    "DEACTIVATED_ACCOUNT_RETENTION_MONTHS": (1, None),
    "MESSAGE_BODY_RETENTION_DAYS": (1, None),
    "REVOKED_TOKEN_RETENTION_DAYS": (1, None),
    "RECYCLING_REMINDER_DAYS": (0, None),
    "RECYCLING_UNBROUGHT_CLOSE_DAYS": (0, None),
    "MESSAGING_BATCH_SIZE": (1, None),
    "MESSAGING_CLAIM_SECONDS": (1, None),
    "MESSAGING_RETRY_SECONDS": (1, None),
    "MESSAGING_MAX_ATTEMPTS": (1, None),
    "MESSAGING_POLL_SECONDS": (1, None),
    "MESSAGING_SMTP_CONNECTIONS": (1, None),
    "MESSAGING_VARIABLES_WINDOW": (1, None),
}
NUMBERS = ("DATABASE_PING_AFTER_IDLE", "GRID_FACTOR_KGCO2E_PER_KWH")
BOOLEANS = ("SESSION_COOKIE_SECURE", "MAIL_USE_TLS")
RATE_LIMITS = ("SIGN_IN_RATE_LIMIT", "API_RATE_LIMIT", "WRITE_RATE_LIMIT")


class SettingsError(SystemExit):
    """One or more settings cannot be used; the message lists each with what it accepts.

    A SystemExit: uncaught (a `flask` command, gunicorn's import), Python prints the
    message alone, with no traceback above it, and exits with status 1."""


def check_settings(
    config: Mapping, environ: Mapping[str, str] = os.environ, instance_path: str | None = None
) -> None:
    """Raise SettingsError naming every setting whose value cannot be used.

    A setting missing from `config` is read from `environ`, as the domains do when they
    register their own (MESSAGING_*, RECYCLING_REMINDER_DAYS). `instance_path`: the
    instance folder, where uploads wait unless PENDING_UPLOADS_DIR says otherwise."""

    def value(name: str):
        return config[name] if name in config else environ.get(name)

    problems = [problem for check in CHECKS for problem in check(value)]
    problems += organisation_name_problems(value, environ)
    refuse(problems + list(upload_folder_problems(value, instance_path)))
    for warning in settings_warnings(value):
        logging.getLogger(__name__).warning(warning)


# The privacy notice's contacts (RGPD art. 13): a portal starts without them, since the
# notice then says they are missing, but in production its operator is told at each start.
PRIVACY_CONTACTS = {
    "PRIVACY_CONTROLLER_CONTACT": "the controller's contact (a postal or e-mail address)",
    "PRIVACY_CONTACT": "the data protection officer's e-mail address",
}


def refuse(problems: list[str]) -> None:
    """Raise SettingsError listing `problems`, if there are any."""
    if problems:
        raise SettingsError(
            "Empreinte cannot start with these settings (environment variables):\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )


def settings_warnings(value) -> list[str]:
    """What a production portal lacks without refusing to start: `value(name)` reads a
    setting as in check_settings."""
    if value("ENV_NAME") != "production":
        return []
    warnings = [
        f"{name} is empty: the privacy notice does not give {what}; it says the "
        "administrator must fill it in. Set it in the environment."
        for name, what in PRIVACY_CONTACTS.items()
        if not str(value(name) or "").strip()
    ]
    # The accessibility statement (RGAA) is dated and gives a way to report a barrier.
    if not str(value("ACCESSIBILITY_STATEMENT_DATE") or "").strip():
        warnings.append(
            "ACCESSIBILITY_STATEMENT_DATE is empty: the accessibility statement shows the "
            "date of its text in the code (or the audit's), not the day it was established "
            "for this portal. Set it in the environment (YYYY-MM-DD)."
        )
    if not any(
        str(value(name) or "").strip() for name in ("ACCESSIBILITY_CONTACT", "PRIVACY_CONTACT")
    ):
        warnings.append(
            "ACCESSIBILITY_CONTACT is empty (and PRIVACY_CONTACT too): the accessibility "
            "statement gives no address to report a barrier to. Set it in the environment "
            "(an e-mail or web address)."
        )
    return warnings


def _environment(value):
    if value("ENV_NAME") not in ENVIRONMENTS:
        yield (
            f"EMPREINTE_ENV={value('ENV_NAME')!r}: use 'production' on a server, "
            "'development' (the default) on a workstation"
        )


#: The fewest characters a production SECRET_KEY has (token_urlsafe(48) gives 64).
SECRET_KEY_LENGTH = 32
#: What a README or a template shows in place of a secret key, copied as is.
SECRET_KEY_PLACEHOLDERS = frozenset(
    {
        "…",
        "...",
        "x",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secret-key",
        "your-secret-key",
    }
)
#: The fewest different characters a production SECRET_KEY has: `"k" * 40` is long but no
#: secret (a random hex key of 32 characters has fewer about once in 30 million).
SECRET_KEY_DISTINCT_CHARACTERS = 8
#: A key made of placeholders only, repeated to be long enough (`changemechangeme…`,
#: `secret-secret-…`), separators between them or not.
_REPEATED_PLACEHOLDER = re.compile(
    "(?:(?:"
    + "|".join(re.escape(word) for word in sorted(SECRET_KEY_PLACEHOLDERS, key=len, reverse=True))
    + r")[\s._:-]*)+",
    re.IGNORECASE,
)
_NEW_SECRET_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"  # noqa: S105 - a command


def secret_key_problems(value):
    """A production portal signs sessions, links and custody steps with a key of its own:
    long and random, not a placeholder copied from the README (`SECRET_KEY=…`), which anyone
    could use to sign a session cookie of an admin. The key itself is never repeated."""
    if value("ENV_NAME") != "production":
        return
    key = str(value("SECRET_KEY") or "").strip()
    if not key:
        yield (
            "SECRET_KEY is not set: production needs a long random value of its own, such as "
            f"the output of: {_NEW_SECRET_KEY}"
        )
    elif key.lower() in SECRET_KEY_PLACEHOLDERS:
        yield (
            f"SECRET_KEY={key!r} is a placeholder, not a key: production needs a long random "
            f"value of its own, such as the output of: {_NEW_SECRET_KEY}"
        )
    elif len(key) < SECRET_KEY_LENGTH:
        yield (
            f"SECRET_KEY is too short ({len(key)} characters): production needs at least "
            f"{SECRET_KEY_LENGTH} random characters, such as the output of: {_NEW_SECRET_KEY}"
        )
    elif _REPEATED_PLACEHOLDER.fullmatch(key):
        yield (
            "SECRET_KEY repeats a placeholder (such as changeme), not a key: production "
            f"needs a long random value of its own, such as the output of: {_NEW_SECRET_KEY}"
        )
    elif len(set(key)) < SECRET_KEY_DISTINCT_CHARACTERS:
        yield (
            f"SECRET_KEY has too few different characters ({len(set(key))}; a random key has "
            f"{SECRET_KEY_DISTINCT_CHARACTERS} or more): production needs a long random value "
            f"of its own, such as the output of: {_NEW_SECRET_KEY}"
        )


#: What the README's production block shows in place of each value to fill in.
FILL_IN_PLACEHOLDERS = frozenset({"…", "..."})


def placeholder_problems(value):
    """In production, a value left as the README's `…` (`MAIL_PASSWORD=…`,
    `PRIVACY_CONTROLLER_CONTACT='…'`) is refused: copied as is, the portal would name « … »
    as the privacy notice's controller or log in to the mail server as « … ». SECRET_KEY and
    PUBLIC_BASE_URL say it in their own words (below)."""
    if value("ENV_NAME") != "production":
        return
    for name in sorted(_SETTINGS_READ):
        given = value(name)
        if isinstance(given, str) and given.strip() in FILL_IN_PLACEHOLDERS:
            yield f"{name}={given!r} is a placeholder: give this portal's own value"


#: The settings a placeholder is looked for in (the README's production block, and the
#: privacy notice's contacts).
_SETTINGS_READ = frozenset(
    {
        "ORGANISATION_NAME",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_SERVER",
        "MAIL_PROCESSOR_NAME",
        "HOSTING_PROCESSOR_NAME",
        "PRIVACY_CONTROLLER_CONTACT",
        "PRIVACY_CONTACT",
        "ACCESSIBILITY_CONTACT",
        "OIDC_CLIENT_ID",
        "OIDC_CLIENT_SECRET",
    }
)


def organisation_name_problems(value, environ: Mapping[str, str]):
    """A production portal names its authority itself: in the footer and as the privacy
    notice's controller. Unset, it fell back to the development default (Bordeaux
    Métropole), so another authority's portal named Bordeaux Métropole as the controller of
    its staff's data. Set in the environment or given to create_app, either will do."""
    if value("ENV_NAME") != "production":
        return
    given = str(value("ORGANISATION_NAME") or "").strip()
    named_in_environment = str(environ.get("ORGANISATION_NAME") or "").strip()
    if not given or (given == DEVELOPMENT_ORGANISATION_NAME and not named_in_environment):
        yield (
            "ORGANISATION_NAME is missing: production names the authority running the "
            "portal itself (in the footer, and as the controller in the privacy notice; "
            f"left out, it would say {DEVELOPMENT_ORGANISATION_NAME}), such as "
            "ORGANISATION_NAME='Toulouse Métropole'"
        )


def names_this_machine(host: str) -> bool:
    """Whether a URL's host is this computer (loopback or unspecified), for whoever opens it."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def is_public_host(host: str) -> bool:
    """Whether a URL's host can be a portal's address: an IP address, or a domain name of
    two labels or more (`empreinte.example.org`; not `…`, `x` or `my_server`)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(labels) >= 2 and all(_HOST_LABEL.fullmatch(label) for label in labels)


#: Domains kept for examples (RFC 2606): an address copied from the README or from a
#: message of this module, never the authority's own.
EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")
#: The values the messages suggest, as the README's environment file gives them: an
#: authority's own names, which production accepts (example.org's were refused in turn).
SUGGESTED_BASE_URL = "https://empreinte.toulouse-metropole.fr"
SUGGESTED_MAIL_SERVER = "smtp.toulouse-metropole.fr"
SUGGESTED_SENDER = "'Empreinte <no-reply@toulouse-metropole.fr>'"
#: Said after a suggestion: whose names they are, and that yours go in their place.
YOURS = "(Toulouse Métropole's: give your authority's own)"


def is_example_host(host: str) -> bool:
    """Whether `host` is an example domain or under one (`empreinte.example.org`), or
    under the `.example` top-level domain."""
    host = host.rstrip(".").lower()
    return host.endswith(".example") or any(
        host == domain or host.endswith("." + domain) for domain in EXAMPLE_DOMAINS
    )


def base_url_extras(base: str) -> str:
    """What PUBLIC_BASE_URL holds besides scheme, host and port ("" if nothing): a query,
    a fragment, a user name or a path other than "/". Links are the address with a path
    added (`https://host/?x=1` gave `https://host/?x=1/messaging/…`)."""
    parts = urlsplit(base)
    extras = []
    if "@" in parts.netloc:
        extras.append("a user name")
    if parts.path not in ("", "/"):
        extras.append(f"a path ({parts.path})")
    if "?" in base:
        extras.append("a query (?)")
    if "#" in base:
        extras.append("a fragment (#)")
    return ", ".join(extras)


def public_base_url_problems(value):
    """In production, every e-mail link, sign-in link and QR code of a printed poster is
    made from PUBLIC_BASE_URL: on this machine's address they would open each reader's own
    computer. (An address that is no URL at all is refused by _addresses.)"""
    base = value("PUBLIC_BASE_URL")
    parts = urlsplit(str(base or ""))
    host = parts.hostname
    if value("ENV_NAME") != "production" or not host or base_url_extras(str(base)):
        return  # an address of another shape: _addresses says so, in one line
    fix = (
        "give the portal's address as staff reach it (links in e-mails and the QR codes of "
        f"printed posters are made from it), such as {SUGGESTED_BASE_URL} {YOURS}"
    )
    if not names_this_machine(host):
        # Production cookies are Secure: over http:// nobody could sign in, and e-mails
        # would send people to an address their browser is told to leave.
        if parts.scheme != "https":
            yield (
                f"PUBLIC_BASE_URL={base!r}: production is served over HTTPS only (its "
                "cookies are Secure, so nobody could sign in over http://); " + fix
            )
        elif not is_public_host(host):
            yield (f"PUBLIC_BASE_URL={base!r}: {host!r} is no host name (a placeholder?); " + fix)
        elif is_example_host(host):
            yield (
                f"PUBLIC_BASE_URL={base!r}: {host} is a domain kept for examples (RFC 2606), "
                "not the portal's: give the address staff reach it at"
            )
        return
    if base == DEVELOPMENT_BASE_URL:
        yield (
            f"PUBLIC_BASE_URL is not set (or is set to its development default, {base}, "
            f"which names this machine): {fix}"
        )
    else:
        yield f"PUBLIC_BASE_URL={base!r} names this machine ({host}), not the portal: {fix}"


def _integers(value):
    for name, (low, high) in INTEGERS.items():
        given = value(name)
        if given is None or given == "":
            continue
        try:
            number = int(str(given).strip())
        except ValueError:
            number = None
        if number is None or number < low or (high is not None and number > high):
            span = f"from {low} to {high}" if high is not None else f"{low} or more"
            yield f"{name}={given!r}: a whole number, {span}"


def _numbers(value):
    for name in NUMBERS:
        given = value(name)
        try:
            number = float(str(given).strip()) if given not in (None, "") else 0.0
        except ValueError:
            number = -1.0
        if not math.isfinite(number) or number < 0:  # "nan" and "inf" are floats too
            yield f"{name}={given!r}: a number, 0 or more (a dot for decimals: 0.052)"


def _booleans(value):
    for name in BOOLEANS:
        given = value(name)
        if isinstance(given, str) and given.strip().lower() not in BOOLEAN_WORDS:
            yield f"{name}={given!r}: 1, true, yes or on (or 0, false, no, off)"


def _time_zone(value):
    zone = value("TIMEZONE")
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        yield f"TIMEZONE={zone!r}: an IANA time zone name, such as Europe/Paris"


def _working_hours(value):
    import opening_hours

    expression = value("MAIL_WORKING_HOURS")
    if not expression or str(expression).strip() == "24/7":
        return
    if str(expression).strip().lower() in ("off", "closed"):
        yield (
            f"MAIL_WORKING_HOURS={expression!r}: e-mails would never go out; give the hours "
            "they may be sent, such as 'Mo-Fr 08:00-19:00; PH off' (the default) or '24/7'"
        )
        return
    try:
        opening_hours.OpeningHours(str(expression))
    except opening_hours.ParserError:
        yield (
            f"MAIL_WORKING_HOURS={expression!r}: OpenStreetMap opening_hours syntax, "
            "such as 'Mo-Fr 08:00-19:00; PH off' (the default) or '24/7'"
        )


def _mail(value):
    sender = value("MAIL_DEFAULT_SENDER")
    address = parseaddr(str(sender or ""))[1]
    if "@" not in address or not address.rpartition("@")[2]:
        yield (
            f"MAIL_DEFAULT_SENDER={sender!r}: an e-mail address, alone or with a name, "
            f"such as {SUGGESTED_SENDER} {YOURS}"
        )
    # The mailer speaks SMTP, with STARTTLS when MAIL_USE_TLS is on: a Flask-Mail habit
    # (implicit TLS on port 465) would hang on the first e-mail instead.
    if str(value("MAIL_PORT")).strip() == "465":
        yield (
            "MAIL_PORT='465': implicit TLS (SMTPS) is not supported; use the server's "
            "submission port (587) with MAIL_USE_TLS=1 (STARTTLS)"
        )
    if value("ENV_NAME") == "production":
        yield from _production_mail(value, address)
    use_ssl = str(value("MAIL_USE_SSL") or "").strip().lower()
    if use_ssl not in BOOLEAN_WORDS or use_ssl in ("1", "true", "yes", "on"):
        yield (
            f"MAIL_USE_SSL={value('MAIL_USE_SSL')!r}: implicit TLS (SMTPS, port 465) is not "
            "supported; use the server's submission port (587) with MAIL_USE_TLS=1 (STARTTLS)"
        )


#: Mail domains that are nobody's (RFC 6761, RFC 6762): the sender's default, empreinte.local.
RESERVED_MAIL_DOMAINS = ("local", "localhost", "invalid", "test")
#: Where `make run`'s development mail sink listens, the defaults of MAIL_SERVER, MAIL_PORT.
DEVELOPMENT_MAIL_PORT = "1025"


def _production_mail(value, sender_address: str):
    """A production portal sends its sign-in links, and every message, through the
    authority's mail server, from the authority's address: left at their development
    defaults, every e-mail went to 127.0.0.1:1025, where nothing listens, without a word."""
    server = str(value("MAIL_SERVER") or "").strip()
    if (not server or names_this_machine(server)) and str(
        value("MAIL_PORT")
    ).strip() == DEVELOPMENT_MAIL_PORT:
        yield (
            f"MAIL_SERVER={server!r} with MAIL_PORT={DEVELOPMENT_MAIL_PORT}: the development "
            "mail sink (the defaults), so no e-mail, sign-in links included, would reach "
            "anyone; give the authority's SMTP server (or a relay on this host: MAIL_PORT=25), "
            f"such as MAIL_SERVER={SUGGESTED_MAIL_SERVER} MAIL_PORT=587 MAIL_USE_TLS=1 {YOURS}"
        )
    if server and is_example_host(server):
        yield (
            f"MAIL_SERVER={server!r}: a domain kept for examples (RFC 2606), so no e-mail "
            "would reach anyone; give the authority's SMTP server"
        )
    domain = sender_address.rpartition("@")[2].rstrip(".").lower()
    if domain and is_example_host(domain):
        yield (
            f"MAIL_DEFAULT_SENDER={value('MAIL_DEFAULT_SENDER')!r}: {domain} is a domain kept "
            "for examples (RFC 2606), so mail servers refuse or bury the e-mails; give the "
            "authority's own address"
        )
    elif domain and domain.rpartition(".")[2] in RESERVED_MAIL_DOMAINS:
        yield (
            f"MAIL_DEFAULT_SENDER={value('MAIL_DEFAULT_SENDER')!r}: {domain} is nobody's "
            "domain (the default), so mail servers refuse or bury the e-mails; give the "
            f"authority's address, such as {SUGGESTED_SENDER} {YOURS}"
        )


def _accessibility(value):
    status = value("ACCESSIBILITY_STATUS")
    if status not in ACCESSIBILITY_STATUSES:
        yield f"ACCESSIBILITY_STATUS={status!r}: one of " + ", ".join(ACCESSIBILITY_STATUSES)
    audited = value("ACCESSIBILITY_AUDIT_DATE")
    if audited:
        try:
            date.fromisoformat(str(audited))
        except ValueError:
            yield f"ACCESSIBILITY_AUDIT_DATE={audited!r}: the audit's date, YYYY-MM-DD"
    stated = value("ACCESSIBILITY_STATEMENT_DATE")
    if stated:
        try:
            date.fromisoformat(str(stated).strip())
        except ValueError:
            yield f"ACCESSIBILITY_STATEMENT_DATE={stated!r}: the statement's date, YYYY-MM-DD"
    rate = value("ACCESSIBILITY_COMPLIANCE_RATE")
    if rate not in (None, ""):
        try:
            share = float(str(rate).replace(",", "."))
        except ValueError:
            share = -1.0
        if not 0 <= share <= 100:
            yield f"ACCESSIBILITY_COMPLIANCE_RATE={rate!r}: a percentage from 0 to 100, such as 87"


def _rate_limits(value):
    from limits import parse_many

    for name in RATE_LIMITS:
        given = value(name)
        try:
            parse_many(str(given))
        except ValueError:
            yield f"{name}={given!r}: a rate such as '10 per minute' or '600/hour'"


def _addresses(value):
    from limits.storage import SCHEMES

    database = value("SQLALCHEMY_DATABASE_URI")
    if database:
        yield from _database_address(str(database))

    base = value("PUBLIC_BASE_URL")
    parts = urlsplit(str(base or ""))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        yield f"PUBLIC_BASE_URL={base!r}: the portal's address, such as {SUGGESTED_BASE_URL}"
    elif extras := base_url_extras(str(base)):
        # Not repeated when it names a user: the address may carry a password.
        given = "PUBLIC_BASE_URL" if "@" in parts.netloc else f"PUBLIC_BASE_URL={base!r}"
        yield (
            f"{given}: the portal's address alone (scheme, host and port, "
            f"such as {SUGGESTED_BASE_URL}), without {extras}: every link is made "
            "by adding its path to it, and the portal is served at the root of its host "
            "(a sub-path is not supported)"
        )
    yield from _single_sign_on(value)
    storage = str(value("RATELIMIT_STORAGE_URI") or "")
    scheme = storage.partition("://")[0]
    hostless = scheme.startswith("redis") and not urlsplit(storage).hostname
    if scheme not in SCHEMES or "://" not in storage or hostless:
        yield (
            f"RATELIMIT_STORAGE_URI (starting {storage.partition(':')[0]!r}): memory:// (one "
            "count per process) or redis://HOST:6379 (shared by every worker)"
        )
    cache = value("CACHE_REDIS_URL")
    cache_parts = urlsplit(str(cache or ""))
    if cache and (
        cache_parts.scheme not in ("redis", "rediss", "unix")
        or (cache_parts.scheme != "unix" and not cache_parts.hostname)
    ):
        yield (
            f"CACHE_REDIS_URL (starting {str(cache).partition(':')[0]!r}): a Redis address, "
            "such as redis://127.0.0.1:6379/1"
        )


def _single_sign_on(value):
    """OIDC_ISSUER turns single sign-on on: without the portal's registration with the
    provider, every click on "Sign in with my account" failed at the provider; over
    http:// in production, the ID token and the provider's keys would cross the network
    where anyone could change them (OpenID Connect asks for TLS)."""
    issuer = str(value("OIDC_ISSUER") or "").strip()
    if not issuer:
        return
    scheme = urlsplit(issuer).scheme
    if scheme not in ("http", "https") or not urlsplit(issuer).hostname:
        yield f"OIDC_ISSUER={issuer!r}: the provider's issuer URL, such as https://sso.example.org"
    elif scheme == "http" and value("ENV_NAME") == "production":
        yield (
            f"OIDC_ISSUER={issuer!r}: production talks to its identity provider over HTTPS "
            "only (over http:// its keys and ID tokens could be changed on the way); give "
            "the provider's https:// issuer URL"
        )
    missing = [
        name
        for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
        if not str(value(name) or "").strip()
    ]
    if missing:
        yield (
            f"OIDC_ISSUER is set but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
            "not: single sign-on needs the portal's registration with the provider (its client "
            "id and secret; the callback is PUBLIC_BASE_URL/auth/sso/callback); or leave "
            "OIDC_ISSUER out to turn single sign-on off"
        )


def _production_database(value):
    """Production names its database: left out (a key misspelt in the environment file),
    the portal ran on a new, empty SQLite file in `instance/` that no backup covers."""
    if value("ENV_NAME") != "production":
        return
    if not str(value("SQLALCHEMY_DATABASE_URI") or value("DATABASE_URL") or "").strip():
        yield (
            "DATABASE_URL is missing: production names its database, such as "
            "DATABASE_URL=postgresql://empreinte@127.0.0.1/empreinte (left out, the "
            "portal would start on a new, empty SQLite file that no backup covers; to run "
            "on SQLite on purpose, give its address: sqlite:////var/lib/empreinte/empreinte.db)"
        )


#: The databases the portal runs on, as SQLAlchemy names them: PostgreSQL through psycopg 3
#: (pyproject; postgres:// and postgresql:// are given that driver) and SQLite.
DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "sqlite", "sqlite+pysqlite")


def _database_address(database: str):
    """DATABASE_URL, in every environment, is an address the portal can open. The README's
    `postgresql://…`, copied as is, was accepted and `flask db upgrade` ended with a
    traceback (host '…' unknown), and `mysql://` with another one (no MySQLdb). The address
    itself is never repeated: it may carry a password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    example = "such as postgresql://empreinte@127.0.0.1/empreinte"
    try:
        url = make_url(database.strip())
    except ArgumentError:
        url = None
    parts = (url.host, url.database, url.username) if url is not None else (database,)
    if any(mark in str(part or "") for part in parts for mark in FILL_IN_PLACEHOLDERS):
        yield f"DATABASE_URL holds a placeholder (…): give this portal's database, {example}"
    elif url is None:
        yield f"DATABASE_URL cannot be read as a database address: {example}"
    elif url.drivername not in DATABASE_SCHEMES:
        yield (
            f"DATABASE_URL starting {url.drivername}://: the portal runs on PostgreSQL "
            f"({example}) or SQLite (sqlite:////var/lib/empreinte/empreinte.db)"
        )


#: The contacts the privacy notice and the accessibility statement give to everyone.
PUBLISHED_CONTACTS = ("PRIVACY_CONTROLLER_CONTACT", "PRIVACY_CONTACT", "ACCESSIBILITY_CONTACT")
_CONTACT_HOST = re.compile(r"(?:@|://)([A-Za-z0-9.-]+)")


def _production_contacts(value):
    """An example address copied from the README (dpo@example.org) would give staff a
    data protection officer, or a way to report a barrier, that reaches nobody."""
    if value("ENV_NAME") != "production":
        return
    for name in PUBLISHED_CONTACTS:
        given = str(value(name) or "")
        hosts = [host.rstrip(".").lower() for host in _CONTACT_HOST.findall(given)]
        example = next((host for host in hosts if is_example_host(host)), None)
        if example:
            yield (
                f"{name}={given!r}: {example} is a domain kept for examples (RFC 2606), so "
                "it reaches nobody; give the authority's own address"
            )


def _production_mail_login(value):
    """A mail login sent over the network without STARTTLS crosses it in clear."""
    if value("ENV_NAME") != "production" or not str(value("MAIL_PASSWORD") or "").strip():
        return
    server = str(value("MAIL_SERVER") or "").strip()
    use_tls = str(value("MAIL_USE_TLS") or "").strip().lower() in ("1", "true", "yes", "on")
    if server and not names_this_machine(server) and not use_tls:
        yield (
            f"MAIL_PASSWORD is set for MAIL_SERVER={server!r} without MAIL_USE_TLS=1: the "
            "password would cross the network in clear; set MAIL_USE_TLS=1 (STARTTLS, port "
            "587)"
        )


CHECKS: tuple[Callable, ...] = (
    _environment,
    _production_database,
    _production_contacts,
    _production_mail_login,
    secret_key_problems,
    placeholder_problems,
    public_base_url_problems,
    _integers,
    _numbers,
    _booleans,
    _time_zone,
    _working_hours,
    _mail,
    _accessibility,
    _rate_limits,
    _addresses,
)
