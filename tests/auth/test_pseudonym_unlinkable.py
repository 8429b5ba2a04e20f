"""A pseudonym once linked to its owner's name is never theirs again: switching the
leaderboards to one's name (or back) draws a new pseudonym, the profile offers to draw one
at any time, and says near the choice what showing one's name reveals."""

import re

from app.auth.models import User
from app.extensions import db
from tests.conftest import login


def _pseudonym(user):
    return db.session.get(User, user.id).pseudonym


def _preferences(auth, visibility):
    return auth.post(
        "/auth/profile/preferences",
        {"locale": "en", "visibility": visibility},
        follow_redirects=True,
    )


def test_switching_to_the_name_and_back_never_gives_the_pseudonym_back(client, auth, make):
    person = make.user(display_name="Nora Benali")
    seen_by_colleague = person.pseudonym
    login(client, person)

    page = _preferences(auth, "name").get_data(as_text=True)
    after_name = _pseudonym(person)
    assert after_name != seen_by_colleague
    assert "Your new pseudonym is “" + after_name + "”" in page

    _preferences(auth, "pseudonym")
    back = _pseudonym(person)
    assert back not in (seen_by_colleague, after_name)
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert back in profile and seen_by_colleague not in profile


def test_hiding_and_showing_the_pseudonym_again_draws_a_new_one(client, auth, make):
    person = make.user()
    first = person.pseudonym
    login(client, person)
    _preferences(auth, "hidden")
    _preferences(auth, "pseudonym")
    assert _pseudonym(person) != first


def test_saving_other_preferences_keeps_the_pseudonym(client, auth, make):
    person = make.user()
    first = person.pseudonym
    login(client, person)
    page = auth.post(
        "/auth/profile/preferences",
        {"locale": "en", "visibility": "pseudonym", "email_opt_in": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert _pseudonym(person) == first
    assert "Your preferences are saved." in page and "new pseudonym is" not in page


def test_the_profile_draws_a_new_unique_pseudonym_on_request(client, auth, make):
    person, colleague = make.user(), make.user()
    first = person.pseudonym
    login(client, person)
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert re.search(r'action="/auth/profile/pseudonym"', profile)

    answer = auth.post("/auth/profile/pseudonym")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/auth/profile#prefs-title"
    drawn = _pseudonym(person)
    assert drawn != first and drawn != colleague.pseudonym
    assert db.session.get(User, person.id).leaderboard_visibility == "pseudonym"
    page = client.get("/auth/profile").get_data(as_text=True)
    assert drawn in page and first not in page


def test_drawing_a_pseudonym_needs_the_form_token(client, make):
    person = make.user()
    first = person.pseudonym
    login(client, person)
    assert client.post("/auth/profile/pseudonym").status_code == 400
    assert _pseudonym(person) == first
    # Reloaded from the address bar: the preferences, not a 405.
    answer = client.get("/auth/profile/pseudonym")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("#prefs-title")


def test_the_choice_warns_that_the_name_reveals_the_points_in_french_too(client, make):
    person = make.user(locale="fr")
    login(client, person)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "Afficher votre nom révèle vos points actuels" in page
    assert "Tirer un nouveau pseudonyme" in page
    person.locale = "en"
    db.session.commit()
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "Showing your name reveals your current points under it" in page
    assert "Draw a new pseudonym" in page


def test_a_person_showing_their_name_is_not_offered_to_draw_a_pseudonym(client, auth, make):
    """The leaderboards don't show it: "Leaderboards then show the new one" would be false."""
    person = make.user(leaderboard_visibility="name", locale="en")
    login(client, person)
    profile = client.get("/auth/profile").get_data(as_text=True).replace("&#39;", "'")
    assert 'action="/auth/profile/pseudonym"' not in profile
    assert "Leaderboards do not show your pseudonym now." in profile
    # A form shown before the person chose their name still draws one, and says so truly.
    page = auth.post("/auth/profile/pseudonym", follow_redirects=True).get_data(as_text=True)
    assert "Leaderboards do not show it while you show your name or hide yourself." in page
    assert "Leaderboards now show it" not in page
