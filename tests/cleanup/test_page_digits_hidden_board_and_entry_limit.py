"""An organiser's campaign and an employee on a phone: a page
number in other digits, a correction refused after the end, a board whose ranked people
all hid, the limit of "all my entries", a description written in one language only."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from app.cleanup import queries, services
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant
from tests.conftest import csrf_token, login


def _running(make_campaign, **overrides):
    now = utcnow()
    return make_campaign(
        starts_at=now - timedelta(days=5), ends_at=now + timedelta(days=5), **overrides
    )


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_page_number_in_other_digits_shows_the_first_page(client, make, make_campaign):
    """ "²" is a digit to str.isdigit() but not to int(): the leaderboard answered a 500."""
    campaign = _running(make_campaign)
    login(client, make.user())
    for scope in ("individuals", "departments"):
        url = f"/cleanup/campaigns/{campaign.id}/leaderboard?scope={scope}&page=%C2%B2"
        assert client.get(url).status_code == 200


def _ended_after_a_log(participant):
    """The participant's entry, and the campaign ended since the page was opened."""
    participant.sign_in(participant.user)
    participant.log("delete-mail", "2")
    entry_id = db.session.scalar(select(CleanupAction.id).order_by(CleanupAction.id.desc()))
    participant.campaign.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return entry_id


def test_a_correction_refused_after_the_end_says_why(participant, make):
    participant.user = make.user(locale="en")
    entry_id = _ended_after_a_log(participant)
    response = participant.correct(entry_id, "3")
    assert response.status_code == 409
    assert "This campaign has ended: entries can no longer be corrected or deleted." in _text(
        response
    )


def test_a_deletion_refused_after_the_end_says_why_without_javascript(participant, make):
    participant.user = make.user(locale="en")
    entry_id = _ended_after_a_log(participant)
    response = participant.delete(entry_id, htmx=False)
    assert response.status_code == 409
    assert "This campaign has ended: entries can no longer be corrected or deleted." in _text(
        response
    )


def test_a_board_whose_ranked_people_all_hid_does_not_say_nobody_scored(
    client, make, make_campaign
):
    """The only one with points hid: "no counted action yet" stood beside the reader's
    own "rank 1 of 1"."""
    campaign = _running(make_campaign)
    hidden = make.user(locale="en", leaderboard_visibility="hidden")
    services.log_action(hidden, campaign, "delete-mail", 2, utcnow())
    db.session.commit()
    login(client, hidden)
    board = _text(client.get(f"/cleanup/campaigns/{campaign.id}/leaderboard"))
    assert "Your rank: 1 of 1" in board
    assert "Nobody to list yet: everyone with points so far chose not to appear" in board
    assert "No counted action yet." not in board


def test_past_the_limit_all_my_entries_say_only_the_latest_are_listed(client, make, make_campaign):
    """A newsletter at a time, 30 a day: past 100 entries, "all my entries (100)" listed
    the latest 100 as if there were no others."""
    person = make.user(locale="en")
    participant = Participant(client, _running(make_campaign), person)
    now = utcnow()
    for n in range(queries.MY_ACTIONS_LIMIT + 1):  # 25 a day, under the cap of 30
        services.log_action(
            person, participant.campaign, "unsubscribe", 1, now - timedelta(days=n // 25)
        )
    db.session.commit()
    page = html.unescape(participant.page())
    assert "Show my latest 100 entries" in page
    everything = html.unescape(participant.page("?entries=all"))
    assert "Only your latest 100 entries are listed: older ones cannot be corrected" in (everything)


def test_an_english_reader_reads_the_description_written_in_french_only(
    client, make, make_campaign
):
    campaign = _running(
        make_campaign, description_fr="Trois semaines.\nChaque Go compte.", description_en=""
    )
    login(client, make.user(locale="en"))
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}"))
    block = re.search(r'<div[^>]*data-testid="campaign-description"[^>]*>(.*?)</div>', page, re.S)
    assert 'lang="fr"' in block.group(0)
    assert re.findall(r"<p>(.*?)</p>", block.group(1)) == ["Trois semaines.", "Chaque Go compte."]


def test_a_full_review_queue_says_how_many_wait_in_all(client, make, make_campaign, monkeypatch):
    """The queue shows the oldest entries a page holds; it said nothing of the others."""
    monkeypatch.setattr(queries, "REVIEW_LIMIT", 2)
    campaign = make_campaign(
        starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() + timedelta(days=1)
    )
    for _ in range(3):
        services.log_action(make.user(), campaign, "delete-mail", 15, utcnow())
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="en"))
    page = client.get(f"/cleanup/campaigns/{campaign.id}/review").get_data(as_text=True)
    assert (
        "The 2 oldest of 3 entries to review are shown: once they are decided, the next "
        "ones appear here."
    ) in page
    monkeypatch.setattr(queries, "REVIEW_LIMIT", 3)
    page = client.get(f"/cleanup/campaigns/{campaign.id}/review").get_data(as_text=True)
    assert 'data-testid="review-more"' not in page


def test_a_draft_is_not_extended_its_end_is_in_its_form(client, make, make_campaign):
    """Its page offers no extension; a POST made by hand changed a draft's end anyway."""
    draft = make_campaign(publish=False)
    end = draft.ends_at
    organiser = make.user(roles=("organiser",), locale="en")
    login(client, organiser)
    answer = client.post(
        f"/cleanup/campaigns/{draft.id}/extend",
        data={"csrf_token": csrf_token(client), "ends_at": "2099-01-01T10:00"},
        follow_redirects=True,
    )
    assert "This campaign is a draft: change its end in its form." in html.unescape(answer.text)
    db.session.expire_all()
    assert db.session.get(type(draft), draft.id).ends_at == end
