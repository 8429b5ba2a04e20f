"""The home page's Recycling panel says why it names no point: none near the person's
work commune, or no work commune recorded for them at all."""

from tests.conftest import login

NO_COMMUNE = "Aucune commune de travail n'est enregistrée pour vous"
NONE_NEAR = "Aucun point de collecte près de votre commune de travail pour l'instant."


def _home(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_a_person_without_a_work_commune_is_told_so(client, make, rec):
    rec.point()
    login(client, make.user(with_department=False))
    page = _home(client)
    assert NO_COMMUNE in page
    assert NONE_NEAR not in page


def test_a_person_with_a_commune_and_no_point_hears_of_none_near(client, make):
    login(client, make.user())
    page = _home(client)
    assert NONE_NEAR in page
    assert NO_COMMUNE not in page


def test_a_person_without_a_work_commune_is_led_to_record_it(client, make, rec):
    """The profile now records a work commune: the panel leads there, to its field."""
    rec.point()
    login(client, make.user(with_department=False, locale="en"))
    page = _home(client)
    assert (
        'or <a href="/auth/profile#commune">record it on your profile</a> to see the nearest first.'
        in page
    )
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert 'id="commune"' in profile
