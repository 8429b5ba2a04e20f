"""Operator commands: accounts, tokens and the demo seed."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.demo import checks_deferred_to_the_end
from app.core.models import Commune, Department
from app.extensions import db


def test_users_create_makes_an_admin_who_can_sign_in(runner, client, auth, make):
    department = make.department(code="DNUM")
    result = runner.invoke(
        args=[
            "users", "create", "first.admin@example.org",
            "--role", "admin", "--password", "a long passphrase", "--department", "DNUM",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "first.admin@example.org"))
    assert user.roles == {"admin", "employee"} and user.department_id == department.id
    assert auth.sign_in("first.admin@example.org", "a long passphrase").status_code == 302


def test_users_create_refuses_a_duplicate_and_an_unknown_department(runner, make):
    make.user(email="taken@example.org")
    assert runner.invoke(args=["users", "create", "taken@example.org"]).exit_code != 0
    result = runner.invoke(args=["users", "create", "new@example.org", "--department", "NOPE"])
    assert result.exit_code != 0 and "NOPE" in result.output


def test_tokens_create_prints_a_working_token_as_last_line(runner, client, make):
    user = make.user()
    result = runner.invoke(args=["tokens", "create", user.email])
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.json["email"] == user.email


def test_demo_seed_loads_communes_departments_staff_and_demo_accounts(runner, auth):
    result = runner.invoke(args=["demo", "seed", "--employees", "150"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Commune.id))) == 28
    assert db.session.scalar(select(func.count(Department.id))) == 60
    town_halls = set(db.session.scalars(select(Department.name_fr)))
    assert {"Mairie du Bouscat", "Mairie d'Eysines", "Mairie de Pessac"} <= town_halls
    assert not {"Mairie de Le Bouscat", "Mairie de Eysines"} & town_halls
    assert db.session.scalar(select(func.count(User.id))) == 154
    passwordless = select(func.count(User.id)).where(User.password_hash.is_(None))
    assert db.session.scalar(passwordless) == 150
    emails = db.session.scalars(select(User.email)).all()
    assert all(email.isascii() and email == email.lower() for email in emails), [
        e for e in emails if not e.isascii()
    ]
    for email in ("employee", "organiser", "agent", "admin"):
        response = auth.sign_in(f"{email}@demo.empreinte.fr", "demo")
        assert response.status_code == 302, email
        auth.sign_out()


def test_demo_seed_does_not_touch_a_database_with_data(runner, make):
    make.user()
    assert runner.invoke(args=["demo", "seed"]).exit_code != 0
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0 and "skipped" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 1


def _keys_and_indexes(table: str) -> set[tuple[str, str]]:
    constraints = db.session.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = CAST(:table AS regclass)"
        ),
        {"table": table},
    ).all()
    indexes = db.session.execute(
        text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table"),
        {"table": table},
    ).all()
    return {tuple(row) for row in [*constraints, *indexes]}


def test_demo_seed_on_postgresql_keeps_every_key_and_index_and_refreshes_statistics(runner):
    """The clean-up actions are loaded with their checks rebuilt after: all come back.
    And right after a bulk load, PostgreSQL would plan with empty tables' estimates."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the checks are set aside, and statistics refreshed, on PostgreSQL only")
    before = _keys_and_indexes("cleanup_action")
    db.session.commit()
    result = runner.invoke(args=["demo", "seed", "--employees", "150"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(text("SELECT count(*) FROM cleanup_action")) > 150
    assert _keys_and_indexes("cleanup_action") == before
    assert len([name for name, _ in before if name.startswith("fk_")]) == 6
    analysed = db.session.scalar(
        text(
            "SELECT count(*) FROM pg_stat_user_tables"
            " WHERE relname = 'catalogue_item' AND last_analyze IS NOT NULL"
            " AND last_vacuum IS NOT NULL"
        )
    )
    assert analysed == 1


def test_a_bulk_load_that_breaks_a_foreign_key_still_fails():
    broken = text("INSERT INTO user_role (user_id, role) VALUES (:nobody, 'employee')").bindparams(
        nobody=999_999
    )
    with pytest.raises(IntegrityError):
        with checks_deferred_to_the_end("user_role"):
            db.session.execute(broken)
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM user_role WHERE user_id = 999999")) == 0
