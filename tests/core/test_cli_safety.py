"""Operator commands that could quietly weaken a deployment: `users create` with a
password the profile form would refuse, or typed where the shell keeps it; `privacy
erase` of the last admin or of the only agent of open collection points."""

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.core.test_only_agent_of_a_point import agent, make_point

PASSPHRASE = "a long passphrase"


def account(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def test_users_create_refuses_a_password_shorter_than_the_profile_forms(runner):
    result = runner.invoke(args=["users", "create", "a@example.org", "--password", "short"])
    assert result.exit_code != 0 and "10" in result.output
    assert account("a@example.org") is None


def test_users_create_reads_the_password_from_a_hidden_prompt(runner, client, auth):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin", "--password-prompt"],
        input=f"{PASSPHRASE}\n{PASSPHRASE}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSPHRASE not in result.output
    assert auth.sign_in("a@example.org", PASSPHRASE).status_code == 302


def test_users_create_reads_the_password_from_standard_input(runner, client, auth):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--password-stdin"], input=f"{PASSPHRASE}\n"
    )
    assert result.exit_code == 0, result.output
    assert auth.sign_in("a@example.org", PASSPHRASE).status_code == 302


def test_users_create_refuses_a_short_password_from_standard_input(runner):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0 and account("a@example.org") is None


def test_users_create_without_a_password_still_needs_no_terminal(runner):
    result = runner.invoke(args=["users", "create", "a@example.org"])
    assert result.exit_code == 0, result.output
    assert account("a@example.org").password_hash is None


def test_users_create_refuses_two_ways_of_giving_the_password(runner):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--password", PASSPHRASE, "--password-stdin"],
        input=f"{PASSPHRASE}\n",
    )
    assert result.exit_code != 0 and account("a@example.org") is None


def test_users_create_help_says_the_role_repeats_and_names_the_roles(runner):
    result = runner.invoke(args=["users", "create", "--help"])
    text = " ".join(result.output.split())
    assert "repeat" in text and "employee, organiser, agent, admin" in text


def test_users_import_help_names_the_staff_number_column(runner):
    result = runner.invoke(args=["users", "import", "--help"])
    assert "staff_number" in result.output


def test_erasing_the_last_admin_is_done_and_says_how_to_make_another(runner, make):
    admin = make.user(roles=("employee", "admin"))
    result = runner.invoke(args=["privacy", "erase", admin.email, "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.get(User, admin.id).anonymised_at is not None
    assert "no active admin remains" in result.stderr
    assert "flask users create" in result.stderr


def test_erasing_an_admin_while_another_remains_gives_no_warning(runner, make, smtp):
    """(The mail server answers: the person's confirmation leaves, nothing to warn of.)"""
    make.user(roles=("employee", "admin"))
    admin = make.user(roles=("employee", "admin"))
    result = runner.invoke(args=["privacy", "erase", admin.email, "--yes"])
    assert result.exit_code == 0 and result.stderr == ""


def test_erasing_the_only_agent_of_open_points_names_those_points(runner, make):
    only, other = agent(make), agent(make)
    make_point(make, "Mairie de Bègles", [only])
    make_point(make, "Mairie de Pessac", [only, other])
    result = runner.invoke(args=["privacy", "erase", only.email, "--yes"])
    assert result.exit_code == 0, result.output
    assert "Mairie de Bègles" in result.stderr and "Pessac" not in result.stderr
