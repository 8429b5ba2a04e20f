"""Forms sent again: the new-campaign form sent twice (Back then Create) creates one
campaign, and an entry deleted in another tab is said to be deleted, not a 404."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cleanup import services
from app.cleanup.models import CleanupActionType, CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import post_new_campaign
from tests.conftest import csrf_token, login

HTMX = {"HX-Request": "true"}


def _campaigns() -> int:
    return db.session.scalar(select(func.count()).select_from(CleanupCampaign))


def _form_token(client) -> str:
    """The token of the new-campaign form as the page shows it."""
    page = client.get("/cleanup/campaigns/new").get_data(as_text=True)
    return re.search(r'name="form_token"[^>]*value="([^"]+)"', page).group(1)


def test_the_same_campaign_form_sent_twice_creates_one_campaign(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    token = _form_token(client)
    first = post_new_campaign(client, form_token=token)
    again = post_new_campaign(client, form_token=token)  # Back, then Create again
    assert _campaigns() == 1
    assert again.status_code == 302 and again.location == first.location
    landed = client.get(again.location).get_data(as_text=True)
    assert "This campaign was already created: here it is." in html.unescape(landed)


def test_two_campaign_forms_create_two_campaigns(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    first = post_new_campaign(client, form_token=_form_token(client))
    second = post_new_campaign(client, form_token=_form_token(client), name_en="Autumn")
    assert _campaigns() == 2 and first.location != second.location


def test_the_same_answers_in_a_form_shown_again_give_the_first_draft(client, make):
    """Back reloads the form (a new token), then Create with the same answers."""
    login(client, make.user(roles=("organiser",), locale="en"))
    first = post_new_campaign(client, form_token=_form_token(client))
    again = post_new_campaign(client, form_token=_form_token(client))
    assert _campaigns() == 1
    assert again.status_code == 302 and again.location == first.location
    landed = html.unescape(client.get(again.location).get_data(as_text=True))
    assert (
        "You created this same campaign a moment ago: here is its draft. To create another one, change at least its name or its dates."
        in landed
    )


def test_the_same_answers_from_another_organiser_create_their_own_draft(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    post_new_campaign(client, form_token=_form_token(client))
    login(client, make.user(roles=("organiser",), locale="en"))
    post_new_campaign(client, form_token=_form_token(client))
    assert _campaigns() == 2


def test_the_same_answers_after_the_repeat_window_create_a_second_draft(make, action_types):
    organiser = make.user(roles=("organiser",))
    now = utcnow()
    data = _campaign_data(now)
    services.create_campaign_from_form(organiser, data, now, "first-form", services.REPEAT_WINDOW)
    later = now + services.REPEAT_WINDOW + timedelta(minutes=1)

    _campaign, created = services.create_campaign_from_form(
        organiser, data, later, "second-form", services.REPEAT_WINDOW
    )

    db.session.commit()
    assert created and _campaigns() == 2


def _campaign_data(now) -> dict:
    first_type_id = db.session.scalar(select(func.min(CleanupActionType.id)))
    return {
        "name_fr": "Printemps",
        "name_en": "Spring",
        "description_fr": "",
        "description_en": "",
        "starts_at": now + timedelta(days=100),
        "ends_at": now + timedelta(days=121),
        "all_departments": True,
        "department_ids": [],
        "goals": {"GB": 0.0, "items": 0.0, "devices": 0.0, "participants": 0.0},
        "rules": [{"action_type_id": first_type_id, "points_per_unit": 10.0, "daily_cap": 20.0}],
    }


def _entry_urls(page: str, entry_id: int) -> tuple[str, str]:
    """The correction's and the deletion's addresses of an entry, as the page has them."""
    correct, delete = (
        html.unescape(re.search(rf'action="([^"]*/actions/{entry_id}/{verb}[^"]*)"', page)[1])
        for verb in ("correct", "delete")
    )
    return correct, delete


def _points(page: str) -> str:
    return re.search(r'data-testid="my-points">([^<]*)<', page).group(1)


@pytest.fixture
def two_tabs(participant, make):
    """An entry deleted in tab A while tab B still lists it: (participant, its id, tab
    B's correction and deletion addresses); another entry (10 points) stays."""
    participant.sign_in(make.user(locale="en"))
    kept = services.log_action(participant.user, participant.campaign, "delete-mail", 1, utcnow())
    gone = services.log_action(participant.user, participant.campaign, "delete-mail", 2, utcnow())
    db.session.commit()
    gone_id = gone.id
    assert kept.points == 10
    urls = _entry_urls(participant.page(), gone_id)  # tab B
    assert participant.delete(gone_id).status_code == 302  # tab A
    return participant, gone_id, urls


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-script"])
@pytest.mark.parametrize("verb", ["correct", "delete"])
def test_an_entry_deleted_in_another_tab_is_said_deleted(two_tabs, htmx, verb):
    participant, gone_id, (correct_url, delete_url) = two_tabs
    url = correct_url if verb == "correct" else delete_url
    data = {"csrf_token": csrf_token(participant.client), "quantity": "3"}
    response = participant.client.post(url, data=data, headers=HTMX if htmx else {})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert ("<html" in page) is not htmx
    status = re.search(r'id="progress-status"[^>]*>([^<]*)<', page).group(1)
    assert status == "This entry has already been deleted."
    assert f'id="entry-{gone_id}"' not in page and _points(page) == "10"


def test_another_persons_entry_stays_a_404_like_a_missing_one(participant, make):
    """A page's mark proves an entry was one's own: not another person's, nor a missing id."""
    other = services.log_action(make.user(), participant.campaign, "delete-mail", 1, utcnow())
    mine = services.log_action(participant.user, participant.campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    other_id, mine_id = other.id, mine.id
    _correct, delete_url = _entry_urls(participant.page(), mine_id)
    data = {"csrf_token": csrf_token(participant.client)}
    for entry_id in (other_id, mine_id + 1000):
        for url in (
            f"/cleanup/actions/{entry_id}/delete",
            delete_url.replace(f"/actions/{mine_id}/", f"/actions/{entry_id}/"),
        ):
            for headers in (HTMX, {}):
                response = participant.client.post(url, data=data, headers=headers)
                assert response.status_code == 404, url
