"""A message's copy in the inbox is read in the portal itself: its links to the portal
lead to their page wherever the portal is reached from (another host name, another port
in a demo), while the e-mail keeps them whole, for a mail client outside the portal."""

from flask import current_app

from app.messaging.rendering import text_to_html
from tests.conftest import login
from tests.messaging.conftest import deliver_to_everyone


def test_the_inbox_copy_links_to_the_portals_pages_by_their_path(client, make, template):
    person = make.user(locale="en")
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    deliver_to_everyone(
        template(
            body_en=f"Your entries: {base}/cleanup/campaigns/2#my-progress\n\n"
            "Read more: https://example.org/guide\n\nUnsubscribe: {{ unsubscribe_url }}"
        )
    )
    login(client, person)
    page = client.get("/messaging/").get_data(as_text=True)
    # Named by the words introducing them (RGAA 6.1, test_links_named_by_their_label.py).
    assert '<a href="/cleanup/campaigns/2#my-progress">Your entries</a>' in page
    assert '<a href="https://example.org/guide">Read more</a>' in page


def test_the_email_keeps_the_portals_address_whole(app):
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    html = text_to_html(f"Your entries: {base}/cleanup/campaigns/2")
    assert f'<a href="{base}/cleanup/campaigns/2">' in html
