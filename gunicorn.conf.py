"""gunicorn's settings for the portal, read from the directory it starts in (`gunicorn
wsgi:app`, README "Services"): the command line still gives the workers and the address.

The settings are checked in the master, before any worker starts: a setting the portal
cannot use stops gunicorn with status 3 and the message alone. Checked only in each worker
(`wsgi.py`), two workers failing at once sometimes made the master exit with status 1 and
a `HaltServer` traceback, where the service manager reads status 3 the other times.
"""

import sys
from pathlib import Path

#: gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR, the status `wsgi.py` exits with as well.
SETTINGS_ERROR_STATUS = 3

# No control socket (gunicorn 25.1 and later, for `gunicornc`, which the portal's operation
# does not use): by default it is made in $HOME/.gunicorn/, and a service user without a
# home logged "Control server error: [Errno 2] …" at every start. Older gunicorns ignore
# the name. To use gunicornc, replace this line with a socket in a directory the service
# user owns: control_socket = "/run/empreinte/gunicorn.ctl" (systemd's RuntimeDirectory=).
control_socket_disable = True


def on_starting(server) -> None:
    from app.config import Config
    from app.core.settings_check import SettingsError, check_settings

    config = {name: getattr(Config, name) for name in dir(Config) if name.isupper()}
    try:
        # The instance folder is the app's (Flask's default, beside the `app` package).
        check_settings(config, instance_path=str(Path(__file__).resolve().parent / "instance"))
    except SettingsError as error:
        print(error, file=sys.stderr, flush=True)
        sys.exit(SETTINGS_ERROR_STATUS)
