"""Empreinte: employee engagement portal for responsible digital practice."""

from pathlib import Path

from flask import Flask

from app.config import Config, check_public_base_url, resolve_secret_key
from app.core.application import PortalFlask
from app.core.settings_check import check_settings
from app.core.urls import BoundedIntConverter


def create_app(config_class: type = Config, **overrides) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, error handlers."""
    app = PortalFlask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(config_class)
    app.config.update(overrides)
    # Before anything uses them (a secret key written to disk).
    check_settings(app.config, instance_path=app.instance_path)
    if app.config["ENV_NAME"] == "production" and "SESSION_COOKIE_SECURE" not in overrides:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = resolve_secret_key(app.config, app.instance_path)
    check_public_base_url(app.config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'empreinte.db'}"
        )
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )

    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)

    from app.core import cache, database, i18n, security, signatures, templating
    from app.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    login_manager.init_app(app)
    babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=lambda: app.config["TIMEZONE"]
    )
    htmx.init_app(app)
    csrf.init_app(app)
    signatures.init_app(app)
    security.init_bearer(app)  # before the limiter: it counts each token's person apart
    limiter.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    cache.init_app(app)
    compress.init_app(app)

    from app.api import routes as api_routes
    from app.auth import routes as auth_routes
    from app.core import (
        audit,  # noqa: F401 - registers the audit table
        bench_routes,
        cli,
        errors,
        mail_cli,
    )
    from app.core import routes as core_routes

    app.register_blueprint(core_routes.bp)
    app.register_blueprint(auth_routes.bp)
    from app.auth import sso

    sso.init_app(app)
    from app.auth import services as auth_services
    from app.core.privacy import register_retention

    register_retention(app, auth_services.purge_sign_in_links)
    register_retention(app, auth_services.purge_ended_sessions)
    register_retention(app, auth_services.purge_revoked_api_tokens)
    from app.core.privacy_services import erase_departed_accounts

    register_retention(app, erase_departed_accounts)
    from app.core.pending_uploads import purge_pending_uploads

    register_retention(app, purge_pending_uploads)
    from app.auth.models import User
    from app.core.audit import ids_named, register_audit_names

    register_audit_names(app, "user", ids_named(User, User.display_name, User.email))
    app.register_blueprint(api_routes.bp)
    app.register_blueprint(cli.bp)
    mail_cli.init_app(app)
    app.register_blueprint(bench_routes.bp)
    errors.init_app(app)

    from app.core import dashboard, trust

    dashboard.init_app(app)

    trust.init_app(app)

    from app import catalogue, cleanup, messaging, recycling

    for domain in (catalogue, cleanup, recycling, messaging):
        domain.init_app(app)
    return app


def _normalise_database_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// forms and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
