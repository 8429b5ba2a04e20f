"""A backup restored brings back the people erased after it was taken: `flask privacy
erasures --since DAY` lists, from the audit log, the accounts erased since the backup's
day, and `flask privacy erase-again LISTING --yes` erases them again in the restored
database, without e-mailing them a second time."""

from datetime import UTC, datetime, timedelta

from app.auth.models import User
from app.core.privacy_services import erase_user
from app.extensions import db

NOW = datetime.now(UTC)


def _erased(make, days_ago: int) -> int:
    person = make.user()
    erase_user(person, NOW - timedelta(days=days_ago))
    db.session.commit()
    return person.id


def test_the_listing_names_the_accounts_erased_since_the_day_with_when(runner, make):
    _before = _erased(make, days_ago=10)
    since = _erased(make, days_ago=2)
    day = (NOW - timedelta(days=5)).date().isoformat()
    answer = runner.invoke(args=["privacy", "erasures", "--since", day])
    assert answer.exit_code == 0, answer.output
    [line] = answer.stdout.splitlines()
    user_id, at = line.split("\t")
    assert int(user_id) == since
    assert datetime.fromisoformat(at) == db.session.get(User, since).anonymised_at
    assert "1 account(s) erased since" in answer.stderr


def test_a_day_not_written_as_a_date_is_refused(runner):
    answer = runner.invoke(args=["privacy", "erasures", "--since", "last week"])
    assert answer.exit_code == 2
    assert "YYYY-MM-DD" in answer.output or "%Y-%m-%d" in answer.output


def test_erase_again_erases_the_listed_accounts_a_restore_brought_back(
    runner, make, tmp_path, smtp
):
    erased_already = _erased(make, days_ago=1)
    restored = make.user(email="back.again@example.org")  # as the backup holds them
    listing = tmp_path / "erased.txt"
    listing.write_text(
        f"{restored.id}\t2026-12-01T10:00:00+01:00\n{erased_already}\t2026-12-02T10:00:00+01:00\n",
        encoding="utf-8",
    )
    answer = runner.invoke(args=["privacy", "erase-again", str(listing), "--yes"])
    assert answer.exit_code == 0, answer.output
    assert "1 account(s) erased again, 1 already erased" in answer.output
    person = db.session.get(User, restored.id)
    assert person.anonymised_at is not None and person.email != "back.again@example.org"
    assert smtp.messages == []


def test_erase_again_asks_for_confirmation_and_changes_nothing_without_it(runner, make, tmp_path):
    person = make.user()
    listing = tmp_path / "erased.txt"
    listing.write_text(f"{person.id}\n", encoding="utf-8")
    answer = runner.invoke(args=["privacy", "erase-again", str(listing)])
    assert answer.exit_code == 1
    assert "--yes" in answer.output
    assert db.session.get(User, person.id).anonymised_at is None


def test_erase_again_refuses_a_listing_that_is_not_one(runner, tmp_path):
    listing = tmp_path / "erased.txt"
    listing.write_text("someone@example.org\n", encoding="utf-8")
    answer = runner.invoke(args=["privacy", "erase-again", str(listing), "--yes"])
    assert answer.exit_code == 1
    assert "Line 1" in answer.output
