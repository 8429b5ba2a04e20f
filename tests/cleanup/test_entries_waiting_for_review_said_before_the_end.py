"""An organiser ending a campaign dropped every flagged entry still waiting for review,
told nothing: the end-now question, the campaign page in its last days, the home "To do"
line and the provisional results now say how many wait (and their points, and until when
they can be decided), with the way to the review queue."""

import html
import re
from datetime import timedelta

from sqlalchemy import func, select, update

from app.cleanup import services
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Dispatch
from tests.conftest import csrf_token, login


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).get_data(as_text=True)).replace("\u00a0", " ")


def _with_flagged(make, make_campaign, entries=2, days_left=5):
    """A running campaign with `entries` flagged entries of other people, and an organiser."""
    now = utcnow()
    campaign = make_campaign(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=days_left)
    )
    db.session.execute(update(Dispatch).values(status="cancelled"))
    for _ in range(entries):
        entry = services.log_action(make.user(), campaign, "delete-mail", 15, now)
        assert entry.status == "flagged"
    db.session.commit()
    return campaign, make.user(roles=("organiser",), locale="fr")


def test_the_end_now_question_says_how_many_entries_wait_and_will_not_count(
    client, make, make_campaign
):
    campaign, organiser = _with_flagged(make, make_campaign, entries=23)
    login(client, organiser)
    page = _page(client, f"/cleanup/campaigns/{campaign.id}")
    question = re.search(r'action="[^"]*/end-now"[^>]*data-confirm="([^"]*)"', page).group(1)
    assert "23 saisies attendent encore votre examen : elles ne compteront pas." in question
    # Beside the form, the same words, with the way to the review queue.
    note = re.search(r'data-testid="end-now-waiting">(.*?)</p>', page, re.S).group(1)
    assert "23 saisies attendent encore votre examen" in note
    assert f'href="/cleanup/campaigns/{campaign.id}/review"' in note


def test_one_entry_waiting_is_said_in_the_singular_without_scripts(client, make, make_campaign):
    campaign, organiser = _with_flagged(make, make_campaign, entries=1)
    login(client, organiser)
    data = {"csrf_token": csrf_token(client), "reason": "Migration", "ask_first_after_check": "1"}
    response = client.post(f"/cleanup/campaigns/{campaign.id}/end-now", data=data)
    words = html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")
    assert "1 saisie attend encore votre examen : elle ne comptera pas." in words


def test_nothing_waiting_leaves_the_question_as_it_was(client, make, make_campaign):
    campaign, organiser = _with_flagged(make, make_campaign, entries=0)
    login(client, organiser)
    page = _page(client, f"/cleanup/campaigns/{campaign.id}")
    assert "attend" not in re.search(r'/end-now"[^>]*data-confirm="([^"]*)"', page).group(1)
    assert 'data-testid="end-now-waiting"' not in page


def test_in_its_last_days_the_campaign_page_says_until_when_entries_can_be_decided(
    client, make, make_campaign
):
    campaign, organiser = _with_flagged(make, make_campaign, entries=2, days_left=2)
    login(client, organiser)
    page = _page(client, f"/cleanup/campaigns/{campaign.id}")
    said = re.search(r'data-testid="review-deadline">(.*?)</span>', page, re.S).group(1)
    assert said.startswith("2 saisies attendent une décision : elles peuvent être acceptées")
    assert "jusqu'au " in said and "ne compteront plus ensuite" in said


def test_earlier_in_the_campaign_the_review_link_says_no_deadline(client, make, make_campaign):
    campaign, organiser = _with_flagged(make, make_campaign, entries=2, days_left=10)
    login(client, organiser)
    assert 'data-testid="review-deadline"' not in _page(client, f"/cleanup/campaigns/{campaign.id}")


def test_in_its_last_days_the_home_to_do_line_says_until_when(client, make, make_campaign):
    _campaign, organiser = _with_flagged(make, make_campaign, entries=2, days_left=2)
    login(client, organiser)
    home = _page(client, "/")
    assert re.search(r"2 saisies à examiner dans «\W*Nettoyage\W*», jusqu'au \w+ \d", home)


def test_provisional_results_say_how_many_entries_wait_and_the_points_at_stake(
    client, make, make_campaign
):
    campaign, organiser = _with_flagged(make, make_campaign, entries=3)
    stake = db.session.scalar(
        select(func.sum(CleanupAction.points)).where(CleanupAction.campaign_id == campaign.id)
    )
    assert stake > 0
    login(client, organiser)
    page = _page(client, f"/cleanup/campaigns/{campaign.id}/interim-results")
    said = re.search(r'data-testid="provisional-flagged">(.*?)</p>', page, re.S).group(1)
    stake_words = f"{stake:,}".replace(",", " ")
    assert said.startswith(
        f"3 saisies attendent un examen : acceptées avant la fin, elles ajouteraient "
        f"{stake_words} points."
    )
    assert f'href="/cleanup/campaigns/{campaign.id}/review"' in said
