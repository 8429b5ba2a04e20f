"""Privacy and administration wiring: export, erasure, retention, audit log, roles."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.api.spec import register_schema
from app.core.dashboard import MenuItem, register_menu_item
from app.core.jobs import register_job


def init_app(app: Flask) -> None:
    """Register the admin pages, the export API, the privacy CLI and the privacy jobs."""
    from app.core import admin_routes, privacy_api, privacy_cli, privacy_models  # noqa: F401
    from app.core.privacy_services import erasure_job, retention_job

    app.register_blueprint(admin_routes.bp)
    app.register_blueprint(privacy_api.bp)
    app.register_blueprint(privacy_cli.bp)
    register_schema(app, "PersonalDataExport", privacy_api.EXPORT_SCHEMA)
    register_menu_item(
        app, MenuItem("admin.audit_log", _l("Administration"), order=90, roles=("admin",))
    )
    register_job(app, "core.erasure", erasure_job, "interval", hours=1)
    register_job(app, "core.retention", retention_job, "cron", hour=3, minute=30)
