"""Operator commands: accounts, tokens, demo data and translations."""

import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Blueprint, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from app.auth import directory
from app.auth import services as auth_services
from app.auth.forms import PASSWORD_LENGTH
from app.auth.models import ROLES, ApiToken, TokenScope, User, token_scope_label
from app.core import demo, reference
from app.core.audit import record_audit
from app.core.time import utcnow
from app.extensions import db

bp = Blueprint("cli", __name__, cli_group=None)
ROOT = Path(__file__).resolve().parents[2]


@bp.cli.group()
def users():
    """Manage user accounts."""


@users.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    default=["employee"],
    help="A role to give besides employee; repeat it for several (--role admin "
    f"--role organiser). One of: {', '.join(ROLES)}.",
)
@click.option(
    "--password-prompt",
    is_flag=True,
    help="Ask for the password, hidden, twice (nothing in the shell history).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@click.option(
    "--password",
    default=None,
    help="The password itself: it stays in the shell history and shows in `ps`; "
    "prefer --password-prompt or --password-stdin.",
)
@click.option("--department", default=None, help="Department code, e.g. DNUM.")
@click.option("--name", default=None, help="Display name.")
def create_user(email, roles, password_prompt, password_stdin, password, department, name):
    """Create an account (this is how the first admin of a deployment is made).

    Without any password option, the account has no password: its owner signs in with
    a link sent by e-mail (or single sign-on) and may then choose one on their profile.
    A password has at least 10 characters, as on the profile form.
    """
    email = _valid_email(email)
    password = _new_password(password, password_prompt, password_stdin)
    try:
        user = auth_services.create_user(
            email, name, roles=tuple(roles), password=password, department_code=department
        )
    except auth_services.AccountError as error:
        raise click.ClickException(str(error)) from error
    # Audited as /admin/roles audits a role granted (by "System": the command line has no
    # account); an admin made at the command line was otherwise nowhere in the log.
    now = utcnow()
    record_audit(None, "create", "user", user.id, now)
    for role in sorted(user.roles - {"employee"}):
        record_audit(None, "grant_role", "user", user.id, now, f"role={role}")
    db.session.commit()
    click.echo(f"Created {user.email} with roles {', '.join(sorted(user.roles))}.")


def _valid_email(typed: str) -> str:
    """The address as the staff directory's import stores it, or a refusal naming it:
    `users create notanemail` made an account the import would have refused, and
    `users create élodie.françois@…` one whose sign-in links could never be sent."""
    shown = typed.strip()[:80] if typed.strip().isprintable() else "(unreadable)"
    try:
        return auth_services.deliverable_address(typed)
    except auth_services.AddressRefused as refused:
        if str(refused) == "non-ascii":
            raise click.ClickException(
                f"{shown!r} has accented or other non-ASCII letters, which the portal's "
                "e-mails cannot reach (its mail server would need SMTPUTF8): give the "
                "person's plain ASCII address. Nothing was created."
            ) from refused
        raise click.ClickException(
            f"{shown!r} is not a valid e-mail address ({refused.__cause__}). Nothing was created."
        ) from refused


def _new_password(given: str | None, prompt: bool, stdin: bool) -> str | None:
    """The password from the one way it was given (None: an account without one),
    refused when the profile form would refuse it."""
    if (given is not None) + prompt + stdin > 1:
        raise click.UsageError(
            "Give the password one way: --password, --password-prompt or --password-stdin."
        )
    if prompt:
        given = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    elif stdin:
        given = sys.stdin.readline().rstrip("\r\n")
    if given is None:
        return None
    shortest, longest = PASSWORD_LENGTH
    if not shortest <= len(given) <= longest:
        raise click.ClickException(
            f"A password has {shortest} to {longest} characters (as on the profile form); "
            f"this one has {len(given)}. Nothing was created."
        )
    return given


@users.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--deactivate-missing",
    is_flag=True,
    help="Deactivate the people the file no longer lists (not those holding a role).",
)
@click.option(
    "--allow-mass-deactivation",
    is_flag=True,
    help="Deactivate even more than 10% of the active accounts (a real mass departure).",
)
@click.option("--dry-run", is_flag=True, help="Check the file and print the counts; save nothing.")
def import_users(path, deactivate_missing, allow_mass_deactivation, dry_run):
    """Create and update accounts from the staff directory's CSV export.

    Columns: email, display_name, and optionally department (code), commune (INSEE
    code) and staff_number (the matricule: an account is found by it first, so a
    changed address keeps its account), separated by commas or semicolons. Headings are
    read capitals and accents aside, in French too (Courriel, Département, Matricule).
    A file with any error changes nothing;
    every error is listed. With --deactivate-missing, a file that would deactivate more
    than 10% of the active accounts is taken for a partial export and refused, unless
    --allow-mass-deactivation.
    """
    text = _read_utf8(path)
    with force_locale("en"):  # operators' commands speak English
        report = directory.sync_directory(
            text,
            utcnow(),
            deactivate_missing=deactivate_missing,
            allow_mass_deactivation=allow_mass_deactivation,
        )
    if report.mass_deactivation:
        click.echo(
            "If so many people really left, run again with --allow-mass-deactivation.", err=True
        )
    _fail_on_problems(report.problems)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    counts = ", ".join(
        (
            f"{report.created} created",
            f"{report.updated} updated",
            f"{report.unchanged} unchanged",
            f"{report.reactivated} reactivated",
            f"{report.deactivated} deactivated",
        )
    )
    with force_locale("en"):
        # The other counts, when there are any, in the admin page's sentences (ngettext:
        # "1 address of a departed person was given…", not "1 addresses given…").
        notes = report.notes()
    click.echo(" ".join((f"{'Would change' if dry_run else 'Done'}: {counts}.", *notes)))
    _echo_named_changes(report, dry_run)


def _echo_named_changes(report: directory.DirectoryReport, dry_run: bool) -> None:
    """Whom the import deactivates and moves to another department, one per line, every
    one of them (the admin page shows ten): a dry run is read to check that the file
    is the whole staff before anyone loses their access."""
    if report.leaving:
        click.echo(f"{'Would deactivate' if dry_run else 'Deactivated'}:")
        for person in sorted(report.leaving, key=lambda p: p.email):
            click.echo(f"  {person.display_name} <{person.email}>")
    if report.moves:
        click.echo(f"{'Would move' if dry_run else 'Moved'} to another department:")
        for name, address, old, new in sorted(report.moves, key=lambda move: move[1]):
            click.echo(
                f"  {name} <{address}>: {old or 'no department'} -> {new or 'no department'}"
            )


@bp.cli.group("reference")
def reference_group():
    """Reference data a deployment needs first: communes and departments."""


@reference_group.command("communes")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def load_communes(path):
    """Create or update communes by INSEE code: those shipped with the portal (the 28 of
    Bordeaux Métropole), or those of a CSV file.

    Columns: insee_code, name, latitude, longitude (the centre a map shows). A file with
    any error changes nothing; every error is listed. Communes are never deleted.
    """
    with force_locale("en"):  # operators' commands speak English
        if path:
            counts = reference.import_communes(_read_utf8(path), utcnow())
        else:
            counts = reference.sync_communes(utcnow())
    _fail_on_problems(counts.problems)
    db.session.commit()
    click.echo(
        f"Communes: {counts.created} created, {counts.updated} updated, "
        f"{counts.unchanged} unchanged."
    )


@reference_group.command("departments")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_departments(path):
    """Create or update departments by code from a CSV file.

    Columns: code (letters, digits, dot, dash, underscore), name_fr, name_en, and
    optionally commune (INSEE code), separated by commas or semicolons. A file with any
    error changes nothing; every error is listed. Departments are never deleted.
    """
    text = _read_utf8(path)
    with force_locale("en"):  # operators' commands speak English
        counts = reference.import_departments(text, utcnow())
    _fail_on_problems(counts.problems)
    db.session.commit()
    click.echo(
        f"Departments: {counts.created} created, {counts.updated} updated, "
        f"{counts.unchanged} unchanged."
    )


def _read_utf8(path: str) -> str:
    """A CSV file as text (UTF-8, with or without a BOM); any other encoding is refused
    rather than read with replacement characters in people's names."""
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(
            "The file is not UTF-8 text: save it as “CSV UTF-8” in your spreadsheet."
        ) from error


def _fail_on_problems(problems) -> None:
    """Print a file's problems and stop, changing nothing."""
    if not problems:
        return
    db.session.rollback()
    for problem in problems[:50]:
        where = f"line {problem.line}, {problem.column}" if problem.line else "the file"
        click.echo(f"{where}: {problem.message}", err=True)
    if len(problems) > 50:
        click.echo(f"… and {len(problems) - 50} more problems.", err=True)
    raise click.ClickException("Nothing was changed: correct the file and run it again.")


@bp.cli.group()
def tokens():
    """Manage personal API tokens: create, list, revoke."""


@tokens.command("create")
@click.argument("email")
@click.option(
    "--name",
    default="cli",
    help="A name to recognise the token by, which none of the person's active tokens bears.",
)
@click.option(
    "--scope",
    type=click.Choice([scope.value for scope in TokenScope]),
    default=TokenScope.READ.value,
    show_default=True,
    help="What the token may do: read only (GET, HEAD, OPTIONS), or read and write.",
)
def create_token(email, name, scope):
    """Create a token for a user and print it as the last line."""
    user = auth_services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    try:
        with force_locale("en"):  # operators' commands speak English
            _token, raw = auth_services.create_api_token(user, name, scope=scope)
            scope_name = token_scope_label(scope).lower()
    except auth_services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    record_audit(
        None,
        "create_token",
        "user",
        user.id,
        utcnow(),
        _token_summary(_token),
        subject_user_id=user.id,
    )
    db.session.commit()
    click.echo(f"Token for {user.email}, {scope_name} (shown once):")
    click.echo(raw)


def _token_summary(token: ApiToken) -> str:
    """What the audit log keeps of a token made or revoked at the command line (by
    "System"): its name, as the owner's profile lists it, never the token. Typed about the
    person ("Raphael perso laptop"), it is erased with them: the event names its owner."""
    return token.name


def _moment(at) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at is not None else "never"


@tokens.command("list")
@click.argument("email", required=False)
@click.option("--all", "everything", is_flag=True, help="Also list the revoked tokens.")
def list_tokens(email, everything):
    """List the active API tokens, of everyone or of EMAIL's account: id, owner, name,
    scope, when created and last used (the tokens themselves are never stored)."""
    query = select(ApiToken).join(ApiToken.user).order_by(User.email, ApiToken.id)
    if email:
        user = auth_services.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account for {email}.")
        query = query.where(ApiToken.user_id == user.id)
    if not everything:
        query = query.where(ApiToken.revoked_at.is_(None))
    found = db.session.scalars(query).all()
    if not found:
        click.echo("No token." if everything else "No active token.")
        return
    header = ("id", "owner", "name", "scope", "created", "last used")
    rows = [
        (
            str(token.id),
            token.user.email,
            token.name,
            token.scope,
            _moment(token.created_at),
            _moment(token.last_used_at),
            *((f"revoked {_moment(token.revoked_at)}" if token.revoked_at else "active",)
              if everything else ()),
        )
        for token in found
    ]  # fmt: skip
    if everything:
        header = (*header, "state")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@tokens.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
def revoke_token(token_id):
    """Revoke the API token with this id (see `tokens list`): it stops working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No token with id {token_id}.")
    if token.revoked_at is not None:
        click.echo(f"Token {token.id} of {token.user.email} was already revoked.")
        return
    now = utcnow()
    auth_services.revoke_api_token(token.user, token.id, now)
    record_audit(
        None,
        "revoke_token",
        "user",
        token.user_id,
        now,
        _token_summary(token),
        subject_user_id=token.user_id,
    )
    db.session.commit()
    click.echo(f"Token {token.id} “{token.name}” of {token.user.email} revoked.")


@bp.cli.group("demo")
def demo_group():
    """Demo data at the Bordeaux scale."""


@demo_group.command("seed")
@click.option("--employees", type=int, default=None, help="Defaults to DEMO_EMPLOYEES (20,000).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users already.")
@click.option(
    "--i-know-this-is-production",
    "production_confirmed",
    is_flag=True,
    help="Seed even with EMPREINTE_ENV=production (a demonstration server, never a real "
    "portal: it creates admin@demo.empreinte.fr with the password 'demo').",
)
@with_appcontext
def seed(employees, if_empty, production_confirmed):
    """Load the demo data into an empty database (refused in production)."""
    # The demo accounts' password is "demo", the admin's too: on a real portal's empty
    # database (a first deployment), anyone reading the README could sign in as its admin.
    if current_app.config["ENV_NAME"] == "production" and not production_confirmed:
        raise click.ClickException(
            "EMPREINTE_ENV=production: the demo data is not loaded into a production "
            "database (it creates admin@demo.empreinte.fr with the password 'demo'). On a "
            "demonstration server only, add --i-know-this-is-production."
        )
    if not demo.database_is_empty():
        if if_empty:
            click.echo("The database already has data; demo seed skipped.")
            return
        raise click.ClickException("The database is not empty; seed a fresh database.")
    started = time.perf_counter()
    count = employees if employees is not None else current_app.config["DEMO_EMPLOYEES"]
    demo.seed_demo(current_app, count)
    db.session.commit()
    demo.refresh_planner_statistics()
    click.echo(f"Demo data loaded in {time.perf_counter() - started:.1f} s ({count} employees).")


@bp.cli.group()
def translate():
    """Extract, update and compile the translation catalogues (wraps pybabel)."""


# Beyond pybabel's own (gettext, ngettext, pgettext, _ …): the lazy forms the code uses.
EXTRA_KEYWORDS = ("-k", "_l", "-k", "lazy_pgettext:1c,2")


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
        raise click.ClickException("pybabel " + " ".join(args) + " failed")


@translate.command("extract")
def extract():
    """Write messages.pot from the code and templates."""
    _pybabel(
        "extract", "-F", "babel.cfg", *EXTRA_KEYWORDS, "-o", "messages.pot", "--no-location", "."
    )


@translate.command("update")
def update():
    """Extract, then merge new strings into every catalogue; strings the code no longer
    uses are dropped (Git keeps their history)."""
    extract.callback()
    _pybabel(
        "update", "-i", "messages.pot", "-d", "translations", "--no-fuzzy-matching",
        "--ignore-obsolete",
    )  # fmt: skip
    (ROOT / "messages.pot").unlink(missing_ok=True)


@translate.command("compile")
def compile_catalogues():
    """Compile the catalogues into .mo files."""
    _pybabel("compile", "-d", "translations", "--statistics")
