"""The profile shows the work commune (the origin of "nearest first" on the collection
points) and lets the person choose it; a person without a department is not told of a
team their hidden points count for."""

import html

from app.auth.models import User
from app.extensions import db
from tests.conftest import login


def _page(client) -> str:
    return html.unescape(client.get("/auth/profile?lang=en").get_data(as_text=True))


def _preferences(commune: str, **overrides) -> dict:
    return {
        "locale": "en",
        "visibility": "pseudonym",
        "commune": commune,
        **overrides,
    }


def test_the_profile_shows_the_departments_commune_as_the_work_commune(client, make):
    department = make.department(commune=make.commune(name="Bordeaux"))
    login(client, make.user(department=department, locale="en", commune_id=None))
    assert "Work commune</dt><dd>Bordeaux (your department's)</dd>" in _page(client)


def test_a_person_without_a_commune_is_told_to_choose_one(client, make):
    login(client, make.user(with_department=False, locale="en"))
    page = _page(client)
    assert 'None recorded: <a href="#commune">choose it in your preferences</a>.' in page
    assert 'id="commune" name="commune"><option selected value="">Not chosen</option>' in page


def test_a_person_chooses_their_work_commune(client, auth, make):
    make.commune(name="Bordeaux")
    pessac = make.commune(name="Pessac")
    person = make.user(with_department=False, locale="en")
    login(client, person)
    response = auth.post("/auth/profile/preferences", _preferences(str(pessac.id)))
    assert response.status_code == 302
    assert db.session.get(User, person.id).commune_id == pessac.id
    assert "Work commune</dt><dd>Pessac</dd>" in _page(client)


def test_a_commune_no_one_offered_is_refused_and_nothing_changes(client, auth, make):
    pessac = make.commune(name="Pessac")
    person = make.user(with_department=False, locale="en", commune_id=pessac.id)
    login(client, person)
    response = auth.post("/auth/profile/preferences", _preferences("999999", visibility="name"))
    assert response.status_code == 422
    assert "Choose one of the options offered." in html.unescape(response.get_data(as_text=True))
    saved = db.session.get(User, person.id)
    assert (saved.commune_id, saved.leaderboard_visibility) == (pessac.id, "pseudonym")


def test_choosing_the_departments_commune_stores_it_as_the_persons(client, auth, make):
    pessac = make.commune(name="Pessac")
    bordeaux = make.commune(name="Bordeaux")
    department = make.department(commune=bordeaux)
    person = make.user(department=department, locale="en", commune_id=pessac.id)
    login(client, person)
    page = _page(client)
    assert '<option value="">My department\'s commune (Bordeaux)</option>' in page
    assert auth.post("/auth/profile/preferences", _preferences("")).status_code == 302
    assert db.session.get(User, person.id).commune_id == bordeaux.id


def test_a_form_sent_without_the_commune_keeps_it(client, auth, make):
    """A profile page opened before the field was there still saves the rest."""
    pessac = make.commune(name="Pessac")
    person = make.user(with_department=False, locale="en", commune_id=pessac.id)
    login(client, person)
    response = auth.post("/auth/profile/preferences", {"locale": "en", "visibility": "name"})
    assert response.status_code == 302
    saved = db.session.get(User, person.id)
    assert (saved.commune_id, saved.leaderboard_visibility) == (pessac.id, "name")


def test_a_person_without_a_department_is_not_told_of_a_team(client, make):
    login(client, make.user(with_department=False, locale="en"))
    page = _page(client)
    assert "my points still count for my department" not in page
    assert "Hidden (my points still count in the campaigns' totals)" in page


def test_hiding_says_the_points_still_count_for_the_department(client, make):
    login(client, make.user(locale="en"))
    assert "Hidden (my points still count for my department)" in _page(client)


def test_the_commune_field_speaks_french(client, make):
    login(client, make.user(with_department=False, locale="fr"))
    page = html.unescape(client.get("/auth/profile?lang=fr").get_data(as_text=True))
    assert "Commune de travail" in page
    assert "choisissez-la dans vos préférences" in page
    assert "Ne pas m'afficher (mes points comptent toujours dans les totaux des campagnes)" in page
