"""The messaging domain."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.dashboard import MenuItem, register_menu_item


def init_app(app: Flask) -> None:
    """Register the blueprint, menu entry, dashboard panel, seeders and listeners."""
    from app.messaging import routes

    app.register_blueprint(routes.bp)
    register_menu_item(app, MenuItem("messaging.index", _l("Messages"), order=40))
