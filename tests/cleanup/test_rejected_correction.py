"""A rejected correction refuses the change, not the entry: an accepted 1 GB corrected to
15 GB, flagged and rejected, lost the 10 points already accepted. It now goes back to
1 GB and its 10 points, counted; the author reads why, in "My entries" and in the notice;
the boards follow at once. An entry never accepted is still rejected whole."""

import html
import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select, update

from app.cleanup import queries
from app.cleanup.models import CleanupAction
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Dispatch
from tests.cleanup.conftest import Participant
from tests.cleanup.conftest import send_review as _review
from tests.conftest import login

REASON = "Too much for one mailbox"


@pytest.fixture
def running(client, make, make_campaign):
    """A campaign running since yesterday, its own messages (its launch) set aside."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    db.session.execute(update(Dispatch).values(status="cancelled"))
    db.session.commit()
    return campaign


def _logged(person: Participant, quantity) -> CleanupAction:
    """An entry of deleted mail logged with the form, the newest of the person's."""
    assert person.log("delete-mail", quantity).status_code == 200
    return db.session.scalars(select(CleanupAction).order_by(CleanupAction.id.desc())).first()


def _corrected_upward(client, running, author) -> CleanupAction:
    """`author` logs 1 GB (accepted, 10 points), then corrects it to 15 GB: flagged."""
    person = Participant(client, running, author)
    entry = _logged(person, "1")
    assert (entry.status, entry.points) == ("accepted", 10)
    assert person.correct(entry.id, "15").status_code == 200
    db.session.expire_all()
    assert db.session.get(CleanupAction, entry.id).status == "flagged"
    return entry


def _reject_as_organiser(client, make, entry_id, reason=REASON, htmx=False):
    login(client, make.user(roles=("organiser",), locale="en"))
    return _review(client, entry_id, "reject", reason, htmx)


def _entry(entry_id) -> CleanupAction:
    db.session.expire_all()
    return db.session.get(CleanupAction, entry_id)


def test_rejecting_an_upward_correction_keeps_the_accepted_quantity_and_points(
    client, make, running
):
    entry = _corrected_upward(client, running, make.user())
    assert _reject_as_organiser(client, make, entry.id).status_code == 302

    kept = _entry(entry.id)
    assert (kept.status, kept.quantity, kept.points) == ("accepted", 1, 10)
    assert kept.corrected_from is None and kept.review_reason == REASON


def test_the_authors_score_rank_and_leaderboard_count_the_kept_points_at_once(
    client, make, running
):
    """The boards are cached and were read while the correction waited: the refusal
    moves them, and they equal a full recomputation."""
    author = make.user(locale="en")
    rival = Participant(client, running, make.user())
    _logged(rival, "0.5")  # 5 points: ahead of the author while the correction waits
    entry = _corrected_upward(client, running, author)
    assert queries.get_board(running).points.get(entry.participant_id, 0) == 0  # cached
    _reject_as_organiser(client, make, entry.id)

    login(client, author)
    page = client.get(f"/cleanup/campaigns/{running.id}").text
    assert re.search(r'data-testid="my-points">10<', page)
    assert re.search(r'data-testid="my-rank">1 / 2<', page)
    board = html.unescape(client.get(f"/cleanup/campaigns/{running.id}/leaderboard?me=1").text)
    mine = re.search(r'id="my-row"[^>]*>\s*<td>(\d+)</td><th scope="row">([^<]*)', board)
    points = re.search(r"</th>\s*<td>(\d+)</td>", board[mine.end() :])
    assert (mine.group(1), mine.group(2).strip(), points.group(1)) == (
        "1",
        author.public_name(),
        "10",
    )
    cached = dict(queries.get_board(running).points)
    current_app.extensions["cleanup.boards"].clear()
    assert dict(queries.get_board(running).points) == cached


@pytest.mark.parametrize("htmx", [True, False])
def test_the_organiser_is_told_the_correction_was_refused_and_what_the_entry_keeps(
    client, make, running, htmx
):
    entry = _corrected_upward(client, running, make.user())
    response = _reject_as_organiser(client, make, entry.id, htmx=htmx)
    if not htmx:
        response = client.get(response.headers["Location"])
    said = html.unescape(response.text)
    assert (
        "Correction to 15\u00a0GB refused: the entry keeps 1\u00a0GB (10 points), "
        "and its author gets a message with your reason."
    ) in said


def test_the_review_page_says_rejecting_refuses_only_the_correction(client, make, running):
    """Before deciding, the organiser reads what a rejection leaves; a new unusual entry
    keeps the plain "Reject"."""
    entry = _corrected_upward(client, running, make.user())
    unusual = _logged(Participant(client, running, make.user()), "12")
    login(client, make.user(roles=("organiser",), locale="en"))
    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}/review").text)

    keeps = re.search(r'data-testid="review-refusal-keeps">([^<]*)<', page).group(1)
    assert keeps == (
        "Rejecting refuses this correction only: the entry goes back to 1\u00a0GB "
        "(10 points), as accepted, and keeps counting."
    )
    corrected_block = page.split(f'id="review-{entry.id}"')[1].split("</section>")[0]
    unusual_block = page.split(f'id="review-{unusual.id}"')[1].split("</section>")[0]
    assert ">Refuse the correction</button>" in corrected_block
    assert ">Reject</button>" in unusual_block and "Refuse the correction" not in unusual_block


def test_the_authors_entry_row_says_the_correction_was_refused_and_why(client, make, running):
    author = make.user(locale="en")
    entry = _corrected_upward(client, running, author)
    _reject_as_organiser(client, make, entry.id)

    login(client, author)
    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}").text)
    row = page.split('data-label="Status:">')[1].split("</td>")[0]
    assert row == f"Counted. Your correction was not accepted: {REASON}"


@pytest.mark.parametrize(
    ("locale", "subject", "said", "reason"),
    [
        (
            "en",
            "Your correction was not accepted: Clean-up",
            "to 15\u00a0GB in Clean-up was not accepted. The entry keeps 1\u00a0GB "
            "(10 points), the quantity accepted before.",
            f"Reason: {REASON}",
        ),
        (
            "fr",
            "Votre correction n'a pas été acceptée\u00a0: Nettoyage",
            "à 15\u00a0Go dans la campagne «\u00a0Nettoyage\u00a0» n'a pas été acceptée. "
            "La saisie conserve 1\u00a0Go (10 points), la quantité acceptée auparavant.",
            f"Motif\u00a0: {REASON}",
        ),
    ],
)
def test_the_notice_says_the_correction_was_refused_and_what_the_entry_keeps(
    client, make, running, locale, subject, said, reason
):
    author = make.user(locale=locale)
    entry = _corrected_upward(client, running, author)
    _reject_as_organiser(client, make, entry.id)
    assert jobs.deliver_due() == 1

    login(client, author)
    # As read: a reason in the other language is marked with its `lang` (messaging).
    inbox = html.unescape(re.sub(r"<[^>]+>", "", client.get("/messaging/").text))
    assert subject in inbox and said in inbox and reason in inbox
    assert "ne compte pas" not in inbox and "does not count" not in inbox


def test_a_rejection_refuses_only_the_correction_of_an_accepted_entry(client, make, running):
    """A new unusual entry, and a correction of an entry itself still waiting, never
    counted: rejected whole, as before, their author told it does not count."""
    corrected = _corrected_upward(client, running, make.user())
    newcomer = Participant(client, running, make.user(locale="en"))
    unusual = _logged(newcomer, "12")
    waiting = Participant(client, running, make.user())
    rewritten = _logged(waiting, "11")
    assert waiting.correct(rewritten.id, "13").status_code == 200
    organiser = make.user(roles=("organiser",))
    login(client, organiser)
    for entry in (corrected, unusual, rewritten):
        assert _review(client, entry.id, "reject", REASON).status_code == 302

    decided = [_entry(e.id) for e in (corrected, unusual, rewritten)]
    assert [(e.status, e.quantity) for e in decided] == [
        ("accepted", 1),
        ("rejected", 12),
        ("rejected", 13),
    ]
    jobs.deliver_due()
    newcomer.sign_in(newcomer.user)
    assert "It does not count towards the scores." in html.unescape(client.get("/messaging/").text)


def test_accepting_a_correction_takes_the_new_quantity(client, make, running):
    """What a refusal would keep is said on the page; accepting takes the 15 GB."""
    entry = _corrected_upward(client, running, make.user())
    login(client, make.user(roles=("organiser",), locale="en"))
    queue = client.get(f"/cleanup/campaigns/{running.id}/review").text
    assert 'data-testid="review-refusal-keeps"' in queue
    assert _review(client, entry.id, "accept").status_code == 302

    accepted = _entry(entry.id)
    assert (accepted.status, accepted.quantity, accepted.points) == ("accepted", 15, 150)


def test_the_audit_log_says_which_correction_was_refused(client, make, running):
    """The event keeps the quantity asked, the one kept and the reason (the entry itself
    no longer shows 15 GB)."""
    entry = _corrected_upward(client, running, make.user())
    _reject_as_organiser(client, make, entry.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reject"))
    assert event.summary == f"correction[GB] 15 -> 1; {REASON}"

    login(client, make.user(roles=("admin",), locale="fr"))
    log = html.unescape(client.get("/admin/audit").text)
    assert f"Correction à 15\u00a0Go refusée, la saisie conserve 1\u00a0Go · {REASON}" in log
