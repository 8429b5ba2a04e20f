"""The portal's Flask class: Flask, with its static files served by version
(`app/core/assets.py`) and its coroutine check remembered."""

from flask import Flask

from app.core.assets import StaticFiles


class PortalFlask(StaticFiles, Flask):
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
