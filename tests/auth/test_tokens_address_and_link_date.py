"""Review of 6 December, sign-in and tokens: the token form's address opened with GET
leads to the tokens, not to « Erreur 405 »; two token forms sent at once leave one
active token of that name; the sign-in link e-mail is dated with the portal's offset."""

import threading
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import select

from app.auth import services
from app.auth.models import ApiToken
from app.extensions import db
from tests.conftest import csrf_token, login

# --- 1. the token form's address, opened with GET ---------------------------------------


def test_the_token_forms_address_typed_again_leads_to_the_tokens(client, auth, make):
    login(client, make.user(locale="fr"))
    auth.post("/auth/profile/tokens", {"name": "mon script"})  # the address bar now reads it
    answer = client.get("/auth/profile/tokens")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/auth/profile#tokens-title"
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    assert "mon script" in page.text and "Erreur 405" not in page.text


def test_the_token_forms_address_bookmarked_asks_to_sign_in_then_shows_the_tokens(client, make):
    user = make.user(locale="fr")
    answer = client.get("/auth/profile/tokens")
    assert answer.status_code == 302 and "/auth/sign-in" in answer.headers["Location"]
    signed_in = client.post(
        answer.headers["Location"],  # the sign-in page, the address to come back to kept
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_token(client),
        },
    )
    landing = client.get(signed_in.headers["Location"], follow_redirects=True)
    assert landing.request.path == "/auth/profile"
    assert 'id="tokens-title"' in landing.text


# --- 2. two token forms sent at once ------------------------------------------------------


def _active_named(user, name: str) -> int:
    db.session.expire_all()
    return len(
        db.session.scalars(
            select(ApiToken).where(
                ApiToken.user_id == user.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
            )
        ).all()
    )


def test_two_token_forms_sent_at_once_create_one_token_of_that_name(app, make, monkeypatch):
    """The second form arrives while the first, already checked, is about to write its
    token: it waits for the first, then is refused as a name taken."""
    user = make.user(locale="en")
    clients = []
    for _ in range(2):
        client = app.test_client()
        login(client, user)
        clients.append((client, csrf_token(client)))
    create = services.create_api_token
    statuses, texts = {}, {}

    def post(index):
        client, csrf = clients[index]
        with app.app_context():
            answer = client.post(
                "/auth/profile/tokens", data={"name": "my script", "csrf_token": csrf}
            )
            statuses[index], texts[index] = answer.status_code, answer.text
            db.session.remove()

    second = threading.Thread(target=post, args=(1,))

    def create_while_the_other_form_arrives(user, name, **scope):
        """The first form, checked, lets the second one run before it writes."""
        if not second.is_alive() and 1 not in statuses:
            second.start()
            second.join(timeout=1.5)  # with the lock, the second one waits for us
        return create(user, name, **scope)

    monkeypatch.setattr(services, "create_api_token", create_while_the_other_form_arrives)
    post(0)
    second.join(timeout=30)
    assert sorted(statuses.values()) == [200, 422]
    refused = next(texts[index] for index, status in statuses.items() if status == 422)
    assert "You already have a token with this name: choose another." in refused
    assert _active_named(user, "my script") == 1


# --- 3. the sign-in link e-mail's Date header ----------------------------------------------


def test_the_sign_in_link_email_is_dated_with_the_portals_offset(client, make, smtp, config):
    # A zone without summer time: the offset is the same whatever the day of the run.
    config(TIMEZONE="Asia/Kolkata")
    user = make.user(email="date@example.org")
    client.post(
        "/auth/sign-in/link",
        data={"link-email": user.email, "csrf_token": csrf_token(client)},
        buffered=True,
    )
    [(_to, message)] = smtp.messages
    assert not str(message["Date"]).endswith("-0000")
    dated = parsedate_to_datetime(str(message["Date"]))
    assert dated.utcoffset() == timedelta(hours=5, minutes=30)
    assert abs(dated - datetime.now(UTC)) < timedelta(minutes=5)
