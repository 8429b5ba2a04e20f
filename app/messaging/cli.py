"""Operator commands: `flask messaging dispatch` and `flask messaging deliver`."""

import json
from datetime import datetime

import click
from flask.cli import AppGroup

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.builtins import ensure_builtin_templates

messaging_cli = AppGroup("messaging", help="Send messages.")


@messaging_cli.command("dispatch")
@click.option("--template", "template_key", required=True, help="Template key.")
@click.option("--audience", "audience_key", required=True, help="Audience key, e.g. everyone.")
@click.option("--param", "params", multiple=True, help="Audience parameter NAME=VALUE.")
@click.option("--at", "at", default=None, help="ISO 8601 date-time (with offset) to send at.")
@click.option("--context", default=None, help='Variables context as JSON, e.g. {"campaign_id": 3}.')
@click.option("--send", is_flag=True, help="Deliver now, in this process, and print counts.")
def dispatch_command(template_key, audience_key, params, at, context, send):
    """Create a dispatch (and with --send deliver it at once)."""
    now = utcnow()
    ensure_builtin_templates()
    template = services.template_by_key(template_key)
    if template is None:
        raise click.ClickException(f"No template with key {template_key!r}.")
    due = now
    if at:
        try:
            due = datetime.fromisoformat(at)
        except ValueError as error:
            raise click.ClickException(f"--at: not an ISO 8601 date-time: {at}") from error
        if due.tzinfo is None:
            raise click.ClickException("--at needs a time zone offset, e.g. +01:00.")
        if due <= now:
            raise click.ClickException("--at is in the past.")
    try:
        parsed = dict(p.split("=", 1) for p in params)
        ctx = json.loads(context) if context else {}
    except ValueError as error:
        raise click.ClickException("--param is NAME=VALUE; --context is JSON.") from error
    try:
        if services.audience_size(audience_key, parsed, now) == 0:
            raise click.ClickException("This audience is empty: nothing to send.")
        dispatch = services.create_dispatch(template, audience_key, parsed, due, now, context=ctx)
    except services.MessagingError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Dispatch {dispatch.id} of {template.key} to {audience_key}, due {due.isoformat()}."
    )
    if send:
        if due > now:
            raise click.ClickException("--send delivers now; leave out --at.")
        counts = jobs.run_dispatch(dispatch.id, wait_for_leases=True)
        click.echo(json.dumps({"dispatch": dispatch.id, "counts": counts}, sort_keys=True))


@messaging_cli.command("deliver")
def deliver_command():
    """Deliver every due dispatch now (resumes an interrupted one), then print counts."""
    ensure_builtin_templates()
    db.session.commit()
    count = jobs.deliver_due(wait_for_leases=True)
    click.echo(f"{count} dispatch(es) processed.")
