""" "Sign out on all my devices" ends sessions, not API tokens: the profile says so beside
the button, offers a box to revoke the tokens too, and the sign-in page says which way it
went."""

from app.auth import services
from app.extensions import db
from tests.conftest import Auth, login


def _person_with_a_token(app, make):
    person = make.user(locale="en")
    _token, raw = services.create_api_token(person, "my script")
    db.session.commit()
    browser = app.test_client()
    login(browser, person)
    return person, browser, raw


def _export_with(app, raw) -> int:
    return (
        app.test_client()
        .get("/api/v1/me/export", headers={"Authorization": f"Bearer {raw}"})
        .status_code
    )


def test_the_profile_says_tokens_outlive_signing_out_and_offers_to_revoke_them(app, make):
    _person, browser, _raw = _person_with_a_token(app, make)
    page = browser.get("/auth/profile").get_data(as_text=True).replace("&#39;", "'")
    section = page.split('id="devices-title"', 1)[1].split("</section>", 1)[0]
    assert (
        'Signing out does not stop <a href="#tokens-title">your personal API token</a>' in section
    )
    assert 'name="revoke_tokens"' in section
    assert "Also revoke my API tokens" in section


def test_signing_out_everywhere_without_the_box_says_the_token_still_works(app, make):
    _person, browser, raw = _person_with_a_token(app, make)
    Auth(browser).post("/auth/profile/sign-out-everywhere")
    page = browser.get("/auth/sign-in").get_data(as_text=True)
    assert "Your API token still works: you can revoke it from your profile." in page
    assert _export_with(app, raw) == 200


def test_signing_out_everywhere_with_the_box_revokes_the_tokens_too(app, make):
    _person, browser, raw = _person_with_a_token(app, make)
    Auth(browser).post("/auth/profile/sign-out-everywhere", {"revoke_tokens": "y"})
    page = browser.get("/auth/sign-in").get_data(as_text=True)
    assert "You are signed out on all your devices, and your API token is revoked." in page
    assert _export_with(app, raw) == 401


def test_without_tokens_the_profile_offers_no_box(client, make):
    login(client, make.user(locale="en"))
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'name="revoke_tokens"' not in page
