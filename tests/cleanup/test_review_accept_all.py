"""The review queue had no « accept all »: an organiser with forty flagged entries that
all looked right pressed forty buttons. "Accept all N entries listed" accepts the
entries the queue shows that the organiser may decide, asked first with how many, each
accepted as a single acceptance is (held and read again, audited, its author told);
an entry decided meanwhile keeps that decision, one's own entry is left to another
organiser, and an entry flagged after the page was shown is not accepted unseen."""

import html
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.auth.models import User
from app.cleanup import services
from app.cleanup.models import CleanupAction, CleanupCampaign
from app.core.audit import AuditEvent
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Dispatch
from tests.cleanup.conftest import flagged_entry
from tests.conftest import browser_sign_in, csrf_token, login

HX = {"HX-Request": "true"}
REASON = "Counted twice"


def _said(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def _review_url(campaign) -> str:
    return f"/cleanup/campaigns/{campaign.id}/review"


def _accept_url(campaign) -> str:
    return f"/cleanup/campaigns/{campaign.id}/review/accept-all"


def _accept_all_form(page: str) -> str:
    found = re.search(r'<form [^>]*data-testid="review-accept-all".*?</form>', page, re.S)
    assert found, "no accept-all form"
    return found.group(0)


def _listed(page: str) -> list[int]:
    """The entry ids the accept-all form sends."""
    listed = re.search(r'name="entries" value="([\d ]*)"', _accept_all_form(page)).group(1)
    return [int(i) for i in listed.split()]


def _accepted_events(entry_ids) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.object_type == "cleanup_action",
            AuditEvent.object_id.in_([str(i) for i in entry_ids]),
            AuditEvent.action == "accept",
        )
    )


def _notices(entry_id) -> int:
    key = f"entry:{entry_id}:reviewed:%"
    return db.session.scalar(select(func.count(Dispatch.id)).where(Dispatch.dedupe_key.like(key)))


def _status(entry_id) -> str:
    db.session.expire_all()
    return db.session.get(CleanupAction, entry_id).status


def _entries(client, make, campaign, count: int) -> list[int]:
    """`count` flagged entries, each by another person."""
    return [flagged_entry(client, campaign, make.user()).id for _ in range(count)]


def _setup(client, make, running, count=3, locale="en"):
    """Flagged entries, and an organiser signed in to decide them."""
    entries = _entries(client, make, running, count)
    organiser = make.user(roles=("organiser",), locale=locale)
    db.session.commit()
    login(client, organiser)
    return entries, organiser


def _post(client, campaign, entries, htmx=False, **extra):
    data = {"csrf_token": csrf_token(client), "entries": " ".join(str(i) for i in entries), **extra}
    return client.post(_accept_url(campaign), data=data, headers=HX if htmx else {})


def test_the_form_says_how_many_and_sends_the_entries_listed(client, make, running):
    entries, _organiser = _setup(client, make, running)
    page = client.get(_review_url(running)).get_data(as_text=True)
    form = html.unescape(_accept_all_form(page))
    assert _listed(page) == entries
    assert 'data-confirm="Accept the 3 entries listed that you may decide? Each then counts' in (
        form
    )
    assert ">Accept all 3 entries listed</button>" in form
    assert 'hx-target="#review-queue"' in form and 'name="csrf_token"' in form


def test_accepted_through_the_form_without_javascript(client, make, running):
    entries, _organiser = _setup(client, make, running)
    page = client.get(_review_url(running)).get_data(as_text=True)
    # Without JavaScript the <noscript> fields go with the form: the question first.
    asked = _post(
        client,
        running,
        _listed(page),
        ask_first=re.search(r'name="ask_first" value="([^"]*)"', page).group(1),
        ask_first_yes="Accept 3 entries",
        ask_first_no="Go back to the entries",
    )
    assert asked.status_code == 200
    assert "Accept the 3 entries listed that you may decide?" in _said(asked)
    assert {_status(i) for i in entries} == {"flagged"}  # nothing before "yes"

    answer = _post(client, running, _listed(page))
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/review#review-answer")
    said = _said(client.get(answer.headers["Location"]))
    assert (
        '<p id="review-answer" class="flash flash-success">3 entries accepted: they now '
        "count, and their authors get a message.</p>"
    ) in said
    assert "Nothing to review." in said
    assert {_status(i) for i in entries} == {"accepted"}
    # Each recorded as a single acceptance is: an audit event and a notice each.
    assert _accepted_events(entries) == 3
    assert [_notices(i) for i in entries] == [1, 1, 1]


def test_accepted_with_htmx_the_queue_answers_in_place(client, make, running):
    entries, _organiser = _setup(client, make, running)
    response = _post(client, running, entries, htmx=True)
    assert response.status_code == 200
    said = _said(response)
    assert said.strip().startswith('<div id="review-queue">')
    assert (
        '<p id="review-answer" class="flash flash-success" data-announce>3 entries accepted'
    ) in said
    # "Latest decisions" brought up to date out of band, each entry there to be changed.
    assert 'hx-swap-oob="true"' in said
    assert said.count('name="was" value="accepted"') == 3
    assert {_status(i) for i in entries} == {"accepted"}


def test_in_french(client, make, running):
    entries, _organiser = _setup(client, make, running, count=2, locale="fr")
    page = _said(client.get(_review_url(running)))
    assert ">Accepter les 2 saisies listées</button>" in page
    said = _said(_post(client, running, entries, htmx=True))
    assert "2 saisies acceptées : elles comptent désormais" in said.replace("\u00a0", " ")


def test_an_employee_may_not(client, make, running):
    entries = _entries(client, make, running, 2)
    login(client, make.user())
    assert _post(client, running, entries).status_code == 403
    assert {_status(i) for i in entries} == {"flagged"}
    assert _accepted_events(entries) == 0


def test_ones_own_entry_is_left_to_another_organiser(client, make, running):
    entries, organiser = _setup(client, make, running, count=2)
    own = flagged_entry(client, running, organiser).id
    login(client, db.session.get(User, organiser.id))
    page = client.get(_review_url(running)).get_data(as_text=True)
    assert _listed(page) == entries  # not one's own
    assert "Your own entry listed is left to another organiser." in _said(
        client.get(_review_url(running))
    )
    # Sent anyway (a form changed by hand): it stays flagged, the others are accepted.
    said = _said(_post(client, running, [*entries, own], htmx=True))
    assert "2 entries accepted" in said
    assert _status(own) == "flagged"
    assert [_status(i) for i in entries] == ["accepted", "accepted"]
    assert _accepted_events([own]) == 0


def test_an_entry_decided_meanwhile_keeps_its_decision(app, client, make, running):
    entries, _organiser = _setup(client, make, running)
    page = client.get(_review_url(running)).get_data(as_text=True)
    other = make.user(roles=("organiser",))
    db.session.commit()
    # Another organiser rejects the second entry, in a request of its own, committed.
    with app.app_context():
        entry = db.session.get(CleanupAction, entries[1])
        services.review_action(entry, db.session.get(User, other.id), False, REASON, utcnow())
        db.session.commit()
        db.session.remove()

    said = _said(_post(client, running, _listed(page), htmx=True))
    assert (
        "2 entries accepted: they now count, and their authors get a message. 1 other entry "
        "listed was decided meanwhile by another organiser or deleted by its author: left "
        "as it is."
    ) in said
    assert [_status(i) for i in entries] == ["accepted", "rejected", "accepted"]
    rejected = db.session.get(CleanupAction, entries[1])
    assert rejected.review_reason == REASON and rejected.reviewed_by_id == other.id
    assert _accepted_events([entries[1]]) == 0 and _notices(entries[1]) == 1


def test_all_decided_meanwhile_is_a_409_changing_nothing(app, client, make, running):
    entries, _organiser = _setup(client, make, running, count=2)
    page = client.get(_review_url(running)).get_data(as_text=True)
    other = make.user(roles=("organiser",))
    db.session.commit()
    for entry_id in entries:
        entry = db.session.get(CleanupAction, entry_id)
        services.review_action(entry, db.session.get(User, other.id), False, REASON, utcnow())
    db.session.commit()

    response = _post(client, running, _listed(page), htmx=True)
    assert response.status_code == 409
    assert "No entry accepted: those listed were decided meanwhile" in _said(response)
    assert {_status(i) for i in entries} == {"rejected"}


def test_an_entry_flagged_after_the_page_was_shown_is_not_accepted(client, make, running):
    _entries, organiser = _setup(client, make, running, count=2)
    page = client.get(_review_url(running)).get_data(as_text=True)
    later = flagged_entry(client, running, make.user()).id
    login(client, db.session.get(User, organiser.id))

    said = _said(_post(client, running, _listed(page), htmx=True))
    assert "2 entries accepted" in said
    assert _status(later) == "flagged"
    assert f'id="review-{later}"' in said  # still in the queue, to be decided


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_refused_once_the_campaign_has_ended(client, make, running, htmx):
    entries, _organiser = _setup(client, make, running, count=2)
    campaign = db.session.get(CleanupCampaign, running.id)
    campaign.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = _post(client, running, entries, htmx=htmx)
    if htmx:
        assert response.status_code == 409
    else:
        assert response.status_code == 302
        response = client.get(response.headers["Location"])
    said = _said(response)
    assert "The results of this campaign are frozen." in said
    assert 'data-testid="review-accept-all"' not in said and ">Accept</button>" not in said
    assert {_status(i) for i in entries} == {"flagged"}


def test_ids_changed_by_hand_are_no_entry_of_the_queue(client, make, running):
    entries, _organiser = _setup(client, make, running, count=2)
    response = _post(client, running, ["x", "99999999999999999999", "-1"], htmx=True)
    assert response.status_code == 422
    assert "No entry was listed to accept." in _said(response)
    assert {_status(i) for i in entries} == {"flagged"}


def test_a_single_entry_has_its_own_button_only(client, make, running):
    _setup(client, make, running, count=1)
    page = client.get(_review_url(running)).get_data(as_text=True)
    assert 'data-testid="review-accept-all"' not in page


def test_its_address_opened_leads_to_the_review_page(client, make, running):
    _setup(client, make, running, count=2)
    response = client.get(_accept_url(running))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_review_url(running))


@pytest.mark.browser
def test_in_the_browser_the_dialog_says_how_many_and_the_queue_answers_in_place(
    page, make, make_campaign
):
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2))
    entries = [services.log_action(make.user(), campaign, "delete-mail", 15, now).id for _ in "ab"]
    db.session.commit()
    browser_sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{campaign.id}/review")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Accepter les 2 saisies listées").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Accepter les 2 saisies listées dont vous pouvez décider")
    dialog.get_by_role("button", name="Revenir aux saisies").click()  # "no" changes nothing
    assert {_status(i) for i in entries} == {"flagged"}

    page.get_by_role("button", name="Accepter les 2 saisies listées").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Accepter 2 saisies").click()
    expect(page.locator("#review-answer")).to_contain_text("2 saisies acceptées")
    expect(page.locator("#review-queue")).to_contain_text("Rien à examiner.")
    assert page.evaluate("window.stillTheSamePage") is True  # swapped, not reloaded
    assert {_status(i) for i in entries} == {"accepted"}
