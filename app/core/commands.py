"""The app's `flask` commands: a database out of reach said in one line, not a traceback.

`flask db upgrade heads` on a DATABASE_URL whose host is unknown, or whose port nobody
listens on, ended with a traceback of 150 lines, the cause on one of them. Every command
the app provides (its own, Flask-Migrate's `db`) now ends with that one line and exit
status 1, as click does for an error it knows. So does a database whose schema is not
this code's (never migrated, or the code upgraded without migrating), before any command
that reads the portal's tables runs (app/core/schema.py); `db` itself still works on it.
"""

import copy
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo

from app.core.database_errors import database_problem, is_unreachable
from app.core.schema import schema_problem
from app.extensions import db

#: Marks a command line whose commands are already inside the handler (click's ctx.meta
#: is shared by the contexts of one command line).
_HANDLED = "empreinte.unreachable_database_handled"
#: Marks a command line whose schema was checked, or that lists commands (`--help`).
_SCHEMA_CHECKED = "empreinte.schema_checked"
_LISTING = "empreinte.listing_commands"
#: The commands that work without the schema: the migrations themselves (on an empty
#: database), the catalogues, the rate limiter's store, the mail relay's test.
SCHEMA_FREE_COMMANDS = frozenset({"db", "translate", "limiter", "mail"})


class PortalCommands(AppGroup):
    """`app.cli`: Flask's group, whose commands run inside `unreachable_database_said`.

    `flask` (Flask's FlaskGroup) and the test runner both find a command through this
    group's get_command, within the command line's outermost context: the handler is
    registered there, and sees whatever the command raises."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands' names, for `--help` or completion: no command runs."""
        ctx.meta[_LISTING] = True
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, once the command line's context holds the handler; one that needs
        the schema checks it first when it runs (not when its help is asked for)."""
        command = super().get_command(ctx, cmd_name)
        if command is not None and not ctx.meta.get(_HANDLED):
            ctx.meta[_HANDLED] = True
            ctx.with_resource(unreachable_database_said())
        if command is None or cmd_name in SCHEMA_FREE_COMMANDS or ctx.meta.get(_LISTING):
            return command
        return _checking_the_schema(command)


def _checking_the_schema(command: click.Command) -> click.Command:
    """`command`, which checks the schema before it runs. A copy: the command objects are
    shared by every app built in one process (the tests' apps)."""
    checking = copy.copy(command)

    def invoke(ctx: click.Context):
        # A group's `users create --help` reaches here with `--help` still to parse.
        asks_help = any(arg in ctx.help_option_names for arg in ctx.args)
        if not (asks_help or ctx.resilient_parsing or ctx.meta.get(_SCHEMA_CHECKED)):
            ctx.meta[_SCHEMA_CHECKED] = True
            _refuse_schema_behind(ctx)
        return command.invoke(ctx)

    checking.invoke = invoke
    return checking


def _refuse_schema_behind(ctx: click.Context) -> None:
    """Stop the command line in one line when the database is not at this code's
    migrations (never migrated, or the code upgraded without `flask db upgrade heads`):
    every command then failed on its first query with a traceback of 90 lines."""
    app = ctx.ensure_object(ScriptInfo).load_app()
    same = current_app and current_app._get_current_object() is app
    with nullcontext() if same else app.app_context(), db.engine.connect() as connection:
        problem = schema_problem(connection)
    if problem:
        raise click.ClickException(problem)


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
