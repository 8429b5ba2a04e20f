"""`flask messaging deliver` prints what the README says it prints: the README promised
"the counts", and the command printed `1 dispatch(es) processed.`, the number of
dispatches it went through (each one's counts are on its page). A real due dispatch, sent
to a real SMTP server."""

from pathlib import Path

from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import services
from app.messaging.models import Dispatch

ROOT = Path(__file__).resolve().parents[2]
PRINTED = "1 dispatch(es) processed."


def test_flask_messaging_deliver_prints_what_the_readme_says(app, make, template, smtp):
    make.user(email="yes@example.org", email_opt_in=True)
    services.create_dispatch(template(), "everyone", {}, utcnow(), utcnow())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["messaging", "deliver"])
    assert result.exit_code == 0, result.output
    assert result.output == PRINTED + "\n"
    assert smtp.recipients() == ["yes@example.org"]
    assert db.session.scalar(select(Dispatch.status)) == "done"
    readme = (ROOT / "README.md").read_text()
    row = next(
        line for line in readme.splitlines() if line.startswith("| `flask messaging deliver`")
    )
    assert f"(`{PRINTED}`)" in row and "print the counts" not in row
