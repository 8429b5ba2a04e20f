"""An organiser's own flagged entry is decided by another organiser (the review page
offers her no decision on it): her home "To do" panel and the campaign page's link to the
review queue did count it, so that once she had decided the others, home still said
"1 entry to review" and its link opened a page with nothing she could act on."""

from app.auth.models import User
from app.cleanup import services
from app.cleanup.models import CleanupAction, CleanupParticipant
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _to_do(client) -> str:
    """The home page's "To do" panel (English), as text."""
    page = client.get("/").get_data(as_text=True)
    return page.split("To do</h2>", 1)[1].split("</section>", 1)[0]


def _flagged(author, campaign) -> CleanupAction:
    """15 GB of mail in one entry: above the usual size, flagged for review."""
    entry = services.log_action(author, campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    assert entry.status == "flagged"
    return entry


def _organiser(make) -> User:
    return make.user(roles=("organiser",), locale="en")


def test_home_counts_only_the_entries_the_organiser_may_decide(client, make, running):
    campaign = running
    organiser = _organiser(make)
    _flagged(organiser, campaign)
    _flagged(make.user(), campaign)
    login(client, organiser)
    panel = _to_do(client)
    assert "1 entry to review in “Clean-up”" in panel
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Review flagged entries (1)</a>" in page


def test_once_the_others_are_decided_the_campaign_leaves_the_panel(client, make, running):
    campaign = running
    organiser = _organiser(make)
    own = _flagged(organiser, campaign)
    other = _flagged(make.user(), campaign)
    services.review_action(other, organiser, True, "", utcnow())
    db.session.commit()
    login(client, organiser)
    panel = _to_do(client)
    assert "to review" not in panel and f"/cleanup/campaigns/{campaign.id}/review" not in panel
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Review flagged entries</a>" in page
    assert db.session.get(CleanupAction, own.id).status == "flagged"  # still waits for another


def test_another_organiser_counts_both(client, make, running):
    campaign = running
    _flagged(_organiser(make), campaign)
    _flagged(make.user(), campaign)
    login(client, _organiser(make))
    assert "2 entries to review in “Clean-up”" in _to_do(client)


def test_an_admin_follows_the_same_rule(client, make, running):
    campaign = running
    admin = make.user(roles=("admin",), locale="en")
    _flagged(admin, campaign)
    login(client, admin)
    assert "to review" not in _to_do(client)


def test_an_erased_authors_entry_is_counted_as_the_review_page_offers_it(client, make, running):
    campaign = running
    entry = _flagged(make.user(), campaign)
    # What erasure leaves of the author: the participant, no longer linked to anyone.
    participant = db.session.get(CleanupParticipant, entry.participant_id)
    participant.user_id = None
    db.session.commit()
    organiser = _organiser(make)
    assert services.may_decide(organiser.id, None)
    login(client, organiser)
    assert "1 entry to review in “Clean-up”" in _to_do(client)
    review = client.get(f"/cleanup/campaigns/{campaign.id}/review").get_data(as_text=True)
    assert 'data-testid="review-own-entry"' not in review
