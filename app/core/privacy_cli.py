"""Operator commands for privacy: erase a person, run retention now."""

import click
from flask import Blueprint, current_app

from app.auth.services import find_user_by_email
from app.core import privacy_services
from app.core.time import utcnow
from app.extensions import db

bp = Blueprint("privacy_cli", __name__, cli_group="privacy")


@bp.cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Confirm: the erasure cannot be undone.")
def erase(email, yes):
    """Erase a person's personal data and anonymise their account now."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    if not yes:
        raise click.ClickException("Erasure cannot be undone: add --yes to confirm.")
    user_id = user.id
    privacy_services.erase_user(user, utcnow())
    db.session.commit()
    click.echo(f"Account {user_id} erased and anonymised.")


@bp.cli.command("erase-due")
def erase_due():
    """Carry out the erasure requests older than ERASURE_DELAY_DAYS."""
    count = privacy_services.execute_due_erasures(
        utcnow(), current_app.config["ERASURE_DELAY_DAYS"]
    )
    db.session.commit()
    click.echo(f"{count} erasure request(s) carried out.")


@bp.cli.command("retention")
def retention():
    """Apply every retention period now (what the daily job does)."""
    count = privacy_services.apply_retention(utcnow())
    db.session.commit()
    click.echo(f"{count} retention step(s) applied.")
