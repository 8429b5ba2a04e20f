"""A pseudonym a closed campaign's leaderboard still shows (the label kept at its end) is
never drawn again, for anyone: whoever got « Colibri 1233 » after its owner left it would
seem to hold that board's rank 4. Each draw is made to try that pseudonym first."""

import secrets
from datetime import timedelta

import pytest

from app.auth import services as auth_services
from app.cleanup import services as cleanup_services
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import make_campaign  # noqa: F401 - the campaign factory
from tests.conftest import login

KEPT = "Colibri 1233"
FRESH = "Héron 4821"


class Draws:
    """`secrets` for the draw: the closed board's pseudonym first, then a fresh one (the
    session's and the tokens' randomness stays the real one)."""

    def __init__(self, *pseudonyms):
        self.pending = [pseudonym.rsplit(" ", 1) for pseudonym in pseudonyms]

    def choice(self, words):
        return self.pending[0][0]

    def randbelow(self, n):
        _word, number = self.pending.pop(0)
        return int(number) - 1000

    def __getattr__(self, name):
        return getattr(secrets, name)


@pytest.fixture
def closed_board(make, make_campaign):  # noqa: F811
    """A frozen campaign whose board lists its owner as « Colibri 1233 », who has drawn
    another pseudonym since: the label is theirs no more, but the board still shows it."""
    now = utcnow()
    owner = make.user(pseudonym=KEPT, leaderboard_visibility="pseudonym")
    campaign = make_campaign(starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=1))
    cleanup_services.log_action(owner, campaign, "delete-mail", 1, now - timedelta(days=3))
    assert cleanup_services.freeze_campaign(campaign, now)
    auth_services.draw_new_pseudonym(owner)
    db.session.commit()
    assert owner.pseudonym != KEPT
    return campaign


def test_a_new_draw_skips_a_pseudonym_a_closed_board_shows(
    closed_board, client, auth, make, monkeypatch
):
    other = make.user(leaderboard_visibility="pseudonym")
    login(client, other)
    monkeypatch.setattr(auth_services, "secrets", Draws(KEPT, FRESH))
    assert auth.post("/auth/profile/pseudonym").status_code == 302
    db.session.refresh(other)
    assert other.pseudonym == FRESH


def test_a_new_account_never_gets_a_pseudonym_a_closed_board_shows(closed_board, make, monkeypatch):
    monkeypatch.setattr(auth_services, "secrets", Draws(KEPT, FRESH))
    assert auth_services.create_user("new.colleague@example.org").pseudonym == FRESH


def test_a_directory_import_never_gives_a_pseudonym_a_closed_board_shows(
    closed_board, runner, tmp_path, monkeypatch
):
    monkeypatch.setattr(auth_services, "secrets", Draws(KEPT, FRESH))
    path = tmp_path / "directory.csv"
    path.write_text("email,display_name\nnew.colleague@example.org,New Colleague\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert auth_services.find_user_by_email("new.colleague@example.org").pseudonym == FRESH


def test_a_name_kept_on_a_closed_board_is_no_pseudonym_to_skip(make, make_campaign):  # noqa: F811
    """Only labels shown as pseudonyms are skipped: a board that showed a name keeps no
    pseudonym, and the current holders' pseudonyms are skipped as they always were."""
    now = utcnow()
    named = make.user(display_name="Anne Lucas", leaderboard_visibility="name")
    campaign = make_campaign(starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=1))
    cleanup_services.log_action(named, campaign, "delete-mail", 1, now - timedelta(days=3))
    assert cleanup_services.freeze_campaign(campaign, now)
    db.session.commit()
    assert auth_services.pseudonyms_on_closed_boards() == set()


def test_the_profile_says_ended_campaigns_keep_the_pseudonym_of_their_end(client, auth, make):
    person = make.user(leaderboard_visibility="pseudonym", locale="fr")
    login(client, person)
    page = client.get("/auth/profile").get_data(as_text=True).replace("&#39;", "'")
    assert "Les classements des campagnes terminées gardent celui affiché à leur fin." in page
    person.locale = "en"
    db.session.commit()
    page = auth.post("/auth/profile/pseudonym", follow_redirects=True).get_data(as_text=True)
    assert "The leaderboards of campaigns already ended keep the one shown at their end." in page
    assert "but for those of campaigns already ended, which keep the one shown at their end" in page
