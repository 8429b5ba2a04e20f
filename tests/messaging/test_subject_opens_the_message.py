"""In the inbox only « Lire le message » opened a message: tapping its subject did
nothing. The subject is now what opens it, the one control of each message, named by the
subject; opening it still reads it (the counts and the badge follow)."""

import html
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import browser_sign_in, login
from tests.messaging.conftest import deliver_to_everyone, inbox_of


def _summaries(page: str) -> list[str]:
    """The heading of each disclosure of the inbox (the control that opens a message)."""
    found = re.findall(r"<summary[^>]*>.*?<h2[^>]*>(.*?)</h2>.*?</summary>", page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", s)).split()) for s in found]


def test_each_message_opens_from_its_subject_and_from_nothing_else(client, make, template):
    me = make.user(locale="fr")
    deliver_to_everyone(template(subject_fr="Relevé de mars"))
    deliver_to_everyone(template(key="other", subject_fr="Rappel de collecte"))
    login(client, me)
    page = client.get("/messaging/").get_data(as_text=True)

    summaries = _summaries(page)
    assert len(summaries) == len(inbox_of(me)) == 2
    assert sorted(summaries) == ["Non lu Rappel de collecte", "Non lu Relevé de mars"]
    assert "Lire le message" not in page


def test_the_subject_heading_is_inside_the_control_that_opens_the_message(client, make, template):
    me = make.user(locale="fr")
    deliver_to_everyone(template(subject_fr="Relevé de mars"))
    login(client, me)
    page = client.get("/messaging/").get_data(as_text=True)
    message = inbox_of(me)[0]

    summary = re.search(r"<summary[^>]*>(.*?)</summary>", page, re.S)[1]
    assert f'<h2 id="message-{message.id}-subject">' in summary
    assert "Relevé de mars" in summary
    # The article is still named by its subject; the message opened still reads it.
    assert f'aria-labelledby="message-{message.id}-subject"' in page
    assert f'hx-post="/messaging/inbox/{message.id}/open"' in page


@pytest.mark.browser
def test_tapping_the_subject_opens_the_message_and_reads_it(page, make, template):
    me = make.user(locale="en", email="camille@example.org")
    deliver_to_everyone(template(subject_en="March statement"))
    message = inbox_of(me)[0]
    browser_sign_in(page, "camille@example.org")
    page.goto("/messaging/")
    article = page.locator(f"#message-{message.id}")
    expect(article.locator(".message-body")).to_be_hidden()

    article.get_by_role("heading", name="March statement").click()

    expect(article.locator(".message-body")).to_be_visible()
    expect(page.locator("#inbox-head")).to_contain_text("No unread message")
    db.session.refresh(message)
    assert message.read_at is not None
