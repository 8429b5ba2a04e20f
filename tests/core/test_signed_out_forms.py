"""A plain form (no htmx: scripts off, or a form the page does not enhance) sent after
its person signed out in another tab: the answer says they are no longer signed in, with
a link to sign in that comes back to the page the form was on, instead of "your form
expired, try again" (which could only fail again). Someone still signed in whose token
is stale keeps "your form expired"."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import Auth, csrf_token

SIGNED_OUT = "You are no longer signed in: sign in again to continue on this page."
EXPIRED = "Your form expired or was not sent from the portal. Please try again."


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _sign_in_link(body: str) -> tuple[str, dict]:
    """The address of the page's "Sign in" link, and its query."""
    link = urlsplit(re.search(r'<a href="([^"]+)">Sign in</a>', body).group(1))
    return link.path, parse_qs(link.query)


def _signed_out_elsewhere(client, make) -> str:
    """A signed-in person's page token, then a sign-out from another tab of the browser."""
    auth = Auth(client)
    auth.sign_in(make.user(locale="en"))
    token = csrf_token(client)
    auth.sign_out()
    return token


# The CSRF check answers before any view runs: the campaign, line and profile need not
# exist for the answer, which changes nothing whatever the form names.
@pytest.mark.parametrize(
    ("form", "page"),
    [
        ("/cleanup/campaigns/2/actions", "/cleanup/campaigns/2?entries=all"),
        ("/catalogue/requests/lines/7/remove", "/catalogue/requests"),
        ("/auth/profile/preferences", "/auth/profile"),
    ],
)
def test_a_form_sent_after_signing_out_elsewhere_says_to_sign_in_again(client, make, form, page):
    token = _signed_out_elsewhere(client, make)
    answer = client.post(
        form,
        data={"csrf_token": token, "action_type": "delete-mail", "quantity": "1"},
        headers={"Referer": f"http://localhost{page}"},
    )
    body = _text(answer)
    assert answer.status_code == 401
    assert SIGNED_OUT in body and "Please try again" not in body
    assert _sign_in_link(body) == ("/auth/sign-in", {"next": [page]})


def test_signing_in_from_that_link_comes_back_to_the_page(client, make):
    user = make.user(locale="en")
    auth = Auth(client)
    auth.sign_in(user)
    token = csrf_token(client)
    auth.sign_out()
    answer = client.post(
        "/cleanup/campaigns/2/actions",
        data={"csrf_token": token},
        headers={"Referer": "http://localhost/cleanup/campaigns/2"},
    )
    path, query = _sign_in_link(_text(answer))
    signed_in = client.post(
        path,
        query_string={"next": query["next"][0]},
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_token(client),
        },
    )
    assert signed_in.status_code == 302 and signed_in.location == "/cleanup/campaigns/2"


def test_a_referer_of_another_site_is_never_the_way_back(client, make):
    """Another site's address is not followed: the nearest page of the form's own."""
    token = _signed_out_elsewhere(client, make)
    answer = client.post(
        "/cleanup/campaigns/2/actions",
        data={"csrf_token": token},
        headers={"Referer": "http://elsewhere.example/cleanup/campaigns/9"},
    )
    # The form's own address, which answers GET since 7 December: it leads to the form
    # (tests/cleanup/test_decisions_after_the_end_and_form_addresses.py).
    way_back = "/cleanup/campaigns/2/actions"
    assert _sign_in_link(_text(answer)) == ("/auth/sign-in", {"next": [way_back]})


def test_a_signed_in_persons_stale_form_still_says_expired(client, make):
    """Signed in, a token of another session is a form that expired, not a sign-out."""
    Auth(client).sign_in(make.user(locale="en"))
    answer = client.post(
        "/cleanup/campaigns/2/actions",
        data={"csrf_token": "not-this-sessions"},
        headers={"Referer": "http://localhost/cleanup/campaigns/2"},
    )
    body = _text(answer)
    assert answer.status_code == 400
    assert EXPIRED in body and SIGNED_OUT not in body


def test_a_visitors_form_of_the_way_in_still_says_expired(client):
    """Nobody was signed in to lose: a public form's stale token is no sign-out. The link
    form comes back itself (`answers_expired_form`), the address typed kept."""
    answer = client.post(
        "/auth/sign-in/link",
        data={"csrf_token": "not-this-sessions", "link-email": "someone@example.org"},
        headers={"Referer": "http://localhost/auth/sign-in", "Accept-Language": "en"},
    )
    body = _text(answer)
    assert answer.status_code == 400
    assert "The page had expired: ask for your sign-in link again." in body
    assert 'value="someone@example.org"' in body and SIGNED_OUT not in body
