"""A review decision taken by mistake can be changed: an organiser who accepted or
rejected a flagged entry had no way back. The review page lists the latest decisions,
each with the same form as the first decision offering the other one; the change is
recorded in the audit log, moves the boards at once and tells the author through the
review notice, as the first decision did. A decision changed meanwhile, the same
decision again, a refused correction and a campaign that has ended are refused, with
nothing changed."""

import html
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.cleanup import queries, services
from app.cleanup.models import CleanupAction, CleanupCampaign
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from tests.cleanup.conftest import Participant
from tests.cleanup.conftest import send_review as _review
from tests.conftest import browser_sign_in, login

REASON = "Duplicate of yesterday's entry"


def _logged(person: Participant, quantity) -> CleanupAction:
    """An entry of deleted mail logged with the form, the newest of the person's."""
    assert person.log("delete-mail", quantity).status_code == 200
    return db.session.scalars(select(CleanupAction).order_by(CleanupAction.id.desc())).first()


def _flagged(client, running, author) -> CleanupAction:
    """12 GB of mail in one entry: above the usual size, flagged for review (120 points)."""
    entry = _logged(Participant(client, running, author), "12")
    assert entry.status == "flagged"
    return entry


def _entry(entry_id) -> CleanupAction:
    db.session.expire_all()
    return db.session.get(CleanupAction, entry_id)


def _organiser(client, make):
    organiser = make.user(roles=("organiser",), locale="en")
    login(client, organiser)
    return organiser


def _said(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def _decided_block(page: str, entry_id: int) -> str:
    """The entry's block among the review page's latest decisions."""
    decided = page.split('id="review-decided"', 1)[1]
    return decided.split(f'id="review-{entry_id}"', 1)[1].split("</section>", 1)[0]


def test_the_review_page_lists_a_decision_with_the_form_to_change_it(client, make, running):
    accepted = _flagged(client, running, make.user())
    rejected = _flagged(client, running, make.user())
    _organiser(client, make)
    _review(client, accepted.id, "accept")
    _review(client, rejected.id, "reject", REASON)

    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}/review").text)
    assert '<h2 id="review-decided">Latest decisions</h2>' in page
    block = _decided_block(page, accepted.id)
    assert re.search(r'data-testid="review-decision">Accepted on [^<]+\.<', block)
    assert 'name="was" value="accepted"' in block
    assert ">Reject</button>" in block and ">Accept</button>" not in block
    block = _decided_block(page, rejected.id)
    assert "Rejected on " in block and f": {REASON}<" in block
    assert 'name="was" value="rejected"' in block
    assert ">Accept</button>" in block and ">Reject</button>" not in block
    # Accepting asks for no reason: the box "(needed to reject)" is the rejection's only.
    assert "needed to reject" not in block and 'name="reason"' not in block
    assert "needed to reject" in _decided_block(page, accepted.id)


def test_an_entry_accepted_by_mistake_is_rejected_and_stops_counting_at_once(client, make, running):
    author = make.user(locale="en")
    entry = _flagged(client, running, author)
    _organiser(client, make)
    _review(client, entry.id, "accept")
    assert queries.get_board(running).points.get(entry.participant_id) == 120  # read, cached

    response = _review(client, entry.id, "reject", REASON, was="accepted")
    assert response.status_code == 302
    changed = _entry(entry.id)
    assert (changed.status, changed.review_reason) == ("rejected", REASON)
    assert queries.get_board(running).points.get(entry.participant_id) is None
    said = _said(client.get(response.headers["Location"]))
    assert "Rejected: its author gets a message with your reason." in said

    login(client, author)
    page = client.get(f"/cleanup/campaigns/{running.id}").text
    assert re.search(r'data-testid="my-points">0<', page)


def test_an_entry_rejected_by_mistake_is_accepted_in_place_with_htmx(client, make, running):
    author = make.user(locale="en")
    entry = _flagged(client, running, author)
    _organiser(client, make)
    _review(client, entry.id, "reject", REASON)

    response = _review(client, entry.id, "accept", htmx=True, was="rejected")
    assert response.status_code == 200
    said = _said(response)
    assert "Accepted: the entry now counts, and its author gets a message." in said
    # The answer is the entry decided, which can be changed back the same way.
    assert 'name="was" value="accepted"' in said and ">Reject</button>" in said
    assert _entry(entry.id).status == "accepted"

    login(client, author)
    page = client.get(f"/cleanup/campaigns/{running.id}").text
    assert re.search(r'data-testid="my-points">120<', page)


def test_the_author_is_told_of_the_new_decision(client, make, running):
    author = make.user(locale="en")
    entry = _flagged(client, running, author)
    _organiser(client, make)
    _review(client, entry.id, "reject", REASON)
    assert jobs.deliver_due() == 1
    _review(client, entry.id, "accept", was="rejected")
    assert jobs.deliver_due() == 1

    login(client, author)
    inbox = html.unescape(client.get("/messaging/").text)
    assert "Your entry counts: Clean-up" in inbox  # the change
    assert "Your entry does not count: Clean-up" in inbox  # the first decision


def test_the_audit_log_records_the_change(client, make, running):
    entry = _flagged(client, running, make.user())
    organiser = _organiser(client, make)
    _review(client, entry.id, "accept")
    _review(client, entry.id, "reject", REASON, was="accepted")
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "cleanup_action", AuditEvent.object_id == str(entry.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id, e.summary) for e in events] == [
        ("accept", organiser.id, ""),
        ("reject", organiser.id, REASON),
    ]


@pytest.mark.parametrize("htmx", [True, False])
def test_changing_to_a_rejection_without_a_reason_is_refused_at_the_field(
    client, make, running, htmx
):
    entry = _flagged(client, running, make.user())
    _organiser(client, make)
    _review(client, entry.id, "accept")

    response = _review(client, entry.id, "reject", "   ", htmx=htmx, was="accepted")
    assert response.status_code == 422
    said = response.get_data(as_text=True)
    assert f'id="reason-{entry.id}-error">Give the participant a reason.<' in said
    assert 'aria-invalid="true"' in said and 'name="was" value="accepted"' in said
    assert _entry(entry.id).status == "accepted"


def test_a_decision_changed_meanwhile_is_not_overturned(client, make, running):
    """Two organisers: one changed the acceptance to a rejection; the other's page still
    offers to reject the accepted entry, and pressing it changes nothing."""
    entry = _flagged(client, running, make.user())
    _organiser(client, make)
    _review(client, entry.id, "accept")
    _review(client, entry.id, "reject", REASON, was="accepted")

    response = _review(client, entry.id, "reject", "Other reason", htmx=True, was="accepted")
    assert response.status_code == 409
    said = _said(response)
    assert "This entry has changed since the page was shown: here it is as it is now." in said
    assert "Rejected on " in said and 'name="was" value="rejected"' in said
    assert _entry(entry.id).review_reason == REASON


def test_the_same_decision_again_is_refused(client, make, running):
    entry = _flagged(client, running, make.user())
    _organiser(client, make)
    _review(client, entry.id, "accept")
    response = _review(client, entry.id, "accept", htmx=True, was="accepted")
    assert response.status_code == 409
    assert "This entry is already accepted." in _said(response)


def test_a_first_decision_form_still_refuses_an_entry_already_decided(client, make, running):
    """A double press of "Accept", then "Reject" from a stale queue: not a change."""
    entry = _flagged(client, running, make.user())
    _organiser(client, make)
    _review(client, entry.id, "accept")
    response = _review(client, entry.id, "reject", REASON, htmx=True)
    assert response.status_code == 409
    assert "This entry was already decided meanwhile:" in _said(response)
    assert _entry(entry.id).status == "accepted"


def test_accepting_again_must_fit_in_the_days_limit(client, make, running):
    """Rejected, the entry left the day's limit (20 GB): its author logged 9 GB more."""
    author = make.user(locale="en")
    entry = _flagged(client, running, author)
    _organiser(client, make)
    _review(client, entry.id, "reject", REASON)
    _logged(Participant(client, running, author), "9")
    _organiser(client, make)

    response = _review(client, entry.id, "accept", htmx=True, was="rejected")
    assert response.status_code == 409
    assert (
        "Accepted now, this entry would pass the daily limit of 20\u00a0GB for this action on "
    ) in _said(response).replace(" GB", "\u00a0GB")
    assert _entry(entry.id).status == "rejected"


def test_an_accepted_correction_changed_to_a_rejection_refuses_the_correction_only(
    client, make, running
):
    """As rejecting it then would have: back to the 1 GB accepted before, still counted."""
    author = make.user()
    person = Participant(client, running, author)
    entry = _logged(person, "1")
    assert person.correct(entry.id, "15").status_code == 200
    _organiser(client, make)
    _review(client, entry.id, "accept")
    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}/review").text)
    assert ">Refuse the correction</button>" in _decided_block(page, entry.id)

    assert _review(client, entry.id, "reject", REASON, was="accepted").status_code == 302
    kept = _entry(entry.id)
    assert (kept.status, kept.quantity, kept.points) == ("accepted", 1, 10)


def test_a_refused_correction_offers_no_change(client, make, running):
    author = make.user()
    person = Participant(client, running, author)
    entry = _logged(person, "1")
    assert person.correct(entry.id, "15").status_code == 200
    _organiser(client, make)
    _review(client, entry.id, "reject", REASON)

    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}/review").text)
    block = _decided_block(page, entry.id)
    assert "Correction refused on " in block and "<form" not in block
    response = _review(client, entry.id, "reject", REASON, htmx=True, was="accepted")
    assert response.status_code == 409
    assert "A refused correction stays refused" in _said(response)


def test_ones_own_entry_is_changed_by_someone_else(client, make, running):
    organiser = make.user(roles=("organiser",), locale="en")
    entry = _flagged(client, running, organiser)
    _organiser(client, make)
    _review(client, entry.id, "accept")
    login(client, organiser)
    response = _review(client, entry.id, "reject", REASON, htmx=True, was="accepted")
    assert response.status_code == 403
    assert _entry(entry.id).status == "accepted"


def test_once_the_campaign_has_ended_a_decision_stands(client, make, running):
    entry = _flagged(client, running, make.user())
    _organiser(client, make)
    _review(client, entry.id, "accept")
    db.session.get(CleanupCampaign, running.id).ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = _review(client, entry.id, "reject", REASON, htmx=True, was="accepted")
    assert response.status_code == 409
    assert "The results of this campaign are frozen." in _said(response)
    assert _entry(entry.id).status == "accepted"
    page = client.get(f"/cleanup/campaigns/{running.id}/review").text
    assert 'id="review-decided"' not in page


def test_an_employee_cannot_change_a_decision(client, make, running):
    entry = _flagged(client, running, make.user())
    _organiser(client, make)
    _review(client, entry.id, "accept")
    login(client, make.user())
    assert _review(client, entry.id, "reject", REASON, was="accepted").status_code == 403
    assert _entry(entry.id).status == "accepted"


def test_the_latest_decisions_read_in_french(client, make, running):
    entry = _flagged(client, running, make.user())
    login(client, make.user(roles=("organiser",), locale="fr"))
    _review(client, entry.id, "accept")
    page = html.unescape(client.get(f"/cleanup/campaigns/{running.id}/review").text)
    assert '<h2 id="review-decided">Dernières décisions</h2>' in page
    block = _decided_block(page, entry.id)
    assert re.search(r'data-testid="review-decision">Acceptée le [^<]+\.<', block)
    assert ">Refuser</button>" in block


def test_an_entry_corrected_since_the_decision_is_back_in_the_queue_not_changed(
    client, make, running
):
    """Its author corrected it upward after the acceptance: flagged again, it waits for a
    first decision; the change form of the page shown before changes nothing."""
    author = make.user()
    person = Participant(client, running, author)
    entry = _logged(person, "1")
    assert person.correct(entry.id, "15").status_code == 200
    _organiser(client, make)
    _review(client, entry.id, "accept")
    person.sign_in(author)
    assert person.correct(entry.id, "18").status_code == 200
    assert _entry(entry.id).status == "flagged"

    _organiser(client, make)
    response = _review(client, entry.id, "reject", REASON, htmx=True, was="accepted")
    assert response.status_code == 409
    said = _said(response)
    assert "This entry has changed since the page was shown" in said
    assert 'data-testid="review-decision">Waiting for review<' in said and "<form" not in said
    assert _entry(entry.id).status == "flagged"


@pytest.mark.browser
def test_a_decision_is_changed_in_place_in_a_browser(page, make, running):
    """In "Latest decisions": the reason typed, "Refuser" answers in place, the entry
    then offering "Accepter", its author's points gone at once."""
    author = make.user()
    entry = services.log_action(author, running, "delete-mail", 15, utcnow())
    services.review_action(entry, make.user(roles=("organiser",)), True, "", utcnow())
    db.session.commit()
    entry_id = entry.id
    browser_sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{running.id}/review")
    page.evaluate("window.stillTheSamePage = true")
    decided = page.locator(f"section.cleanup-review:has(#review-{entry_id})")
    decided.get_by_label("Motif montré à la personne").fill("Une seule boîte")
    decided.get_by_role("button", name="Refuser").click()
    expect(page.locator(":focus")).to_have_text(
        "Refusée\u00a0: la personne reçoit un message avec votre motif."
    )
    expect(decided.get_by_role("button", name="Accepter")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert _entry(entry_id).status == "rejected"
