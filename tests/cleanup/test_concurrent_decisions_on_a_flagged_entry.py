"""Two review decisions sent at the same moment: the second is refused, not taken too.

Each request checked the entry as it first read it, then wrote: two organisers
changing the same rejection to an acceptance both got 200, the audit log kept two
events and the author two notices; an acceptance and a rejection of the same flagged
entry both succeeded. Now a decision holds the entry's author and reads the entry
again before checking it: the second is refused (409) with what happened, once.

The race is played deterministically: the entry is read, the other decision commits in
a session of its own, then this one checks and writes (two threads released by a
barrier passed or failed by the scheduler's timing, and were removed). The 409 answer
the review page then shows is covered in test_changing_a_decision_on_a_flagged_entry.py.

And once a campaign has ended, the refused change no longer offers its button again.
"""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.cleanup import services
from app.cleanup.models import CleanupAction, CleanupCampaign
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Dispatch
from tests.cleanup.conftest import flagged_entry
from tests.cleanup.conftest import send_review as _review
from tests.conftest import login

REASON = "Duplicate of yesterday's entry"
MOVED = "This entry has changed since the page was shown: here it is as it is now."
NOT_WAITING = "This entry was already decided meanwhile:"


def _flagged(client, campaign, author) -> int:
    return flagged_entry(client, campaign, author).id


def _said(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def _events(entry_id) -> list[str]:
    """The decisions the audit log records on the entry, in order."""
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "cleanup_action")
            .where(AuditEvent.object_id == str(entry_id))
            .order_by(AuditEvent.id)
        )
    )


def _notices(entry_id) -> int:
    """The review notices prepared for the entry's author."""
    key = f"entry:{entry_id}:reviewed:%"
    return db.session.scalar(select(func.count(Dispatch.id)).where(Dispatch.dedupe_key.like(key)))


def _decided_meanwhile(app, organiser_id, entry_id, decision, reason="", changing=None) -> None:
    """Another organiser's decision, in a request (a session) of its own, committed."""
    with app.app_context():
        organiser = db.session.get(User, organiser_id)
        entry = db.session.get(CleanupAction, entry_id)
        services.review_action(entry, organiser, decision, reason, utcnow(), changing)
        db.session.commit()
        db.session.remove()


def test_a_change_checks_the_entry_as_it_is_when_it_writes(app, client, make, running):
    """Deterministic, on either database: the entry read, another organiser changes the
    decision and commits, then this one's check and write."""
    entry_id = _flagged(client, running, make.user())
    login(client, make.user(roles=("organiser",)))
    assert _review(client, entry_id, "reject", REASON).status_code == 302
    organiser, other = make.user(roles=("organiser",)), make.user(roles=("organiser",))
    db.session.commit()
    seen = db.session.get(CleanupAction, entry_id)
    assert seen.status == "rejected"

    _decided_meanwhile(app, other.id, entry_id, True, changing="rejected")
    with pytest.raises(services.CleanupError) as refused:
        services.review_action(seen, organiser, True, "", utcnow(), "rejected")
    db.session.rollback()

    assert (refused.value.status, refused.value.code) == (409, "decision_moved")
    assert _events(entry_id) == ["reject", "accept"] and _notices(entry_id) == 2


def test_a_first_decision_checks_the_entry_as_it_is_when_it_writes(app, client, make, running):
    entry_id = _flagged(client, running, make.user())
    organiser, other = make.user(roles=("organiser",)), make.user(roles=("organiser",))
    db.session.commit()
    seen = db.session.get(CleanupAction, entry_id)
    assert seen.status == "flagged"

    _decided_meanwhile(app, other.id, entry_id, False, REASON)
    with pytest.raises(services.CleanupError) as refused:
        services.review_action(seen, organiser, True, "", utcnow())
    db.session.rollback()

    assert (refused.value.status, refused.value.code) == (409, "not_flagged")
    assert db.session.get(CleanupAction, entry_id).status == "rejected"
    assert _events(entry_id) == ["reject"] and _notices(entry_id) == 1


@pytest.mark.parametrize("htmx", [True, False])
def test_a_change_refused_once_the_campaign_ended_offers_no_button(client, make, running, htmx):
    entry_id = _flagged(client, running, make.user())
    login(client, make.user(roles=("organiser",), locale="fr"))
    assert _review(client, entry_id, "reject", REASON).status_code == 302
    campaign = db.session.get(CleanupCampaign, running.id)
    campaign.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.get(f"/cleanup/campaigns/{running.id}/review")  # freezes the results
    assert db.session.get(CleanupCampaign, running.id).frozen_at is not None

    response = _review(client, entry_id, "accept", htmx=htmx, was="rejected")
    if not htmx:
        assert response.status_code == 302
        response = client.get(response.headers["Location"])
    else:
        assert response.status_code == 409
    said = _said(response)
    assert "Les résultats de cette campagne sont figés." in said
    assert ">Accepter</button>" not in said and 'name="was"' not in said
    assert db.session.get(CleanupAction, entry_id).status == "rejected"


def _deleted_meanwhile(app, author_id, entry_id) -> None:
    """The author deletes the entry, in a request (a session) of its own, committed."""
    with app.app_context():
        author = db.session.get(User, author_id)
        services.delete_action(author, db.session.get(CleanupAction, entry_id), utcnow())
        db.session.commit()
        db.session.remove()


def test_a_decision_on_an_entry_its_author_deleted_meanwhile_is_refused(app, client, make, running):
    """The decision read the entry, its author deleted it, then the decision's lock read
    it again: a 500 (the row gone), now a clear refusal."""
    author = make.user()
    entry_id = _flagged(client, running, author)
    organiser = make.user(roles=("organiser",))
    db.session.commit()
    seen = db.session.get(CleanupAction, entry_id)

    _deleted_meanwhile(app, author.id, entry_id)
    with pytest.raises(services.CleanupError) as refused:
        services.review_action(seen, organiser, True, "", utcnow())
    db.session.rollback()

    assert (refused.value.status, refused.value.code) == (404, "deleted")
    assert (
        refused.value.message
        == "Cette saisie a été supprimée entre-temps par la personne qui l'a faite."
    )
    assert db.session.get(CleanupAction, entry_id) is None and _events(entry_id) == []
