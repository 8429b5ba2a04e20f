"""A rejection's reason typed on two lines (Enter adds a line in its box) ran into one
line in "Latest decisions" and in its author's "My entries"; the inbox kept the break.
The breaks are kept, the text still escaped."""

from tests.cleanup.conftest import Participant, flagged_entry, send_review
from tests.conftest import login

REASON = "Counted twice.\r\nLog only <b>new</b> mail."
SHOWN = "Counted twice.<br>\nLog only &lt;b&gt;new&lt;/b&gt; mail."


def _rejected(client, make, running):
    author = make.user(locale="en")
    entry = flagged_entry(client, running, author)
    login(client, make.user(roles=("organiser",), locale="en"))
    assert send_review(client, entry.id, "reject", REASON).status_code == 302
    return author


def test_latest_decisions_keep_the_reasons_line_breaks(client, make, running):
    _rejected(client, make, running)
    page = client.get(f"/cleanup/campaigns/{running.id}/review").get_data(as_text=True)
    assert SHOWN in page.split('id="review-decided"', 1)[1]


def test_my_entries_keep_the_reasons_line_breaks(client, make, running):
    author = _rejected(client, make, running)
    assert SHOWN in Participant(client, running, author).page()
