"""An erasure leaves nothing that leads back to the person: the name of an API token made
at the command line ("Raphael perso laptop") stayed in the audit log, its page, its CSV and
its search; a staff number changed by an admin too; the detached clean-up participations
were stamped with the erasure's moment, and so was a catalogue request it withdrew, the very
millisecond of the account's anonymisation; the person's tokens stayed, revoked, dated."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.auth.models import ApiToken, User
from app.catalogue import services as catalogue
from app.catalogue.models import CatalogueRequest
from app.cleanup import queries
from app.cleanup import services as cleanup
from app.cleanup.models import CleanupCampaign, CleanupParticipant
from app.core.admin_services import set_staff_number
from app.core.audit import ERASED_TEXT, AuditEvent
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from tests.catalogue.conftest import make_item  # noqa: F401 - the withdrawn request's item
from tests.cleanup.conftest import make_campaign  # noqa: F401 - the campaign joined
from tests.conftest import login

TOKEN_NAME = "Raphael perso laptop"


def _admin_sees(client, make) -> tuple[str, str, str]:
    """The audit page, its CSV and its search for "Raphael", as an admin reads them."""
    login(client, make.user(roles=("admin",), locale="en"))
    page = client.get("/admin/audit").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get("/admin/audit.csv").text)))
    found = client.get("/admin/audit?text=Raphael").get_data(as_text=True)
    return page, " ".join(" ".join(row) for row in rows), found


@pytest.fixture
def raphael(make):
    return make.user(email="raphael.morel@example.org", display_name="Raphaël Morel")


def test_a_token_made_at_the_command_line_names_its_owner_in_the_log(runner, raphael):
    result = runner.invoke(args=["tokens", "create", raphael.email, "--name", TOKEN_NAME])
    assert result.exit_code == 0, result.output
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "create_token")).one()
    assert (event.summary, event.subject_user_id) == (TOKEN_NAME, raphael.id)


def test_the_erasure_takes_the_tokens_name_out_of_the_log_page_csv_and_search(
    runner, client, make, raphael
):
    assert (
        runner.invoke(args=["tokens", "create", raphael.email, "--name", TOKEN_NAME]).exit_code == 0
    )
    token_id = db.session.scalar(select(ApiToken.id))
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code == 0
    result = runner.invoke(args=["privacy", "erase", raphael.email, "--yes"])
    assert result.exit_code == 0, result.output
    page, spreadsheet, found = _admin_sees(client, make)
    for shown in (page, spreadsheet, found):
        assert "perso laptop" not in shown
    assert "No event matches these filters." in found
    # The events stay, as the administration's record: created, revoked, erased.
    stored = db.session.execute(
        select(AuditEvent.action, AuditEvent.summary, AuditEvent.subject_user_id)
        .where(AuditEvent.action.in_(("create_token", "revoke_token")))
        .order_by(AuditEvent.id)
    ).all()
    assert stored == [("create_token", ERASED_TEXT, None), ("revoke_token", ERASED_TEXT, None)]
    assert page.count("Text erased with the person&#39;s data") == 2


def test_a_staff_number_changed_by_an_admin_goes_with_the_person(client, make, raphael):
    admin = make.user(roles=("admin",))
    now = utcnow()
    set_staff_number(admin, raphael, "S13", now)
    set_staff_number(admin, raphael, "N3001", now)
    db.session.commit()
    erase_user(raphael, now + timedelta(minutes=1))
    db.session.commit()
    summaries = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "change_staff_number")
    ).all()
    assert summaries == [ERASED_TEXT, ERASED_TEXT]
    page, spreadsheet, _found = _admin_sees(client, make)
    assert "N3001" not in page and "N3001" not in spreadsheet and "S13" not in spreadsheet


def test_another_persons_events_keep_their_text(runner, make, raphael):
    other = make.user()
    assert runner.invoke(args=["tokens", "create", other.email, "--name", "nightly"]).exit_code == 0
    erase_user(raphael, utcnow())
    db.session.commit()
    assert db.session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "create_token")
    ) == ("nightly")


def test_the_erasure_deletes_the_persons_tokens(runner, make, raphael):
    for name in ("one", "two"):
        assert (
            runner.invoke(args=["tokens", "create", raphael.email, "--name", name]).exit_code == 0
        )
    kept = make.user()
    assert runner.invoke(args=["tokens", "create", kept.email, "--name", "one"]).exit_code == 0
    erase_user(raphael, utcnow())
    db.session.commit()
    assert db.session.scalars(select(ApiToken.user_id)).all() == [kept.id]


@pytest.fixture
def running(make_campaign):  # noqa: F811
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


def _participation(user_id: int | None = None, row_id: int | None = None) -> CleanupParticipant:
    where = CleanupParticipant.id == row_id if row_id else CleanupParticipant.user_id == user_id
    return db.session.scalars(select(CleanupParticipant).where(where)).one()


def test_a_detached_participation_keeps_its_last_logging_time(make, running, raphael):
    now = utcnow()
    cleanup.log_action(raphael, running, "delete-mail", 2, now)
    db.session.commit()
    row = _participation(raphael.id)
    row_id, logged = row.id, row.last_logged_at
    erase_user(raphael, now + timedelta(minutes=3))
    db.session.commit()
    db.session.expire_all()
    detached = _participation(row_id=row_id)
    assert detached.user_id is None
    assert detached.last_logged_at == logged
    assert detached.last_logged_at != db.session.get(User, raphael.id).anonymised_at


def test_a_participation_never_stamped_stays_unstamped(make, running, raphael):
    now = utcnow()
    cleanup.log_action(raphael, running, "delete-mail", 2, now)
    db.session.execute(update(CleanupParticipant).values(last_logged_at=None))
    db.session.commit()
    erase_user(raphael, now)
    db.session.commit()
    assert db.session.scalar(select(CleanupParticipant.last_logged_at)) is None


def test_a_board_already_read_leaves_the_erased_person_out_without_a_stamp(make, running, raphael):
    """Another process's board refreshes at the moved scores_version and reads the
    detached rows: the erased leader takes no rank, without a full recomputation."""
    now = utcnow()
    raphael.leaderboard_visibility = "name"
    cleanup.log_action(raphael, running, "delete-mail", 5, now)
    ada = make.user(leaderboard_visibility="name")
    cleanup.log_action(ada, running, "delete-mail", 1, now)
    db.session.commit()
    board = queries.get_board(running)
    assert queries.ranked_individuals(running) == 2 and board.erased == set()
    computed_at = board.computed_at
    leader = _participation(raphael.id).id
    erase_user(raphael, now)
    db.session.commit()
    campaign = db.session.get(CleanupCampaign, running.id)
    db.session.refresh(campaign)
    refreshed = queries.get_board(campaign)
    assert refreshed.computed_at == computed_at  # refreshed, not recomputed
    assert refreshed.erased == {leader}
    assert queries.ranked_individuals(campaign) == 1
    assert queries.individual_ranks(campaign)(refreshed.points[_participation(ada.id).id]) == 1


def test_a_request_the_erasure_withdraws_is_not_dated_by_it(make, make_item, raphael):  # noqa: F811
    now = utcnow()
    catalogue.add_to_basket(raphael, make_item(), 1, now)
    request = catalogue.submit_basket(raphael, "", now)
    db.session.commit()
    erase_user(raphael, now + timedelta(minutes=2))
    db.session.commit()
    stored = db.session.get(CatalogueRequest, request.id)
    assert (stored.user_id, stored.status, stored.withdrawn_on_erasure) == (None, "withdrawn", True)
    assert stored.decided_at is None
    assert db.session.scalar(select(func.count()).select_from(CatalogueRequest)) == 1
