"""The app's `flask` commands: a database out of reach said in one line, not a traceback.

`flask db upgrade heads` on a DATABASE_URL whose host is unknown, or whose port nobody
listens on, ended with a traceback of 150 lines, the cause on one of them. Every command
the app provides (its own, Flask-Migrate's `db`) now ends with that one line and exit
status 1, as click does for an error it knows.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup

from app.core.database_errors import database_problem, is_unreachable
from app.extensions import db

#: Marks a command line whose commands are already inside the handler (click's ctx.meta
#: is shared by the contexts of one command line).
_HANDLED = "empreinte.unreachable_database_handled"


class PortalCommands(AppGroup):
    """`app.cli`: Flask's group, whose commands run inside `unreachable_database_said`.

    `flask` (Flask's FlaskGroup) and the test runner both find a command through this
    group's get_command, within the command line's outermost context: the handler is
    registered there, and sees whatever the command raises."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, once the command line's context holds the handler."""
        command = super().get_command(ctx, cmd_name)
        if command is not None and not ctx.meta.get(_HANDLED):
            ctx.meta[_HANDLED] = True
            ctx.with_resource(unreachable_database_said())
        return command


def unreachable_message(error) -> str:
    """One line: the database cannot be reached, what the driver said, where to look."""
    try:
        where = db.engine.url.render_as_string(hide_password=True)
    except RuntimeError:  # outside the app's context: the address unknown here
        where = "DATABASE_URL"
    return f"cannot reach the database at {where} (DATABASE_URL): {database_problem(error)}"


@contextmanager
def unreachable_database_said() -> Iterator[None]:
    """Turn a database out of reach, raised by the command, into click's one-line error."""
    try:
        yield
    except Exception as error:
        if not is_unreachable(error):
            raise
        raise click.ClickException(unreachable_message(error)) from None
