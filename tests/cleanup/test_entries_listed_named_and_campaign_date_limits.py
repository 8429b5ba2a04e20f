"""Entries and campaign dates: all one's entries stay listed after logging, each entry's
controls name their entry, and an ended campaign no longer invites to log."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cleanup import services
from app.cleanup.models import CleanupAction, CleanupCampaign
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import in_days, post_new_campaign, refusal_at
from tests.conftest import csrf_token, login

HTMX = {"HX-Request": "true"}


def _running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))


def _with_entries(make, campaign, count):
    person = make.user(locale="fr")
    now = utcnow()
    for minutes in range(count):
        services.log_action(person, campaign, "delete-mail", 1, now - timedelta(minutes=minutes))
    db.session.commit()
    return person


def _log(client, campaign, path_suffix="", headers=None):
    return client.post(
        f"/cleanup/campaigns/{campaign.id}/actions{path_suffix}",
        data={"action_type": "delete-mail", "quantity": "0.5", "csrf_token": csrf_token(client)},
        headers=headers or {},
    )


def test_logging_while_all_entries_are_shown_keeps_them_all_listed(client, make, make_campaign):
    campaign = _running(make_campaign)
    login(client, _with_entries(make, campaign, 7))
    page = client.get(f"/cleanup/campaigns/{campaign.id}?entries=all").get_data(as_text=True)
    log_url = re.search(r'hx-post="([^"]*/actions[^"]*)"', page).group(1)
    assert "entries=all" in log_url
    answer = _log(client, campaign, "?entries=all", HTMX).get_data(as_text=True)
    assert answer.count('name="quantity" value=') == 8  # the seven, and the new one


def test_without_javascript_a_log_comes_back_to_all_the_entries(client, make, make_campaign):
    campaign = _running(make_campaign)
    login(client, _with_entries(make, campaign, 7))
    answer = _log(client, campaign, "?entries=all")
    assert answer.status_code == 302
    # The action logged stays chosen too (see
    # test_split_entries_chosen_action_and_unchanged_save); the page opens at the answer, by
    # the log form.
    kept = f"/cleanup/campaigns/{campaign.id}?entries=all&action_type=delete-mail#progress-status"
    assert answer.location.endswith(kept)
    latest = f"/cleanup/campaigns/{campaign.id}?action_type=delete-mail#progress-status"
    assert _log(client, campaign).location.endswith(latest)


def test_each_entrys_correction_and_deletion_name_the_entry(client, make, make_campaign):
    """Tabbing through "My entries", each field and button says which entry it is for:
    the action, then when it was logged."""
    campaign = _running(make_campaign)
    login(client, _with_entries(make, campaign, 2))
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    rows = re.findall(r'<tr role="row">\s*<th scope="row" role="rowheader" id="(entry-\d+)">'
                      r"(.*?)</tr>", page, re.S)  # fmt: skip
    assert len(rows) == 2
    for entry, row in rows:
        assert f'id="{entry}-when"' in row
        controls = re.findall(r'<(?:input|button)[^>]*id="(?:quantity|correct|delete)-[^>]*>', row)
        assert len(controls) == 3
        for control in controls:
            assert f'aria-describedby="{entry} {entry}-when"' in control


def test_a_refused_correction_is_described_by_its_error_first(client, make, make_campaign):
    campaign = _running(make_campaign)
    person = _with_entries(make, campaign, 1)
    login(client, person)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    entry_id = re.search(r'id="entry-(\d+)"', page).group(1)
    answer = client.post(
        f"/cleanup/actions/{entry_id}/correct",
        data={"quantity": "abc", "csrf_token": csrf_token(client)},
        headers=HTMX,
    ).get_data(as_text=True)
    field = re.search(rf'<input id="quantity-{entry_id}"[^>]*>', answer).group(0)
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="progress-status entry-{entry_id} entry-{entry_id}-when"' in field
    assert db.session.get(CleanupAction, int(entry_id)).quantity == 1  # nothing changed


def test_an_ended_campaign_without_a_badge_does_not_invite_to_log(client, make, make_campaign):
    now = utcnow()
    ended = make_campaign(starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=9))
    login(client, make.user(locale="fr"))
    page = client.get(f"/cleanup/campaigns/{ended.id}").get_data(as_text=True)
    assert "Aucun badge obtenu dans cette campagne." in page
    assert "enregistrez une première action" not in page
    running = _running(make_campaign)
    page = client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True)
    assert "Pas encore de badge\xa0: enregistrez une première action\xa0!" in page


@pytest.fixture(autouse=True)
def _action_types(action_types):
    """The built-in action types, as the new campaign form creates them."""


def test_a_campaign_of_more_than_90_days_is_refused_at_its_end(client, make):
    """A year typed wrong (2099 for 2026) is told at once, not found in a launch e-mail."""
    login(client, make.user(roles=("organiser",), locale="fr"))
    answer = post_new_campaign(
        client, starts_at=in_days(10, "09:00"), ends_at=in_days(10 + 91, "09:00")
    )
    assert answer.status_code == 422
    assert "Une campagne dure au plus 90 jours" in refusal_at(
        answer.get_data(as_text=True), "ends_at"
    )
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 0


def test_a_start_in_a_past_year_is_refused_at_the_start(client, make):
    """Told at the end ("choose an end by 9 April 2020"), no end could be right."""
    login(client, make.user(roles=("organiser",), locale="fr"))
    answer = post_new_campaign(client, starts_at="2020-01-10T09:00", ends_at=in_days(20, "18:00"))
    assert answer.status_code == 422
    assert "au plus 90 jours" in refusal_at(answer.get_data(as_text=True), "starts_at")
    assert not refusal_at(answer.get_data(as_text=True), "ends_at")


def test_a_start_more_than_a_year_ahead_is_refused_at_the_start(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    answer = post_new_campaign(
        client, starts_at=in_days(400, "09:00"), ends_at=in_days(420, "18:00")
    )
    assert answer.status_code == 422
    assert "Choose a start within a year" in refusal_at(answer.get_data(as_text=True), "starts_at")
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 0


def test_three_weeks_from_next_month_are_accepted(client, make):
    login(client, make.user(roles=("organiser",)))
    answer = post_new_campaign(client, starts_at=in_days(30, "09:00"), ends_at=in_days(51, "18:00"))
    assert answer.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 1


def test_a_draft_whose_start_has_passed_starts_when_published(client, make, make_campaign):
    """The question before publishing says it starts at once: its page then says so too."""
    now = utcnow()
    organiser = make.user(roles=("organiser",), locale="fr")
    draft = make_campaign(
        organiser=organiser,
        publish=False,
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=10),
    )
    login(client, organiser)
    client.post(f"/cleanup/campaigns/{draft.id}/publish", data={"csrf_token": csrf_token(client)})
    db.session.expire_all()
    published = db.session.get(CleanupCampaign, draft.id)
    assert published.published_at is not None
    assert abs(published.starts_at - published.published_at) < timedelta(seconds=1)
    assert published.starts_at > now - timedelta(minutes=1)


def test_an_action_type_that_is_no_number_is_refused_not_an_error(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    answer = post_new_campaign(
        client,
        starts_at=in_days(30, "09:00"),
        ends_at=in_days(51, "18:00"),
        **{"rules-0-action_type_id": "None"},
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "A line names an action type that does not exist (None)." in page
    assert db.session.scalar(select(func.count()).select_from(CleanupCampaign)) == 0
