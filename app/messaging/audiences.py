"""Messaging's own variables and audiences, registered in the core registries."""

import base64
import binascii
import functools
from collections.abc import Callable
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.auth.models import ROLES, User, UserRole, role_label
from app.core.i18n import current_language
from app.core.models import communes_by_name, departments_by_name
from app.core.personalisation import (
    Audience,
    AudienceParam,
    Variable,
    audience_namer,
    known_audiences,
    register_audience,
    register_audience_param,
    register_variables,
)
from app.core.signatures import signing_keys
from app.core.urls import database_id
from app.extensions import db
from app.messaging.models import NOTICE_AUDIENCE, TEST_AUDIENCE

UNSUBSCRIBE_SALT = "messaging-unsubscribe"
# The links only an e-mail needs: the inbox copy of a message leaves out their lines.
EMAIL_ONLY_LINKS = ("inbox_url", "unsubscribe_url")
# Audiences chosen for what people did not do (take part in a clean-up campaign): their
# messages encourage, they serve nobody's own business, so they reach only people who
# accept messages (the consent e-mails use), in the inbox as by e-mail. Any other
# audience's message keeps its inbox copy (a notice about one's own device return).
CONSENT_ONLY_AUDIENCES = frozenset({"campaign-non-participants"})


def needs_consent(audience_key: str) -> bool:
    """Whether a message to this audience needs its reader's consent on both channels."""
    return audience_key in CONSENT_ONLY_AUDIENCES


def _legacy_serializer() -> URLSafeSerializer:
    # The links of e-mails sent before links were opaque: the id in clear, signed.
    return URLSafeSerializer(signing_keys(), salt=UNSUBSCRIBE_SALT)


# An unsubscribe link's token: the person's id encrypted, never readable. The former
# token began with the id in base64 (« NjE » is 61), which any reader of a forwarded
# e-mail could decode. AES-SIV is deterministic authenticated encryption: no data kept,
# the same link in every e-mail to a person, a link made before a new SECRET_KEY still
# valid while the former one is in SECRET_KEY_FALLBACKS.
_ID_BYTES = 8
_TOKEN_LENGTH = 32  # base64 of the 16-byte tag and the 8-byte id, without padding


@functools.lru_cache(maxsize=8)
def _cipher(secret: str) -> AESSIV:
    """The cipher a secret key gives unsubscribe links (a key of their own, by HKDF)."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=None, info=UNSUBSCRIBE_SALT.encode()
    ).derive(secret.encode())
    return AESSIV(key)


def _sealed(user_id: int, secret: str) -> str:
    sealed = _cipher(secret).encrypt(user_id.to_bytes(_ID_BYTES, "big"), None)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _opened(token: str, secret: str) -> int | None:
    """The id a token made with this secret key holds; None if it was not made with it."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        plain = _cipher(secret).decrypt(raw, None)
    except (ValueError, binascii.Error, InvalidTag):
        return None
    return int.from_bytes(plain, "big") if len(plain) == _ID_BYTES else None


def unsubscribe_token(user_id: int) -> str:
    """An opaque token standing for the user: unsubscribing needs no sign-in, and the link
    tells nobody who it is for."""
    return _sealed(user_id, signing_keys()[-1])


def user_id_from_token(token: str) -> int | None:
    """The user a link's token stands for: an opaque one, or one of the signed tokens of
    e-mails sent before (their links keep working); None for a token not valid."""
    if len(token) == _TOKEN_LENGTH and "." not in token:
        for secret in reversed(signing_keys()):
            user_id = _opened(token, secret)
            if user_id is not None:
                return user_id
        return None
    try:
        value = _legacy_serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def messaging_variables(users, now: datetime, context: dict) -> dict[int, dict]:
    """first_name, display_name and the links every message carries (no query)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return {
        user.id: {
            "first_name": user.first_name,
            "display_name": user.display_name,
            "unsubscribe_url": f"{base}/messaging/unsubscribe/{unsubscribe_token(user.id)}",
            "inbox_url": f"{base}/messaging/",
            "portal_url": f"{base}/",
        }
        for user in users
    }


def preview_placeholders() -> dict[str, str]:
    """What a preview shows instead of a person's secret links.

    The unsubscribe link works without signing in: shown to an organiser previewing a
    colleague's message, it would let them unsubscribe that colleague. The placeholder
    keeps the shape of the link and is clearly not a working one."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return {"unsubscribe_url": f"{base}/messaging/unsubscribe/…"}


def test_links() -> dict[str, str]:
    """The links a test message carries instead of its author's secret ones: its
    unsubscribe link leads to a page saying it was a test. The real one, in a test
    identical to the message, unsubscribed the organiser who clicked it to try it."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return {"unsubscribe_url": f"{base}/messaging/test-unsubscribe"}


VARIABLES = [
    # Examples no colleague bears (« Camille » was a demo employee's name, and read in a
    # preview for someone else as that colleague's): a surname saying it is an example.
    Variable("first_name", _l("The recipient's first name"), _l("Alex")),
    Variable("display_name", _l("The recipient's full name"), _l("Alex Example")),
    Variable(
        "unsubscribe_url",
        _l("One-click link to stop e-mails"),
        "https://empreinte.example/messaging/unsubscribe/…",
    ),
    Variable("inbox_url", _l("Link to the portal inbox"), "https://empreinte.example/messaging/"),
    Variable("portal_url", _l("Link to the portal"), "https://empreinte.example/"),
]


def _reachable():
    return select(User.id).where(User.active.is_(True), User.anonymised_at.is_(None))


def everyone(now: datetime, params: dict):
    """Every active person."""
    return _reachable()


def _id_param(params: dict, name: str) -> int:
    """An id parameter, ValueError when it cannot name a row (even out of range)."""
    value = database_id(params[name])
    if value is None:
        raise ValueError(name)
    return value


def by_department(now: datetime, params: dict):
    return _reachable().where(User.department_id == _id_param(params, "department_id"))


def by_commune(now: datetime, params: dict):
    return _reachable().where(User.commune_id == _id_param(params, "commune_id"))


def by_role(now: datetime, params: dict):
    role = params["role"]
    if role not in ROLES:
        raise ValueError(role)
    holders = select(UserRole.user_id).where(UserRole.role.in_({role, "admin"}))
    return _reachable().where(User.id.in_(holders))


def department_choices() -> list[tuple[str, str]]:
    return [(str(id_), name) for id_, name in departments_by_name(current_language())]


def commune_choices() -> list[tuple[str, str]]:
    return [(str(id_), name) for id_, name in communes_by_name()]


def role_choices() -> list[tuple[str, str]]:
    return [(role, role_label(role)) for role in ROLES]


PARAMS = (
    AudienceParam(
        "department_id", _l("Department (for the department audience)"), department_choices
    ),
    AudienceParam("commune_id", _l("Commune (for the commune audience)"), commune_choices),
    AudienceParam("role", _l("Role (for the role audience)"), role_choices),
)


def dispatch_audience_namer(reader, dated: bool = True) -> Callable[[str, dict], str]:
    """`audience_namer` for dispatches: a test or a notice to one person is named in words
    ("A test to yourself", "A test to Nora Benali"), not by its key and the person's
    id ("user: 2"), which no organiser picks from a list. Not `dated`: a campaign by its
    name alone, for what was sent or dropped: its dates of today (an extension, an early
    end) were not those of the sending."""
    name_audience = audience_namer()

    def name(key: str, params: dict) -> str:
        if not dated and set(params or {}) == {"campaign_id"}:
            undated = _campaign_named(key, params["campaign_id"])
            if undated is not None:
                return undated
        if key not in (TEST_AUDIENCE, NOTICE_AUDIENCE):
            return name_audience(key, params)
        user_id = database_id((params or {}).get("user_id"))
        if key == TEST_AUDIENCE and reader is not None and user_id == reader.id:
            return gettext("A test to yourself")
        person = db.session.get(User, user_id) if user_id is not None else None
        who = person.display_name if person is not None else gettext("a person no longer here")
        if key == TEST_AUDIENCE:
            return gettext("A test to %(name)s", name=who)
        return gettext("A notice to %(name)s", name=who)

    return name


def _campaign_named(key: str, campaign_id) -> str | None:
    """A campaign audience named with the campaign's name in the reader's language, no
    dates; None when the campaign or the audience is unknown (named as usual then)."""
    from app.cleanup.models import CleanupCampaign

    audience = known_audiences().get(key)
    number = database_id(campaign_id)
    campaign = db.session.get(CleanupCampaign, number) if number is not None else None
    if audience is None or campaign is None:
        return None
    return gettext(
        "%(audience)s: %(values)s",
        audience=str(audience.label),
        values=campaign.name(current_language()),
    )


def init_app(app) -> None:
    """Register messaging's variables, audiences and their parameters."""
    for param in PARAMS:
        register_audience_param(app, param)
    register_variables(app, VARIABLES, messaging_variables)
    register_audience(app, Audience("everyone", _l("Everyone"), everyone))
    register_audience(
        app, Audience("department", _l("A department"), by_department, ("department_id",))
    )
    register_audience(app, Audience("commune", _l("A commune"), by_commune, ("commune_id",)))
    register_audience(app, Audience("role", _l("A role"), by_role, ("role",)))
