"""Entries and campaign forms: a correction sent back to review says so, a page whose
person signed out elsewhere says to sign in again, each answer stands where the person
acted (a deletion in its row's place, without JavaScript too), the review queue's entries
are told apart, counted units stay by their number, and the campaign form tells every
error at once."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from app.cleanup import services
from app.cleanup.catalogue import quantity_label
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import in_days, post_new_campaign
from tests.cleanup.test_split_entries_chosen_action_and_unchanged_save import (
    _scheduled_with_its_form,
)
from tests.conftest import browser_sign_in, csrf_token, login


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _logged(participant, count: int) -> list[int]:
    """`count` entries of 1 GB a minute apart, newest first as "My entries" lists them."""
    now = utcnow()
    for minutes in range(count):
        services.log_action(
            participant.user,
            participant.campaign,
            "delete-mail",
            1,
            now - timedelta(minutes=minutes),
        )
    db.session.commit()
    return [a.id for a in db.session.query(CleanupAction).order_by(CleanupAction.logged_at.desc())]


# 1. A correction that sends an accepted entry back to review says so.


def test_a_correction_sent_back_to_review_says_its_points_wait(participant, make):
    participant.sign_in(make.user(locale="en"))
    participant.log("delete-mail", "2")
    entry = db.session.query(CleanupAction).one()
    assert entry.status == "accepted"
    answer = _text(participant.correct(entry.id, "15"))
    assert db.session.get(CleanupAction, entry.id).status == "flagged"
    status = re.search(r'id="progress-status"[^>]*>(.*?)</p>', answer, re.S).group(1)
    assert status == (
        "Entry corrected. It looks unusual: an organiser will review it, and its points "
        "count once it is accepted."
    )


def test_an_ordinary_correction_still_says_corrected(participant, make):
    participant.sign_in(make.user(locale="en"))
    participant.log("delete-mail", "2")
    entry = db.session.query(CleanupAction).one()
    answer = _text(participant.correct(entry.id, "3"))
    assert ">Entry corrected.</p>" in answer


# 2. Signed out in another tab: the page's htmx requests say to sign in again.


def _signed_out_elsewhere(participant) -> str:
    """The campaign page's token, then a sign-out from another tab of the same browser."""
    token = csrf_token(participant.client)
    participant.client.post("/auth/sign-out", data={"csrf_token": csrf_token(participant.client)})
    return token


def test_a_log_after_signing_out_elsewhere_says_to_sign_in_again(participant, make):
    participant.sign_in(make.user(locale="fr"))
    campaign_id = participant.campaign.id
    token = _signed_out_elsewhere(participant)
    page = f"http://localhost/cleanup/campaigns/{campaign_id}?entries=all"
    answer = participant.client.post(
        f"/cleanup/campaigns/{campaign_id}/actions",
        data={"csrf_token": token, "action_type": "delete-mail", "quantity": "1"},
        headers={"HX-Request": "true", "HX-Current-URL": page},
    )
    body = _text(answer)
    assert answer.status_code == 401 and answer.headers["HX-Retarget"] == "#flashes"
    assert "Votre session a pris fin\u00a0: reconnectez-vous" in body
    assert "Réessayez" not in body
    link = urlsplit(re.search(r'<a href="([^"]+)"', body).group(1))
    assert link.path == "/auth/sign-in"
    assert parse_qs(link.query) == {"next": [f"/cleanup/campaigns/{campaign_id}?entries=all"]}
    assert db.session.query(CleanupAction).count() == 0


def test_the_unit_hint_after_signing_out_elsewhere_says_to_sign_in_again(participant, make):
    participant.sign_in(make.user(locale="en"))
    campaign_id = participant.campaign.id
    _signed_out_elsewhere(participant)
    answer = participant.client.get(
        f"/cleanup/campaigns/{campaign_id}/log-unit?action_type=unsubscribe",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://localhost/cleanup/campaigns/{campaign_id}",
        },
    )
    body = _text(answer)
    assert answer.status_code == 401
    assert "You are no longer signed in: sign in again to continue on this page." in body
    assert f'href="/auth/sign-in?next=/cleanup/campaigns/{campaign_id}"' in body


def test_a_signed_in_persons_expired_form_still_says_expired(participant, make):
    """Signed in, a token from another session is a form that expired, not a sign-out."""
    participant.sign_in(make.user(locale="en"))
    answer = participant.client.post(
        f"/cleanup/campaigns/{participant.campaign.id}/actions",
        data={"csrf_token": "not-this-sessions", "action_type": "delete-mail", "quantity": "1"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 400 and "Your form expired" in _text(answer)


# 3. A deletion in a long list answers where the row was.


def _row_before(page: str, entry_id: int) -> str:
    """The table row just before the entry's own row."""
    rows = page.split('<tr role="row">')
    [index] = [i for i, row in enumerate(rows) if f'id="entry-{entry_id}"' in row]
    return rows[index - 1]


def test_a_deletion_answers_in_the_deleted_rows_place(participant, make):
    participant.sign_in(make.user(locale="en"))
    ids = _logged(participant, 12)
    deleted, following = ids[6], ids[7]
    response = participant.client.post(
        f"/cleanup/actions/{deleted}/delete?entries=all",
        data={"csrf_token": csrf_token(participant.client)},
        headers={"HX-Request": "true"},
    )
    page = _text(response)
    assert f'id="entry-{deleted}"' not in page
    assert 'id="progress-status"' in _row_before(page, following)
    assert ">Entry deleted.</p>" in _row_before(page, following)
    # Not above the table, far from the row.
    assert 'id="progress-status"' not in page.split("<table", 1)[0]


def test_deleting_the_last_listed_entry_answers_at_the_lists_end(participant, make):
    participant.sign_in(make.user(locale="en"))
    ids = _logged(participant, 3)
    response = participant.client.post(
        f"/cleanup/actions/{ids[-1]}/delete",
        data={"csrf_token": csrf_token(participant.client)},
        headers={"HX-Request": "true"},
    )
    table = _text(response).split("<table", 1)[1].split("</table>", 1)[0]
    last_row = table.rsplit('<tr role="row">', 1)[1]
    assert ">Entry deleted.</p>" in last_row and "entry-" not in last_row


@pytest.mark.browser
def test_in_a_long_list_the_focus_lands_where_the_deleted_row_was(page, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    person = make.user(locale="en")
    for minutes in range(18):
        services.log_action(person, campaign, "delete-mail", 1, now - timedelta(minutes=minutes))
    db.session.commit()
    ids = [a.id for a in db.session.query(CleanupAction).order_by(CleanupAction.logged_at.desc())]
    browser_sign_in(page, person)
    page.goto(f"/cleanup/campaigns/{campaign.id}?entries=all")
    page.locator(f"#delete-{ids[14]}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    status = page.locator("#progress-status")
    expect(status).to_have_text("Entry deleted.")
    expect(status).to_be_focused()
    expect(status).to_be_in_viewport()
    # In the deleted row's place: the next entry's row follows it.
    following = page.locator(f"tr:has(#progress-status) + tr #entry-{ids[15]}")
    expect(following).to_have_count(1)


# 4. Without JavaScript the answer is in view where the person acted.


def _carried_page(participant, response) -> str:
    assert response.status_code == 302
    assert response.location.endswith("#progress-status")
    return _text(participant.client.get(response.location))


def _flashes(page: str) -> str:
    return page.split('id="flashes"', 1)[1].split("</div>", 1)[0]


def test_without_javascript_a_log_answers_by_the_log_form(participant, make):
    participant.sign_in(make.user(locale="fr"))
    page = _carried_page(participant, participant.log("delete-mail", "0,2", htmx=False))
    log_form = page.split('class="cleanup-log"', 1)[1].split("</form>", 1)[0]
    assert 'id="progress-status"' in log_form and "Enregistré\u00a0: 2 points." in log_form
    assert "Enregistré" not in _flashes(page)
    # Shown once: a reload does not say it again.
    assert "Enregistré" not in _text(
        participant.client.get(f"/cleanup/campaigns/{participant.campaign.id}")
    )


def test_without_javascript_a_correction_answers_by_its_entry(participant, make):
    participant.sign_in(make.user(locale="en"))
    [entry] = _logged(participant, 1)
    page = _carried_page(participant, participant.correct(entry, "3", htmx=False))
    row = page.split(f'id="entry-{entry}"', 1)[1].split("</tr>", 1)[0]
    assert 'id="progress-status"' in row and ">Entry corrected.</p>" in row
    assert "Entry corrected." not in _flashes(page)


def test_without_javascript_a_deletion_answers_in_its_rows_place(participant, make):
    participant.sign_in(make.user(locale="en"))
    ids = _logged(participant, 4)
    page = _carried_page(participant, participant.delete(ids[1], htmx=False))
    assert ">Entry deleted.</p>" in _row_before(page, ids[2])
    assert "Entry deleted." not in _flashes(page)


# 5. The review queue tells apart two entries of the same action and quantity.


def _names(page: str, element: str, attribute: str) -> list[str]:
    """Each `element`'s name from the ids its `attribute` lists, as a screen reader reads."""
    names = []
    for ids in re.findall(rf'<{element}[^>]*\s{attribute}="([^"]+)"', page):
        parts = [
            re.search(rf'id="{i}"[^>]*>(.*?)</(?:h2|span)>', page, re.S).group(1)
            for i in ids.split()
        ]
        names.append(" ".join(re.sub(r"<[^>]+>", "", p).strip() for p in parts))
    return names


def test_two_alike_flagged_entries_are_named_by_who_and_when(client, make, make_campaign):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    for name in ("Alice Martin", "Bruno Petit"):
        author = make.user(display_name=name, leaderboard_visibility="name")
        services.log_action(author, campaign, "delete-mail", 15, now)
    db.session.commit()
    login(client, make.user(roles=("organiser",), locale="en"))
    page = _text(client.get(f"/cleanup/campaigns/{campaign.id}/review"))
    sections = _names(page, "section", "aria-labelledby")
    assert len(sections) == 2 and len(set(sections)) == 2
    assert "Alice Martin" in sections[0] and "Bruno Petit" in sections[1]
    # Accept and reject of each entry name it, its author and date ("Accept all", above
    # the entries, is described by its hint).
    entries = re.sub(r'<form [^>]*data-testid="review-accept-all".*?</form>', "", page, flags=re.S)
    assert set(_names(entries, "button", "aria-describedby")) == set(sections)


# 6. A counted unit is held to its number, as a symbol is.


def test_counted_units_are_held_to_their_number(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert quantity_label(28, "items") == "28\u00a0éléments"
            assert quantity_label(1, "devices") == "1\u00a0appareil"
        with force_locale("en"):
            assert quantity_label(1500, "items") == "1,500\u00a0items"
            assert quantity_label(21, "devices") == "21\u00a0devices"


# 7. The campaign form tells every error at once.


def _field_error(response, field: str) -> str | None:
    found = re.search(rf'id="{field}-error"[^>]*>(.*?)</', response.get_data(as_text=True), re.S)
    return html.unescape(found.group(1)).strip() if found else None


def test_a_published_campaigns_start_in_the_past_is_told_with_the_other_errors(
    client, make, make_campaign
):
    campaign, form = _scheduled_with_its_form(client, make, make_campaign)
    form.update(name_fr="", starts_at="2020-01-01T09:00", ends_at=in_days(30, "18:00"))
    response = client.post(f"/cleanup/campaigns/{campaign.id}/edit", data=form)
    assert response.status_code == 422
    assert _field_error(response, "name_fr")
    assert "its start cannot be in the past" in _field_error(response, "starts_at")


def test_a_new_campaigns_dates_and_scope_are_told_with_the_other_errors(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))
    response = post_new_campaign(
        client,
        name_en="",
        all_departments=None,
        starts_at=in_days(10, "09:00"),
        ends_at=in_days(5, "18:00"),
    )
    assert response.status_code == 422
    assert _field_error(response, "name_en")
    assert _field_error(response, "ends_at") == "The end must come after the start."
    assert _field_error(response, "departments") == "Choose at least one department, or everyone."
