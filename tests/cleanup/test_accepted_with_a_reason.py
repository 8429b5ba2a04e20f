"""A reason typed with "Accept" was stored and shown nowhere: its author's "My entries"
(and the data export, which says what "My entries" says) now give it beside "Counted",
as they give a rejection's, escaped; once the author corrects the entry, the reason is
about another quantity and is no longer shown."""

import html
import re
from datetime import timedelta

import pytest

from app.cleanup import services
from app.core.time import local_iso, utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant
from tests.cleanup.conftest import flagged_entry as _flagged
from tests.conftest import csrf_token, login

REASON = "Checked with <b>IT</b>: a shared mailbox"


def _accept(client, make, entry_id, reason, htmx=False, locale=None):
    """An organiser accepts the entry with the review form, `reason` typed (in `locale`,
    their interface's language)."""
    login(client, make.user(roles=("organiser",), locale=locale))
    data = {"csrf_token": csrf_token(client), "decision": "accept", "reason": reason}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/cleanup/actions/{entry_id}/review", data=data, headers=headers)


def _status_of(page: str, entry_id: int) -> str:
    """The status cell of the entry's row in "My entries", as the page's HTML writes it."""
    row = page.split(f'id="entry-{entry_id}"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[3]  # when, quantity, points, status


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Counted. Reason: {}"), ("fr", "Comptée. Motif\u00a0: {}")],
)
def test_my_entries_give_the_reason_typed_with_an_acceptance(
    client, make, running, locale, expected
):
    author = make.user(locale=locale)
    entry = _flagged(client, running, author)
    assert _accept(client, make, entry.id, REASON, htmx=True, locale=locale).status_code == 200

    login(client, author)
    page = client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True)
    cell = _status_of(page, entry.id)
    assert "<b>" not in cell and "&lt;b&gt;IT&lt;/b&gt;" in cell  # escaped
    assert html.unescape(cell) == expected.format(REASON)


def test_an_acceptance_without_a_reason_says_counted_only(client, make, running):
    author = make.user(locale="en")
    entry = _flagged(client, running, author)
    _accept(client, make, entry.id, "   ")
    login(client, author)
    page = client.get(f"/cleanup/campaigns/{running.id}").get_data(as_text=True)
    assert _status_of(page, entry.id) == "Counted"


def test_the_reason_goes_once_the_author_corrects_the_entry(client, make, running):
    """Corrected down after the acceptance (it stays counted, unreviewed): the reason was
    about 12 GB, not about what the entry says now."""
    author = make.user(locale="en")
    entry = _flagged(client, running, author)
    _accept(client, make, entry.id, REASON)
    person = Participant(client, running, author)
    assert person.correct(entry.id, "11").status_code == 200
    assert _status_of(person.page(), entry.id) == "Counted"


def test_the_data_export_gives_the_reason_of_an_acceptance(client, make, running):
    person, now = make.user(locale="en"), utcnow()
    entry = services.log_action(person, running, "delete-mail", 12, now)
    services.review_action(
        entry, make.user(roles=("organiser",)), True, "Shared mailbox", now + timedelta(hours=1)
    )
    db.session.commit()
    login(client, person)
    actions = client.get("/auth/profile/export").get_json(force=True)["actions"]
    [exported] = [a for a in actions if a["logged_at"] == local_iso(entry.logged_at)]
    assert exported["status_text"] == "Counted. Reason: Shared mailbox"
