"""A page left open across a new SECRET_KEY (the former one in SECRET_KEY_FALLBACKS):
its correction and deletion addresses still tell one's entry deleted since from an id
that never was one's own."""

import html
import re
from datetime import timedelta

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token, login

FORMER, NEW = "former-key-of-the-portal", "new-key-of-the-portal"


def _delete_url(page: str, entry_id: int) -> str:
    return html.unescape(re.search(rf'action="([^"]*/actions/{entry_id}/delete[^"]*)"', page)[1])


def _page_then_deleted(make_app, make, make_campaign):
    """Tab B's deletion address of an entry, shown under the former key; the entry then
    deleted (tab A). Returns the user and the address."""
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    user = make.user(locale="fr")
    entry = services.log_action(user, campaign, "delete-mail", 1, now)
    db.session.commit()
    entry_id, campaign_id = entry.id, campaign.id
    before = make_app(SECRET_KEY=FORMER).test_client()
    login(before, user)
    url = _delete_url(
        before.get(f"/cleanup/campaigns/{campaign_id}").get_data(as_text=True), entry_id
    )
    assert before.post(url, data={"csrf_token": csrf_token(before)}).status_code == 302
    return user, url


def test_a_page_left_open_across_a_new_key_says_the_entry_was_deleted(
    make_app, make, make_campaign
):
    user, url = _page_then_deleted(make_app, make, make_campaign)
    after = make_app(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[FORMER]).test_client()
    login(after, user)

    answer = after.post(url, data={"csrf_token": csrf_token(after)}, headers={"HX-Request": "true"})

    assert answer.status_code == 409
    assert "Cette saisie a déjà été supprimée." in html.unescape(answer.get_data(as_text=True))


def test_without_the_former_key_its_marks_are_refused(make_app, make, make_campaign):
    user, url = _page_then_deleted(make_app, make, make_campaign)
    after = make_app(SECRET_KEY=NEW).test_client()
    login(after, user)

    answer = after.post(url, data={"csrf_token": csrf_token(after)}, headers={"HX-Request": "true"})

    assert answer.status_code == 404
