"""An account whose address the staff directory gave to a new hire (`released-<id>@invalid`)
was reactivated from its page: nobody can sign in to that address, and it then counted
as active staff. Its page explains why it stays deactivated; the server refuses it."""

import html

from app.auth.directory import released_address
from app.auth.models import User
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login


def _released(make) -> User:
    user = make.user(display_name="Jean Martin", password=None)
    user.email = released_address(user.id)
    user.active, user.deactivated_by, user.deactivated_at = False, "directory", utcnow()
    db.session.commit()
    return user


def test_a_released_accounts_page_offers_no_reactivation_and_says_why(client, make):
    released = _released(make)
    login(client, make.user(roles=("admin",), locale="en"))
    page = html.unescape(client.get(f"/admin/people/{released.id}").get_data(as_text=True))
    assert "Reactivate this account" not in page
    assert "gave this account's address to a new member of staff" in page


def test_reactivating_a_released_account_is_refused(client, auth, make):
    released = _released(make)
    login(client, make.user(roles=("admin",), locale="fr"))
    answer = auth.post(f"/admin/people/{released.id}/status", {"change": "reactivate"})
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 409
    assert "Ce compte ne peut pas être réactivé" in page
    db.session.expire_all()
    assert db.session.get(User, released.id).active is False
