"""A first decision taken through htmx answered with the entry decided, without the form
to change it, and "Latest decisions" listed it only after a reload: the answer now
brings the latest decisions too (out of band), the entry there with its change form.
Without JavaScript, the page the decision redirects to opens where the organiser was,
the answer there (#review-answer), not at the top of the page with a flash."""

import html
import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from app.cleanup import services
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import flagged_entry as _flagged
from tests.cleanup.conftest import send_review as _review
from tests.conftest import browser_sign_in, login

REASON = "Duplicate of yesterday's entry"
OOB = '<div id="review-latest" hx-swap-oob="true">'


def _organiser(client, make):
    login(client, make.user(roles=("organiser",), locale="en"))


def _block(text: str, entry_id: int) -> str:
    """The entry's section (up to its end) in `text`."""
    return text.split(f'id="review-{entry_id}"', 1)[1].split("</section>", 1)[0]


def test_a_first_decision_with_htmx_lists_the_entry_with_its_change_form(client, make, running):
    entry = _flagged(client, running, make.user())
    _organiser(client, make)

    response = _review(client, entry.id, "accept", htmx=True)
    answer = response.get_data(as_text=True)
    assert response.status_code == 200 and OOB in answer
    queued, latest = answer.split(OOB)
    assert "<form" not in queued  # the queue goes on with the next entry's form
    assert '<h2 id="review-decided">Latest decisions</h2>' in latest
    block = _block(latest, entry.id)
    assert 'name="was" value="accepted"' in block and ">Reject</button>" in block
    # One entry, twice on the page: its ids are told apart, the queue's end in "-done".
    ids = Counter(re.findall(r'\bid="([^"]+)"', answer))
    assert [name for name, count in ids.items() if count > 1] == []
    assert f'id="review-{entry.id}-done"' in queued


def test_the_decision_is_changed_from_that_list_without_a_reload(client, make, running):
    entry = _flagged(client, running, make.user())
    _organiser(client, make)
    latest = _review(client, entry.id, "reject", REASON, htmx=True).text.split(OOB)[1]
    block = _block(latest, entry.id)
    assert 'name="was" value="rejected"' in block and ">Accept</button>" in block

    changed = _review(client, entry.id, "accept", htmx=True, was="rejected")
    assert changed.status_code == 200 and OOB not in changed.text  # swapped in place
    db.session.expire_all()
    assert db.session.get(CleanupAction, entry.id).status == "accepted"


def test_a_refused_first_decision_with_htmx_sends_no_list(client, make, running):
    """A reason missing: the entry stays in the queue with its form; nothing else moves."""
    entry = _flagged(client, running, make.user())
    _organiser(client, make)
    response = _review(client, entry.id, "reject", "  ", htmx=True)
    assert response.status_code == 422 and OOB not in response.text


def _said(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text))


def test_without_javascript_a_first_decision_opens_the_page_where_the_entry_was(
    client, make, running
):
    first, second, third = (_flagged(client, running, make.user()) for _ in range(3))
    _organiser(client, make)

    response = _review(client, second.id, "accept")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/cleanup/campaigns/{running.id}/review#review-answer"
    )
    page = client.get(response.headers["Location"]).text
    answer = re.search(r'<p id="review-answer" class="flash flash-success">([^<]*)</p>', page)
    assert _said(answer.group(1)) == (
        "Accepted: the entry now counts, and its author gets a message."
    )
    # Where the entry was: after the first, before the third; said once, not flashed above.
    assert page.index(f'id="review-{first.id}"') < answer.start()
    assert answer.start() < page.index(f'id="review-{third.id}"')
    assert page.count("the entry now counts") == 1
    # Shown once: the next page opens without it.
    assert 'id="review-answer"' not in client.get(f"/cleanup/campaigns/{running.id}/review").text


def test_without_javascript_the_last_entry_decided_is_answered_at_the_queues_end(
    client, make, running
):
    first, last = (_flagged(client, running, make.user()) for _ in range(2))
    _organiser(client, make)
    page = client.get(_review(client, last.id, "reject", REASON).headers["Location"]).text
    answer = page.index('id="review-answer"')
    assert page.index(f'id="review-{first.id}"') < answer < page.index('id="review-decided"')


def test_without_javascript_a_change_opens_the_page_at_the_entry_changed(client, make, running):
    entry = _flagged(client, running, make.user())
    _organiser(client, make)
    _review(client, entry.id, "accept")
    client.get(f"/cleanup/campaigns/{running.id}/review")  # the first answer, read

    response = _review(client, entry.id, "reject", REASON, was="accepted")
    assert response.headers["Location"].endswith("#review-answer")
    page = client.get(response.headers["Location"]).text
    block = _block(page.split('id="review-decided"', 1)[1], entry.id)
    assert re.search(
        r'<p id="review-answer" class="flash flash-success" data-announce>'
        r"Rejected: its author gets a message with your reason.</p>",
        block,
    )


@pytest.mark.browser
def test_in_a_browser_a_decision_taken_in_the_queue_is_changed_without_a_reload(
    page, make, running
):
    """Accepted in the queue, the entry appears under "Dernières décisions" with
    "Refuser"; rejected there, on the same page."""
    author = make.user()
    entry = services.log_action(author, running, "delete-mail", 15, utcnow())
    db.session.commit()
    entry_id = entry.id
    browser_sign_in(page, make.user(roles=("organiser",)))
    page.goto(f"/cleanup/campaigns/{running.id}/review")
    page.evaluate("window.stillTheSamePage = true")
    expect(page.locator("#review-decided")).to_have_count(0)
    queued = page.locator(f"section.cleanup-review:has(#review-{entry_id}-who)")
    queued.get_by_role("button", name="Accepter").click()
    expect(page.locator(f"#review-{entry_id}-done")).to_be_visible()
    latest = page.locator(f"#review-latest section.cleanup-review:has(#review-{entry_id})")
    expect(page.locator("#review-decided")).to_have_text("Dernières décisions")
    latest.get_by_label("Motif montré à la personne").fill("Une seule boîte")
    latest.get_by_role("button", name="Refuser").click()
    expect(latest.get_by_role("button", name="Accepter")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.locator(f"[id='review-{entry_id}']").count() == 1  # one entry, one id
    db.session.expire_all()
    assert db.session.get(CleanupAction, entry_id).status == "rejected"
