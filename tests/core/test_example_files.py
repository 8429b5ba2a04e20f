"""The example files shipped in `examples/` are what the README's first steps import: the
communes (`app/seed/communes.csv`, loaded without a file), the organisation chart, then
the staff directory, each through its real command."""

from pathlib import Path

from sqlalchemy import func, select

from app.auth.models import User
from app.core.models import Department
from app.extensions import db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_the_example_files_import_through_the_commands(runner):
    assert _run(runner, "reference", "communes").startswith("Communes: 28 created")
    departments = _run(runner, "reference", "departments", str(EXAMPLES / "departments.csv"))
    assert departments == "Departments: 4 created, 0 updated, 0 unchanged."
    staff = _run(runner, "users", "import", str(EXAMPLES / "staff.csv"))
    assert staff == "Done: 5 created, 0 updated, 0 unchanged, 0 reactivated, 0 deactivated."
    assert db.session.scalar(select(func.count()).select_from(Department)) == 4
    lucie = db.session.scalar(select(User).where(User.email == "lucie.dupont@example.org"))
    assert (lucie.display_name, lucie.department.code, lucie.staff_number) == (
        "Lucie Dupont",
        "DNUM",
        "101502",
    )


def test_the_nightly_import_of_the_same_file_changes_nothing(runner):
    _run(runner, "reference", "communes")
    _run(runner, "reference", "departments", str(EXAMPLES / "departments.csv"))
    _run(runner, "users", "import", str(EXAMPLES / "staff.csv"))
    again = _run(runner, "users", "import", str(EXAMPLES / "staff.csv"), "--deactivate-missing")
    assert again.endswith("Done: 0 created, 0 updated, 5 unchanged, 0 reactivated, 0 deactivated.")
