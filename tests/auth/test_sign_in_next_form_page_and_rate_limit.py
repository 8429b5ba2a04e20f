"""Sign-in: where a form's address given as `next` leads,
and the per-address limit answering with the sign-in page."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app.auth import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import csrf_token


def _sign_in_to(client, user, next_path):
    return client.post(
        "/auth/sign-in",
        query_string={"next": next_path},
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_token(client),
        },
    )


@pytest.mark.parametrize(
    "next_path, landing",
    [
        # "Create a token" sent from a tab left open: the profile page it was on, not a 405
        # (the form's address answers GET with the profile's tokens).
        ("/auth/profile/tokens", "/auth/profile"),
        ("/auth/profile/tokens/7/revoke", "/auth/profile"),
        ("/auth/profile/password", "/auth/profile"),
        # The search and page of the list the button was on come along.
        ("/admin/roles/7?q=martin&page=2", "/admin/roles?q=martin&page=2"),
        ("/language", "/"),
        ("/auth/sign-out", "/"),
        ("/privacy", "/privacy"),  # a page is gone on to as it is
    ],
)
def test_a_form_s_address_as_next_leads_to_the_page_the_form_was_on(
    client, make, next_path, landing
):
    user = make.user(roles=("admin",))
    answer = _sign_in_to(client, user, next_path)
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"], follow_redirects=True)
    assert page.status_code == 200
    assert page.request.full_path.rstrip("?") == landing


def test_the_e_mailed_link_carries_the_page_the_form_was_on(client, make, smtp):
    user = make.user(email="tab@example.org")
    client.post(
        "/auth/sign-in/link?next=/auth/profile/preferences",
        data={"link-email": user.email, "csrf_token": csrf_token(client)},
        buffered=True,
    )
    [(_to, message)] = smtp.messages
    link = urlsplit(re.search(r"https?://\S+", message.get_body(("plain",)).get_content())[0])
    # The preferences' address answers GET since 7 December: it leads to the preferences.
    # It carries the e-mail's language too (the link's page speaks it, ?lang=).
    assert parse_qs(link.query) == {"next": ["/auth/profile/preferences"], "lang": ["fr"]}
    answer = client.post(f"{link.path}?{link.query}", data={"csrf_token": csrf_token(client)})
    assert answer.headers["Location"] == "/auth/profile/preferences"
    assert client.get(answer.headers["Location"]).headers["Location"] == "/auth/profile#prefs-title"


def test_a_link_naming_a_form_s_address_signs_in_to_the_page_the_form_was_on(client, make):
    """A link sent before the fix carries the form's address: redeemed, it leads to the page."""
    user = make.user()
    _user, token = services.create_sign_in_link(user.email, utcnow())
    db.session.commit()
    answer = client.post(
        f"/auth/sign-in/link/{token}?next=/auth/profile/tokens/7/revoke",
        data={"csrf_token": csrf_token(client)},
    )
    landing = client.get(answer.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200 and landing.request.path == "/auth/profile"


def test_the_per_address_limit_answers_with_the_sign_in_page_and_the_link(client, make):
    """Past SIGN_IN_RATE_LIMIT (5 a minute in tests) from one address: the sign-in page
    again, the address typed in both forms, not a bare « Erreur 429 » page."""
    user = make.user()
    for _ in range(6):
        refused = client.post(
            "/auth/sign-in",
            data={"email": user.email, "password": "guess", "csrf_token": csrf_token(client)},
            headers={"Accept-Language": "fr"},
        )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion depuis ce poste. Réessayez dans 1 minute," in page
    assert "Erreur 429" not in page
    assert f'name="link-email" required type="email" value="{user.email}"' in page
    assert re.search(rf'name="email"[^>]*value="{re.escape(user.email)}"', page)


def test_someone_signed_in_already_goes_on_to_the_page_named_by_next(client, make):
    """A bookmark or a link sent to sign in to the catalogue, opened by someone who is
    signed in already, led home; it leads to the page it names (a portal page only)."""
    from tests.conftest import login

    login(client, make.user())
    answer = client.get("/auth/sign-in", query_string={"next": "/catalogue/"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/catalogue/")
    elsewhere = client.get("/auth/sign-in", query_string={"next": "//evil.example/"})
    assert urlsplit(elsewhere.headers["Location"]).netloc in ("", "localhost")
    assert urlsplit(elsewhere.headers["Location"]).path == "/"
