"""Choosing "My department's commune (Bordeaux)" on the profile stores Bordeaux as the
person's work commune: everything reading it (clean-up entries, commune messages, the
commune staff count) then places them there, as the recycling sorting already did."""

import html
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from tests.cleanup.conftest import Participant, build_campaign
from tests.conftest import login


def _choose_commune(auth, commune: str):
    data = {"locale": "en", "visibility": "pseudonym", "commune": commune}
    return auth.post("/auth/profile/preferences", data)


def _page(client, lang="en") -> str:
    return html.unescape(client.get(f"/auth/profile?lang={lang}").get_data(as_text=True))


def _person_of_bordeaux_elsewhere(make, locale="en"):
    """A person of a department working in Bordeaux, their own commune set to Pessac."""
    pessac = make.commune(name="Pessac")
    bordeaux = make.commune(name="Bordeaux")
    department = make.department(commune=bordeaux)
    return make.user(department=department, locale=locale, commune_id=pessac.id), bordeaux


def test_the_departments_commune_is_offered_by_name(client, make):
    person, _bordeaux = _person_of_bordeaux_elsewhere(make)
    login(client, person)
    assert '<option value="">My department\'s commune (Bordeaux)</option>' in _page(client)


def test_the_departments_commune_is_offered_in_french(client, make):
    person, _bordeaux = _person_of_bordeaux_elsewhere(make, locale="fr")
    login(client, person)
    assert '<option value="">Celle de ma direction (Bordeaux)</option>' in _page(client, "fr")


def test_choosing_the_departments_commune_stores_it(client, auth, make):
    person, bordeaux = _person_of_bordeaux_elsewhere(make)
    login(client, person)
    assert _choose_commune(auth, "").status_code == 302
    assert db.session.get(User, person.id).commune_id == bordeaux.id
    assert "Work commune</dt><dd>Bordeaux</dd>" in _page(client)


def test_a_clean_up_entry_logged_afterwards_counts_for_the_departments_commune(client, auth, make):
    person, bordeaux = _person_of_bordeaux_elsewhere(make)
    now = utcnow()
    campaign = build_campaign(
        make, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2)
    )
    participant = Participant(client, campaign, person)
    assert _choose_commune(auth, "").status_code == 302
    assert participant.log("delete-mail", "1", htmx=False).status_code in (200, 302)
    entries = db.session.scalars(
        select(CleanupAction).where(CleanupAction.campaign_id == campaign.id)
    )
    assert [entry.commune_id for entry in entries] == [bordeaux.id]


def test_the_department_commune_at_the_moment_of_choosing_is_stored(client, auth, make):
    """The department moved since the page was opened: the commune it has now is stored."""
    person, _bordeaux = _person_of_bordeaux_elsewhere(make)
    login(client, person)
    _page(client)
    merignac = make.commune(name="Mérignac")
    person.department.commune = merignac
    db.session.commit()
    assert _choose_commune(auth, "").status_code == 302
    assert db.session.get(User, person.id).commune_id == merignac.id


def test_a_person_whose_department_has_no_commune_can_leave_it_empty(client, auth, make):
    person, _bordeaux = _person_of_bordeaux_elsewhere(make)
    person.department.commune = None
    db.session.commit()
    login(client, person)
    assert '<option value="">Not chosen</option>' in _page(client)
    assert _choose_commune(auth, "").status_code == 302
    assert db.session.get(User, person.id).commune_id is None
