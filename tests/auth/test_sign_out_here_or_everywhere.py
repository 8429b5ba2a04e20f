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
    assert answer.status_code == 302 and "/auth/sign-in" in answer.headers["Location"]
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
