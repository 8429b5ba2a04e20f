"""Operator commands of the recycling domain: `flask recycling …`."""

import click
from flask.cli import AppGroup

from app.recycling import jobs

recycling_cli = AppGroup("recycling", help="Collection points and device returns.")


@recycling_cli.command("close-unbrought")
def close_unbrought():
    """Close the declarations whose device never came (what the daily job does)."""
    closed = jobs.close_unbrought_returns()
    click.echo(f"{closed} declaration(s) closed: the device never came.")
