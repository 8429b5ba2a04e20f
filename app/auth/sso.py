"""Single sign-on with the authority's identity provider (OpenID Connect).

When OIDC_ISSUER is set, the sign-in page offers "Sign in with my … account". The
provider says who the person is; the staff directory says who works here: the address
the provider vouches for must belong to an active account (created by `flask users
import` or an admin), and no account is ever created on the way in. At the first sign-in
the account keeps the provider's stable identifier (`sub`), which finds it afterwards.

Authlib does the protocol: discovery, state and nonce kept in the session, PKCE, and the
ID token's signature, issuer, audience and expiry checked against the provider's keys.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from sqlalchemy import select

from app.auth.models import User
from app.auth.services import find_user_by_email
from app.extensions import db

_EXTENSION = "authlib.integrations.flask_client"  # where OAuth(app) keeps itself
# The provider does not answer, or answers nonsense.
PROVIDER_FAILURES = (requests.RequestException, ValueError, KeyError)
# The answer is refused: cancelled, a state of another session, a token that does not
# check out (Authlib's own errors, and those of joserfc, which decodes the ID token).
REFUSALS = (AuthlibBaseError, JoseError)


@dataclass
class SignInOutcome:
    user: User | None
    email: str  # as the provider gave it ("" when it gave none)
    verified: bool
    other_identity: bool = False  # the address's account is linked to another `sub`


def init_app(app: Flask) -> None:
    """Register the provider when OIDC_ISSUER is set; one OAuth registry per app."""
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    if not issuer:
        return
    oauth = OAuth(app)
    oauth.register(
        "sso",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPE"], "code_challenge_method": "S256"},
    )


def log_provider_failure(error: Exception) -> None:
    """One WARNING line for a provider that does not answer (or answers nonsense), as for
    the mail server: its class and first line, no traceback (60 lines each click while it
    was away, for an outage that is not the portal's bug)."""
    lines = str(error).strip().splitlines()
    current_app.logger.warning(
        "single sign-on: the identity provider does not answer (%s: %s)",
        type(error).__name__,
        lines[0][:300] if lines else "",
    )


def enabled() -> bool:
    return _EXTENSION in current_app.extensions


def _client():
    return current_app.extensions[_EXTENSION].sso


def redirect_to_provider(callback_url: str):
    """The redirection to the provider's sign-in page (state and nonce saved in the
    session). Raises one of PROVIDER_FAILURES when the provider does not answer."""
    return _client().authorize_redirect(callback_url)


def outcome_of_callback() -> SignInOutcome:
    """Who the provider says signed in, and their account if they may use the portal.

    Raises one of REFUSALS when the answer is refused, one of PROVIDER_FAILURES when
    the provider does not answer.
    """
    client = _client()
    token = client.authorize_access_token()
    claims = token.get("userinfo") or {}
    if not claims.get("email"):  # some providers give the address at userinfo only
        claims = client.userinfo(token=token)
    email = str(claims.get("email") or "").strip()
    # Providers that say nothing of verification vouch for their own directory's address.
    verified = claims.get("email_verified") is not False
    subject = str(claims.get("sub") or "")
    if len(subject) > 255 or not subject.isprintable():  # beyond what OIDC allows a sub
        subject = ""
    user = _account_of_subject(subject)
    if user is None and email and verified:
        user = find_user_by_email(email)
        if user is not None and user.sso_subject and user.sso_subject != subject:
            return SignInOutcome(None, email, verified, other_identity=True)
        if user is not None and user.is_active and subject:
            user.sso_subject = subject  # from now on, found by it (committed on sign-in)
    if user is not None and not user.is_active:
        user = None
    return SignInOutcome(user, email, verified)


def _account_of_subject(subject: str) -> User | None:
    """The account that signed in before with this identity of the provider: found again
    even after the provider changed the person's address."""
    if not subject:
        return None
    return db.session.scalar(select(User).where(User.sso_subject == subject))


def provider_sign_out_url(back_to: str) -> str | None:
    """The provider's sign-out page (RP-initiated logout), which sends the person back to
    `back_to`; None when the provider has none or does not answer. On a shared computer,
    signing out of the portal alone would let the next person in as the previous one."""
    client = _client()
    try:
        endpoint = client.load_server_metadata().get("end_session_endpoint")
    except PROVIDER_FAILURES as error:
        log_provider_failure(error)
        return None
    if not endpoint:
        return None
    query = urlencode({"client_id": client.client_id, "post_logout_redirect_uri": back_to})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
