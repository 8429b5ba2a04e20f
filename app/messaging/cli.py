"""Operator commands: `flask messaging dispatch`, `deliver` and `retry-failed`."""

import json
from datetime import datetime

import click
from flask.cli import AppGroup, ScriptInfo
from flask_babel import force_locale

from app.core.personalisation import known_audiences
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging.builtins import BUILTIN_TEMPLATES, NOTICE_TEMPLATES, ensure_builtin_templates

messaging_cli = AppGroup("messaging", help="Send messages.")

CAMPAIGN_HINT = (
    "Name the campaign: --context '{\"campaign_id\": N}', or an audience of that "
    "campaign, e.g. --audience campaign-scope --param campaign_id=N."
)


def _audience_list() -> list[tuple[str, str]]:
    """Each audience key, with the --param it needs, and its label."""
    rows = []
    with force_locale("en"):  # operators' commands speak English
        for key, audience in sorted(known_audiences().items()):
            needs = " ".join(f"--param {name}=…" for name in audience.params)
            rows.append((f"{key} {needs}".strip(), str(audience.label)))
    return rows


class DispatchCommand(click.Command):
    """`dispatch`, whose help lists this deployment's audiences and built-in templates."""

    def format_epilog(self, ctx, formatter):
        app = ctx.ensure_object(ScriptInfo).load_app()
        with app.app_context():
            audiences = _audience_list()
        with formatter.section("Audiences (--audience)"):
            formatter.write_dl(audiences)
        builtins = sorted(key for key in BUILTIN_TEMPLATES if key not in NOTICE_TEMPLATES)
        with formatter.section("Templates (--template)"):
            formatter.write_text(
                "The built-in ones: " + ", ".join(builtins) + "; and the keys of the "
                "templates written at /messaging/templates. Campaign messages "
                "(campaign-launch, -reminder, -last-48h, -results) need their campaign: "
                "an audience with --param campaign_id=N, or --context '{\"campaign_id\": N}'."
            )


@messaging_cli.command("dispatch", cls=DispatchCommand)
@click.option("--template", "template_key", required=True, help="Template key (listed below).")
@click.option(
    "--audience", "audience_key", required=True, help="Audience key (listed below), e.g. everyone."
)
@click.option("--param", "params", multiple=True, help="Audience parameter NAME=VALUE.")
@click.option("--at", "at", default=None, help="ISO 8601 date-time (with offset) to send at.")
@click.option("--context", default=None, help='Variables context as JSON, e.g. {"campaign_id": 3}.')
@click.option(
    "--send", is_flag=True, help="Deliver now, in this process, and print counts (not with --at)."
)
def dispatch_command(template_key, audience_key, params, at, context, send):
    """Create a dispatch (and with --send deliver it at once).

    Nothing is created unless every check passes: the template may be sent to an
    audience, the audience has people, and a campaign message names its campaign.
    """
    if send and at:
        # Checked before anything is saved: refused after the dispatch was committed,
        # running it again without --at sent the message twice.
        raise click.UsageError("--send delivers now and --at schedules: use one of them.")
    now = utcnow()
    ensure_builtin_templates()
    if audience_key not in known_audiences():
        listed = "; ".join(key for key, _label in _audience_list())
        raise click.ClickException(f"Unknown audience {audience_key!r}. Audiences: {listed}.")
    template = services.template_by_key(template_key)
    if template is None:
        raise click.ClickException(
            f"No template with key {template_key!r}. Templates: "
            + ", ".join(services.schedulable_template_keys())
            + "."
        )
    due = _due(at, now)
    try:
        parsed = dict(p.split("=", 1) for p in params)
        ctx = json.loads(context) if context else {}
    except ValueError as error:
        raise click.ClickException("--param is NAME=VALUE; --context is JSON.") from error
    if not isinstance(ctx, dict):
        raise click.ClickException('--context is a JSON object, e.g. {"campaign_id": 3}.')
    try:
        services.check_schedule(
            template, audience_key, parsed, "at" if at else "now", now, at=due if at else None
        )
        services.require_campaign_named(template, audience_key, parsed, ctx, now)
        dispatch = services.create_dispatch(template, audience_key, parsed, due, now, context=ctx)
    except services.MessagingError as error:
        db.session.rollback()
        hint = f" {CAMPAIGN_HINT}" if error.field == "campaign_id" else ""
        raise click.ClickException(f"{error}{hint}") from error
    db.session.commit()
    click.echo(
        f"Dispatch {dispatch.id} of {template.key} to {audience_key}, due {due.isoformat()}."
    )
    if send:
        counts = jobs.run_dispatch(dispatch.id, wait_for_leases=True)
        click.echo(json.dumps({"dispatch": dispatch.id, "counts": counts}, sort_keys=True))


def _due(at: str | None, now: datetime) -> datetime:
    """When the dispatch is due: now, or the --at moment (with its offset, to come)."""
    if not at:
        return now
    try:
        due = datetime.fromisoformat(at)
    except ValueError as error:
        raise click.ClickException(f"--at: not an ISO 8601 date-time: {at}") from error
    if due.tzinfo is None:
        raise click.ClickException("--at needs a time zone offset, e.g. +01:00.")
    if due <= now:
        raise click.ClickException("--at is in the past.")
    return due


@messaging_cli.command("deliver")
def deliver_command():
    """Deliver every due dispatch now (resumes an interrupted one), then print how many it
    went through; each one's counts by status are on its page (/messaging/dispatches/ID)."""
    ensure_builtin_templates()
    db.session.commit()
    count = jobs.deliver_due(wait_for_leases=True)
    click.echo(f"{count} dispatch(es) processed.")


@messaging_cli.command("retry-failed")
@click.option("--dispatch", "dispatch_id", type=int, default=None, help="Only this dispatch.")
def retry_failed_command(dispatch_id):
    """Send again the e-mails given up (the mail server was down): back to waiting, with
    a fresh count of attempts, for people who still consent. `deliver` (or the
    scheduler) sends them."""
    count = services.retry_failed_emails(utcnow(), dispatch_id)
    db.session.commit()
    # Operator output, in English as the other commands' (no request, no reader's language).
    if count == 1:
        click.echo("1 failed e-mail put back to be sent.")
    else:
        click.echo(f"{count} failed e-mails put back to be sent.")
