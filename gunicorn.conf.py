"""gunicorn's settings for the portal, read from the directory it starts in (`gunicorn
wsgi:app`, README "Services"): the command line still gives the workers and the address.

The settings are checked in the master, before any worker starts: a setting the portal
cannot use stops gunicorn with status 3 and the message alone. Checked only in each worker
(`wsgi.py`), two workers failing at once sometimes made the master exit with status 1 and
a `HaltServer` traceback, where the service manager reads status 3 the other times.
"""

import sys

#: gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR, the status `wsgi.py` exits with as well.
SETTINGS_ERROR_STATUS = 3


def on_starting(server) -> None:
    from app.config import Config
    from app.core.settings_check import SettingsError, check_settings

    config = {name: getattr(Config, name) for name in dir(Config) if name.isupper()}
    try:
        check_settings(config)
    except SettingsError as error:
        print(error, file=sys.stderr, flush=True)
        sys.exit(SETTINGS_ERROR_STATUS)
