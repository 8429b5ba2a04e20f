"""The server's side of keeping what was typed across the end of a session (portal.js;
in the browser: test_typed_kept_across_sign_in_browser.py): the answers to a form sent
once its session was gone are marked, say in words what the page keeps, and lead back to
the form's page; pages tell portal.js whose they are without naming anyone; the forms of
signing in and out are never copied."""

import html
import re

from app.auth.models import User
from app.extensions import db
from tests.conftest import Auth, csrf_token, login

SIGNED_OUT = "You are no longer signed in: sign in again to continue on this page."
KEPT = (
    "What you had typed is kept in this browser tab: it will be put back in the form once "
    "you have signed in again."
)
KEPT_SIGNED_IN = (
    "What you had typed is kept in this browser tab: it will be put back in the form when "
    "you open its page again."
)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _owner(page: str) -> str:
    return re.search(r'data-draft-owner="([^"]*)"', page).group(1)


def test_a_form_sent_after_signing_out_on_every_device_leads_back_to_its_page(app, client, make):
    """Signed out everywhere from the phone: the computer's page still holds a token of
    its session. Its form was sent on to the sign-in page, then to the form's address."""
    person = make.user(locale="en")
    Auth(client).sign_in(person)
    token = csrf_token(client)
    phone = app.test_client()
    Auth(phone).sign_in(person)
    Auth(phone).post("/auth/profile/sign-out-everywhere")

    answer = client.post(
        "/auth/profile/preferences",
        data={"csrf_token": token, "locale": "fr", "visibility": "name"},
        headers={"Referer": "http://localhost/auth/profile", "Accept-Language": "en"},
    )
    page = _text(answer)
    assert answer.status_code == 401 and answer.headers["X-Form-Expired"] == "1"
    assert SIGNED_OUT in page and '<a href="/auth/sign-in?next=/auth/profile">' in page
    assert f'<p class="flash flash-info" data-draft-kept hidden>{KEPT}</p>' in page
    assert db.session.get(User, person.id).locale == "en"


def test_an_htmx_answer_after_the_session_ended_is_marked_for_the_page(client, make):
    auth = Auth(client)
    auth.sign_in(make.user(locale="en"))
    token = csrf_token(client)
    auth.sign_out()
    answer = client.post(
        "/auth/profile/preferences",
        data={"csrf_token": token},
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/auth/profile"},
    )
    fragment = _text(answer)
    assert answer.status_code == 401 and answer.headers["X-Form-Expired"] == "1"
    assert answer.headers["HX-Retarget"] == "#flashes"
    assert SIGNED_OUT in fragment and f"data-draft-kept hidden>{KEPT}</p>" in fragment


def test_a_stale_page_of_someone_signed_in_links_back_to_its_form(client, make):
    """Signed out and in again in another tab: the page's token is no longer the session's."""
    person = make.user(roles=("organiser",), locale="en")
    auth = Auth(client)
    auth.sign_in(person)
    token = csrf_token(client)
    auth.sign_out()
    auth.sign_in(person)
    answer = client.post(
        "/cleanup/campaigns/new",
        data={"csrf_token": token, "name_en": "Autumn"},
        headers={"Referer": "http://localhost/cleanup/campaigns/new"},
    )
    page = _text(answer)
    assert answer.status_code == 400 and answer.headers["X-Form-Expired"] == "1"
    assert "Your form expired" in page and KEPT_SIGNED_IN in page
    assert '<a href="/cleanup/campaigns/new">Open the form again</a>' in page


def test_a_form_without_its_token_is_no_expired_page(client, make):
    """A token missing from the form is no old page: nothing to keep, nowhere to go back."""
    login(client, make.user(locale="en"))
    answer = client.post("/auth/profile/preferences", data={"locale": "fr"})
    page = _text(answer)
    assert answer.status_code == 400 and "X-Form-Expired" not in answer.headers
    assert "data-draft-kept" not in page and "Open the form again" not in page


def test_a_page_tells_whose_it_is_without_naming_them(client, app, make):
    """The same mark in each session of a person, another for someone else, none for a
    visitor: portal.js puts a copy back only for the person who typed it."""
    first, second = make.user(), make.user()
    assert _owner(client.get("/privacy").get_data(as_text=True)) == ""
    marks = []
    for person in (first, first, second):
        browser = app.test_client()
        Auth(browser).sign_in(person)
        marks.append(_owner(browser.get("/privacy").get_data(as_text=True)))
    assert marks[0] == marks[1] != marks[2]
    assert all(re.fullmatch(r"[0-9a-f]{16}", mark) for mark in marks)


def test_the_forms_of_signing_in_and_out_are_never_copied(client, make):
    sign_in_page = client.get("/auth/sign-in").get_data(as_text=True)
    forms = re.findall(r"<form\b[^>]*>", sign_in_page)
    assert forms and all("data-no-draft" in form for form in forms)
    login(client, make.user())
    page = client.get("/auth/profile").get_data(as_text=True)
    sign_outs = [
        form for form in re.findall(r"<form\b[^>]*>", page) if "sign-out" in form
    ]  # the header's, and "on all my devices"
    assert len(sign_outs) == 2
    assert all("data-no-draft" in form and "data-forget-drafts" in form for form in sign_outs)
