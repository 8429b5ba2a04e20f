"""Opening a message in the inbox (« Lire le message ») reads it: the counts, the menu's
badge and its "Unread" tag follow, as "Mark as read" makes them; with htmx (the
disclosure opened) and without (the inbox comes back at the message, open)."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import browser_sign_in, csrf_token, login
from tests.messaging.conftest import deliver_to_everyone, inbox_of

HX = {"HX-Request": "true"}


def _open(client, message_id: int, headers=None):
    """Open a message as the inbox's disclosure does: a POST with the CSRF token."""
    return client.post(
        f"/messaging/inbox/{message_id}/open",
        data={"csrf_token": csrf_token(client)},
        headers=headers or {},
    )


def _four_unread(make, template, email="camille@example.org"):
    me = make.user(locale="en", email=email)
    for n in range(4):
        deliver_to_everyone(template(key=f"news-{n}", subject_en=f"News {n}"))
    return me, inbox_of(me)


def test_opening_a_message_with_htmx_marks_it_read_and_updates_the_counts(client, make, template):
    me, messages = _four_unread(make, template)
    login(client, me)

    response = _open(client, messages[0].id, HX)

    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    fragment = response.get_data(as_text=True)
    assert "3 unread messages" in fragment and 'hx-swap-oob="true"' in fragment
    # The menu's badge, out of band too.
    assert re.search(r'hx-swap-oob="innerHTML:\.main-nav[^"]*"[^>]*>Messages <span class="badge">'
                     r'<span aria-hidden="true">3</span>', fragment)  # fmt: skip
    message = fragment.split('id="inbox-head"')[0]
    assert ">Unread<" not in message and "Mark as read</button>" not in message
    assert "<details open" in message and "Marked as read." in message
    db.session.refresh(messages[0])
    assert messages[0].read_at is not None


def test_opening_a_message_without_javascript_shows_the_inbox_with_it_read(client, make, template):
    me, messages = _four_unread(make, template)
    login(client, me)

    response = _open(client, messages[0].id)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/messaging/#message-{messages[0].id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 unread messages" in page
    opened = page.split(f'id="message-{messages[0].id}"')[1].split("</article>")[0]
    assert ">Unread<" not in opened and "<details open" in opened


def test_the_inbox_opens_an_unread_message_through_the_route_that_reads_it(client, make, template):
    """Folded until opened, and opening it asks for the message read (htmx)."""
    me, messages = _four_unread(make, template)
    login(client, me)
    page = client.get("/messaging/").get_data(as_text=True)
    article = page.split(f'id="message-{messages[0].id}"')[1].split("</article>")[0]
    details = re.search(r"<details[^>]*>", article)[0]
    assert f'hx-post="/messaging/inbox/{messages[0].id}/open"' in details
    assert 'hx-trigger="toggle once"' in details and " open" not in details


def test_opening_a_message_by_a_get_changes_nothing(client, make, template):
    """Every change is a POST: an address followed, prefetched or crawled reads nothing."""
    me, messages = _four_unread(make, template)
    login(client, me)

    assert client.get(f"/messaging/inbox/{messages[0].id}/open").status_code == 405
    db.session.refresh(messages[0])
    assert messages[0].read_at is None


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "no-js"])
def test_opening_someone_elses_message_is_not_found_and_reads_nothing(
    client, make, template, headers
):
    _me, messages = _four_unread(make, template)
    stranger = make.user(locale="en", email="stranger@example.org")
    login(client, stranger)

    response = _open(client, messages[0].id, headers)

    assert response.status_code == 404
    db.session.refresh(messages[0])
    assert messages[0].read_at is None


@pytest.mark.browser
def test_opening_a_message_in_the_browser_reads_it(page, make, template):
    _me, messages = _four_unread(make, template)
    browser_sign_in(page, "camille@example.org")
    page.goto("/messaging/")
    expect(page.locator("#inbox-head")).to_contain_text("4 unread messages")

    page.locator(f"#message-{messages[0].id}-open").click()

    expect(page.locator("#inbox-head")).to_contain_text("3 unread messages")
    article = page.locator(f"#message-{messages[0].id}")
    expect(article.locator(".tag")).to_have_count(0)
    expect(article.locator(".message-body")).to_be_visible()
    expect(page.locator(".main-nav .badge [aria-hidden=true]")).to_have_text("3")
    expect(page.locator(f"#message-{messages[0].id}-open")).to_be_focused()
