"""The portal's Flask class: Flask, with its static files served by version
(`app/core/assets.py`), its coroutine check remembered, its commands saying a database
out of reach in one line (`app/core/commands.py`) and its error lines without tokens."""

from flask import Flask, request

from app.core.assets import StaticFiles
from app.core.commands import PortalCommands
from app.core.urls import path_for_logs


class PortalFlask(StaticFiles, Flask):
    def __init__(self, *args, **kwargs):
        """Flask's, with the portal's command group, set before anything adds to it."""
        super().__init__(*args, **kwargs)
        self.cli = PortalCommands(name=self.name)

    def log_exception(self, exc_info) -> None:
        """Flask's line for an error no handler took, its address without the token of a
        sign-in or unsubscribe link (`path_for_logs`)."""
        self.logger.error(
            "Exception on %s [%s]", path_for_logs(request.path), request.method, exc_info=exc_info
        )

    def ensure_sync(self, func):
        """Flask's own, remembered per function: Flask asks it of every hook, view and
        teardown of every request (26 for a page), and each asking inspects the
        function's code flags again to tell a coroutine. None of ours is one."""
        known = self.__dict__.setdefault("_synced", {})
        synced = known.get(func)
        if synced is None:
            if len(known) >= 10_000:  # registered functions number a few hundred
                known.clear()
            synced = known[func] = super().ensure_sync(func)
        return synced
