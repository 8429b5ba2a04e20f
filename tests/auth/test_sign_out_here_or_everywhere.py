""" "Sign out" ends this session only; "Sign out on all my devices" (profile) ends all."""

from app.auth.models import User
from app.extensions import db
from tests.conftest import Auth, csrf_token, login


def _two_devices(app, make, locale="en"):
    """A person signed in on a shared computer (through the form) and on their phone."""
    person = make.user(locale=locale)
    computer, phone = app.test_client(), app.test_client()
    Auth(computer).sign_in(person)
    login(phone, person)
    assert computer.get("/").status_code == 200 and phone.get("/").status_code == 200
    return person, computer, phone


def test_signing_out_leaves_the_other_devices_signed_in(app, make):
    person, computer, phone = _two_devices(app, make)
    token = db.session.get(User, person.id).session_token
    Auth(computer).sign_out()
    assert computer.get("/").status_code == 302
    assert phone.get("/").status_code == 200
    assert db.session.get(User, person.id).session_token == token


def test_a_page_seen_before_signing_out_is_not_shown_again(app, make):
    """Back, or the address typed again: the private page is neither kept by the browser
    nor served to this session any more."""
    _person, computer, _phone = _two_devices(app, make)
    assert computer.get("/auth/profile").headers["Cache-Control"] == "no-store"
    Auth(computer).sign_out()
    answer = computer.get("/auth/profile")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/auth/sign-in")


def test_signing_out_on_all_devices_ends_every_session_and_says_so(app, make):
    _person, computer, phone = _two_devices(app, make)
    answer = Auth(computer).post("/auth/profile/sign-out-everywhere")
    assert answer.status_code == 302 and answer.headers["Location"] == "/auth/sign-in"
    assert phone.get("/").status_code == 302
    page = computer.get("/auth/sign-in").get_data(as_text=True)
    assert "You are signed out on all your devices." in page


def test_signing_out_on_all_devices_needs_the_form_token(app, make):
    person, computer, phone = _two_devices(app, make)
    token = db.session.get(User, person.id).session_token
    answer = computer.post("/auth/profile/sign-out-everywhere", data={"csrf_token": "forged"})
    assert answer.status_code == 400
    assert db.session.get(User, person.id).session_token == token
    assert computer.get("/").status_code == 200 and phone.get("/").status_code == 200


def test_signing_out_on_all_devices_asks_a_visitor_to_sign_in(client, make):
    person = make.user()
    token = person.session_token
    answer = client.post(
        "/auth/profile/sign-out-everywhere", data={"csrf_token": csrf_token(client)}
    )
    # The answer of any form sent without a session (tests/core/test_typed_kept_answers.py).
    page = answer.get_data(as_text=True)
    assert answer.status_code == 401 and 'href="/auth/sign-in?next=' in page
    assert db.session.get(User, person.id).session_token == token


def test_the_profile_explains_and_offers_signing_out_on_all_devices(client, make):
    login(client, make.user(locale="fr"))
    page = client.get("/auth/profile").get_data(as_text=True).replace("&#39;", "'")
    section = page.split('id="devices-title"', 1)[1].split("</section>", 1)[0]
    assert "ne vous déconnecte que de cet appareil" in section
    assert 'action="/auth/profile/sign-out-everywhere"' in section
    assert 'name="csrf_token"' in section
    assert "Me déconnecter sur tous mes appareils" in section


def test_the_forms_address_leads_to_the_profiles_devices(client, make):
    login(client, make.user())
    answer = client.get("/auth/profile/sign-out-everywhere")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/auth/profile#devices-title"


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _browser_with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_copy_of_the_cookie_taken_before_signing_out_signs_nobody_in(app, make):
    """A shared computer: someone copied the session cookie before the person signed out.
    The copy is refused from then on; the person's phone stays signed in."""
    _person, computer, phone = _two_devices(app, make)
    copy = _browser_with_cookie(app, _cookie(computer))
    assert copy.get("/").status_code == 200
    Auth(computer).sign_out()
    answer = copy.get("/auth/profile")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/auth/sign-in")
    assert phone.get("/").status_code == 200


def test_a_session_opened_before_sessions_had_marks_is_ended_by_signing_out(app, make):
    """A cookie issued before the upgrade (no mark) gets one at its next page, so that
    signing out ends its copies too."""
    _person, _computer, phone = _two_devices(app, make)
    phone.get("/")  # the first page after the upgrade gives the session its mark
    copy = _browser_with_cookie(app, _cookie(phone))
    Auth(phone).sign_out()
    assert copy.get("/").status_code == 302


def test_signing_in_again_after_signing_out_opens_a_new_session(app, make):
    person, computer, _phone = _two_devices(app, make)
    Auth(computer).sign_out()
    Auth(computer).sign_in(person)
    assert computer.get("/auth/profile").status_code == 200


def test_signing_out_twice_from_two_tabs_of_one_session_is_no_error(app, make):
    _person, computer, _phone = _two_devices(app, make)
    copy = _browser_with_cookie(app, _cookie(computer))
    tab_token = csrf_token(copy)
    Auth(computer).sign_out()
    answer = copy.post("/auth/sign-out", data={"csrf_token": tab_token})
    assert answer.status_code in (302, 400)
    assert copy.get("/").status_code == 302


def test_the_marks_of_ended_sessions_are_forgotten_once_their_cookies_expired(app, make):
    from datetime import timedelta

    from sqlalchemy import func, select

    from app.auth.models import EndedSession
    from app.core.privacy_services import apply_retention
    from app.core.time import utcnow

    _person, computer, _phone = _two_devices(app, make)
    Auth(computer).sign_out()
    count = select(func.count()).select_from(EndedSession)
    assert db.session.scalar(count) == 1
    apply_retention(utcnow() + timedelta(hours=7))
    assert db.session.scalar(count) == 1  # a copy could still be within its 8 hours
    apply_retention(utcnow() + timedelta(hours=8, minutes=1))
    assert db.session.scalar(count) == 0


def test_a_refused_copy_is_never_signed_afresh_so_it_cannot_outlive_its_mark(app, make):
    """Answering the copy (a protected page flashes "please sign in") must not send back a
    fresh cookie still naming the person: kept alive that way past the mark's record (the
    cookie's 8 hours), it would sign in again once the mark is forgotten."""
    from datetime import timedelta

    from app.core.privacy_services import apply_retention
    from app.core.time import utcnow

    _person, computer, _phone = _two_devices(app, make)
    copy = _browser_with_cookie(app, _cookie(computer))
    Auth(computer).sign_out()
    assert copy.get("/auth/profile").status_code == 302
    apply_retention(utcnow() + timedelta(hours=9))  # the mark forgotten
    db.session.commit()
    assert copy.get("/auth/profile").status_code == 302  # the cookie it was given back
