"""Operator commands for privacy: erase a person, run retention now."""

import click
from flask import Blueprint, current_app

from app.auth.services import find_user_by_email
from app.core import privacy_services
from app.core.privacy_mail import send_erasure_confirmations
from app.core.time import local_iso, local_zone, utcnow
from app.extensions import db
from app.recycling.queries import open_points_only_staffed_by

bp = Blueprint("privacy_cli", __name__, cli_group="privacy")
# What `flask --help` says of the group (a blueprint's group has no docstring to give it).
bp.cli.help = (
    "Personal data: erase a person now, run the erasures and retention periods due, "
    "list the erasures since a day to carry them out again after a restore."
)
bp.cli.short_help = "Personal data: erase a person, run erasures and retention due."


@bp.cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Confirm: the erasure cannot be undone.")
def erase(email, yes):
    """Erase a person's personal data and anonymise their account now.

    Erasure is the person's right: it is carried out even when they were the last
    admin or the only agent of open collection points, and the command says so.
    """
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    if not yes:
        raise click.ClickException("Erasure cannot be undone: add --yes to confirm.")
    user_id, was_admin = user.id, "admin" in user.roles
    unstaffed = [point.name for point in open_points_only_staffed_by(user_id)]
    confirmation = privacy_services.erase_user(user, utcnow())
    db.session.commit()
    click.echo(f"Account {user_id} erased and anonymised.")
    if confirmation is not None and not send_erasure_confirmations([confirmation]):
        click.echo("Warning: the person could not be told by e-mail (see the log).", err=True)
    if was_admin and not privacy_services.active_admin_ids():
        click.echo(
            "Warning: no active admin remains. Create one with "
            "`flask users create EMAIL --role admin --password-prompt`.",
            err=True,
        )
    if unstaffed:
        names = ", ".join(f"“{name}”" for name in unstaffed)
        click.echo(
            f"Warning: nobody is left to receive returns at the open collection point(s) "
            f"{names}: assign an agent to each or close them at /recycling/admin/points.",
            err=True,
        )


@bp.cli.command("erase-due")
def erase_due():
    """Carry out the erasure requests older than ERASURE_DELAY_DAYS."""
    confirmations = []
    count = privacy_services.execute_due_erasures(
        utcnow(), current_app.config["ERASURE_DELAY_DAYS"], confirmations
    )
    db.session.commit()
    click.echo(f"{count} erasure request(s) carried out.")
    sent = send_erasure_confirmations(confirmations)
    if sent < len(confirmations):
        click.echo(
            f"Warning: {len(confirmations) - sent} person(s) could not be told by e-mail "
            "(see the log).",
            err=True,
        )


@bp.cli.command("retention")
def retention():
    """Apply every retention period now (what the daily job does)."""
    done = privacy_services.apply_retention(utcnow())
    db.session.commit()
    click.echo(f"{len(done)} retention step(s) applied:")
    for domain, counts in done:
        if not counts:
            click.echo(f"  {domain}: done (this step reports no count)")
        for what, count in (counts or {}).items():
            click.echo(f"  {domain}: {count} {what}")


@bp.cli.command("erasures")
@click.option(
    "--since",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day of the backup to restore (YYYY-MM-DD, the portal's time zone).",
)
def erasures(since):
    """List the accounts erased since a day: one line each, its id and when.

    Run it before restoring a backup of that day, keep its output, and give it to
    `flask privacy erase-again` once the backup is restored: the restored database holds
    those people again.
    """
    start = since.replace(tzinfo=local_zone())
    done = privacy_services.list_erasures_since(start)
    for user_id, at in done:
        click.echo(f"{user_id}\t{local_iso(at)}")
    click.echo(f"{len(done)} account(s) erased since {since:%Y-%m-%d}.", err=True)


@bp.cli.command("erase-again")
@click.argument("listing", type=click.File("r", encoding="utf-8"))
@click.option("--yes", is_flag=True, help="Confirm: the erasure cannot be undone.")
def erase_again(listing, yes):
    """Erase again the accounts of a listing made by `flask privacy erasures` (its first
    column, the account's id), after restoring a backup older than those erasures.

    An account already erased is left as it is; nobody is e-mailed again.
    """
    user_ids = []
    for number, line in enumerate(listing, start=1):
        first = line.split("\t")[0].strip()
        if not first:
            continue
        if not first.isdigit():
            raise click.ClickException(f"Line {number}: {first!r} is not an account id.")
        user_ids.append(int(first))
    if not yes:
        raise click.ClickException("Erasure cannot be undone: add --yes to confirm.")
    erased = privacy_services.erase_again(user_ids, utcnow())
    db.session.commit()
    click.echo(
        f"{len(erased)} account(s) erased again, {len(set(user_ids)) - len(erased)} "
        "already erased or not in this database."
    )
