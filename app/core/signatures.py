"""The session cookie and the CSRF token: signed and checked once per process, not per request.

A signed-in person's browser sends the same session cookie with every request until
the session changes. Flask checked its signature each time (two HMACs, base64, zlib,
a new serializer) and Flask-WTF signed the same CSRF token again for each page: about
a tenth of a signed-in page. Each worker now keeps what a cookie it has verified
holds, and the signed form of each CSRF token it has signed.

Nothing is trusted that was not verified: the kept entry is keyed by the exact cookie
text, the one that passed the signature check, and its age is checked at every use
against PERMANENT_SESSION_LIFETIME as Flask does. A new secret key starts a new app,
hence empty stores. The CSRF token has no time limit (WTF_CSRF_TIME_LIMIT = None), so
its signed form stays valid as long as the session's raw token does.
"""

import time

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

_MAX_KEPT = 20_000  # cookies or tokens per worker (a few MB); emptied when full


def _keep(store: dict, key, value) -> None:
    if len(store) >= _MAX_KEPT:
        store.clear()
    store[key] = value


class VerifiedOnceSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, verifying each distinct cookie once per worker."""

    def __init__(self) -> None:
        # cookie text -> (signed at, the payload as JSON text): each request decodes
        # its own copy, so a request changing its session changes nothing kept.
        self._verified: dict[str, tuple[float, str]] = {}

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        kept = self._verified.get(cookie)
        if kept is not None and time.time() - kept[0] <= max_age:
            return self.session_class(self.serializer.loads(kept[1]))
        try:
            data, signed_at = self.get_signing_serializer(app).loads(
                cookie, max_age=int(max_age), return_timestamp=True
            )
        except BadSignature:  # a forged, damaged or expired cookie: a new, empty session
            return self.session_class()
        _keep(self._verified, cookie, (signed_at.timestamp(), self.serializer.dumps(data)))
        return self.session_class(data)

    def save_session(self, app: Flask, session, response) -> None:
        """As Flask does, except for a static file: the same bytes for everyone, kept a
        year by any cache. Flask-Login's after_request reads the session on every answer,
        which made Flask add "Vary: Cookie" (a shared proxy then kept one copy per
        cookie, i.e. none) and refresh a permanent session's cookie on it."""
        if request.endpoint == "static" and not session.modified:
            return
        super().save_session(app, session, response)


class SignedCsrfTokens:
    """The signed form of each session's CSRF token, signed once per worker."""

    def __init__(self, field: str) -> None:
        self._field = field  # Flask-WTF's session key and `g` attribute for the token
        self._signed: dict[str, str] = {}

    def before_request(self) -> None:
        # Not for a static file: no form there, and touching `session` at all (Flask
        # marks it accessed on every use of the proxy) made its answer "Vary: Cookie",
        # which kept shared caches from reusing an immutable file.
        if request.endpoint == "static":
            return
        raw = session.get(self._field)
        signed = self._signed.get(raw) if isinstance(raw, str) else None
        if signed is not None:
            setattr(g, self._field, signed)

    def after_request(self, response):
        signed = g.get(self._field)
        if signed is not None and request.endpoint != "static":
            raw = session.get(self._field)
            if isinstance(raw, str) and self._signed.get(raw) != signed:
                _keep(self._signed, raw, signed)
        return response


def init_app(app: Flask) -> None:
    """Give the app its own session interface and CSRF token store."""
    app.session_interface = VerifiedOnceSessionInterface()
    tokens = SignedCsrfTokens(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    app.before_request(tokens.before_request)
    app.after_request(tokens.after_request)


def signing_keys() -> list[str]:
    """The secret keys a signature may have been made with, oldest first and the current
    one last (the order itsdangerous expects): SECRET_KEY_FALLBACKS, then SECRET_KEY."""
    config = current_app.config
    return [*config.get("SECRET_KEY_FALLBACKS", ()), config["SECRET_KEY"]]
